// Browser mode in a real Chromium: import a dataset file from the UI, inspect its report,
// label histogram and one sample's heatmaps; a broken file shows its reason next to the path field.
// Any console error or uncaught page error fails the test.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { ROOT, artifactPath, useBrowserMode, watchedPage } from './support.mjs';

const FIXTURES = join(ROOT, 'test', 'fixtures', 'import');
const session = useBrowserMode({ before, after });

test('imports a dataset from the UI and inspects it', { timeout: 300_000 }, async () => {
  const { page, problems } = await watchedPage(session.browser, { viewport: { width: 1400, height: 1000 } });
  await page.goto(session.server.url);
  await page.getByTestId('dataset-row-synth-mosi').waitFor();

  // A relative path is refused before anything is sent.
  await page.getByTestId('import-path').fill('mosi_data.pkl');
  assert.equal(await page.getByTestId('import-submit').isDisabled(), true);
  assert.match(await page.getByTestId('import-path-error').textContent(), /absolute path/);

  // A broken file: the importer's reason appears next to the path field.
  await page.getByTestId('import-path').fill(join(FIXTURES, 'broken_ragged.pkl'));
  await page.getByTestId('import-submit').click();
  await page.getByTestId('import-path-error').filter({ hasText: 'ragged' }).waitFor();
  assert.match(await page.getByTestId('import-path-error').textContent(), /train\.audio/);

  await page.getByTestId('import-path').fill(join(FIXTURES, 'mult_mosi_p4_float64.pkl'));
  await page.getByTestId('import-name').fill('MOSI fixture');
  await page.getByTestId('import-submit').click();
  await page.getByTestId('dataset-row-mosi-fixture').waitFor();
  await page.getByTestId('dataset-inspector').waitFor();
  await page.getByTestId('dataset-report').waitFor();
  const dims = await page.getByTestId('dataset-dims').textContent();
  assert.match(dims, /feature selection/, 'MOSI 5/20 dims beside the paper 74/35, with the reason');
  assert.match(await page.getByTestId('report-modalities').textContent(), /train\.audio/);
  await page.getByTestId('label-histogram').locator('canvas').first().waitFor();
  for (const m of ['l', 'a', 'v']) await page.getByTestId(`heatmap-${m}`).locator('canvas').first().waitFor();
  assert.match(await page.getByTestId('sample-label').textContent(), /train #0/);

  await page.getByTestId('sample-split').selectOption('test');
  await page.getByTestId('sample-label').filter({ hasText: 'test #0' }).waitFor();
  await page.screenshot({ path: artifactPath('browser-dataset-inspector.png'), fullPage: true });

  // A built-in that was never generated: its first view generates it (and says so), then shows its
  // label histogram and samples, before any training.
  await page.getByTestId('dataset-row-synth-mosi').click();
  await page.getByTestId('dataset-generating').filter({ hasText: /Generating synth-mosi for its first view \(once; about \d+ MB/ }).waitFor();
  await page.getByTestId('label-histogram').locator('canvas').first().waitFor({ timeout: 90_000 });
  for (const m of ['l', 'a', 'v']) await page.getByTestId(`heatmap-${m}`).locator('canvas').first().waitFor();
  assert.match(await page.getByTestId('sample-label').textContent(), /train #0 · id \S+ · sentiment/);
  await page.screenshot({ path: artifactPath('browser-dataset-first-view.png'), fullPage: true });
  await page.getByTestId('dataset-close').click();
  await page.getByTestId('dataset-inspector').waitFor({ state: 'detached' });

  assert.deepEqual(problems, []);
});

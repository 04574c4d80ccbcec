// Browser mode in a real Chromium: launch a run from the UI and see its result appear.
// Any console error or uncaught page error fails the test.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { artifactPath, useBrowserMode, watchedPage } from './support.mjs';

const session = useBrowserMode({ before, after });

test('launches a run from the UI and shows its result', { timeout: 240_000 }, async () => {
  const { page, problems } = await watchedPage(session.browser, { viewport: { width: 1400, height: 900 } });

  await page.goto(session.server.url);
  await page.getByTestId('nav-runs').click();
  await page.getByTestId('launch-dataset').locator('option', { hasText: 'synth-mosi' }).waitFor({ state: 'attached' });
  await page.getByTestId('launch-dataset').selectOption('synth-mosi');
  await page.getByTestId('launch-method').selectOption('lf-linear');
  await page.getByTestId('launch-seed').fill('abc');
  assert.equal(await page.getByTestId('launch-submit').isDisabled(), true, 'an invalid seed must block the launch');
  await page.getByTestId('launch-seed').fill('1111');
  await page.getByTestId('launch-epochs').fill('2');
  // Knobs are checked by the services as they are typed; an unknown one is named with the valid ones.
  await page.getByTestId('launch-knobs').fill('foo=1');
  await page.getByTestId('launch-knobs-error').filter({ hasText: "lf-linear has no knob 'foo'; its knobs: lr, batchSize, epochs" }).waitFor();
  assert.equal(await page.getByTestId('launch-submit').isDisabled(), true, 'an unknown knob must block the launch');
  await page.getByTestId('launch-knobs').fill('lr=0.001');
  await page.getByTestId('launch-plan').filter({ hasText: 'Trains model 2 epochs on complete data' }).waitFor();
  await page.getByTestId('launch-submit').click();

  const row = page.locator('[data-testid^=run-row-]').first();
  await row.getByTestId('run-status').filter({ hasText: 'finished' }).waitFor({ timeout: 180_000 });
  const f1 = Number(await row.getByTestId('run-f1').textContent());
  assert.ok(f1 > 50 && f1 <= 100, `complete-condition F1 should be a percentage above chance, got ${f1}`);

  await row.click();
  await page.getByTestId('run-metrics').waitFor();
  const metricsText = await page.getByTestId('run-metrics').textContent();
  assert.match(metricsText, /\{l,a,v\}/);
  assert.match(metricsText, /Avg\./);
  await page.getByTestId('loss-chart').locator('canvas').first().waitFor();
  await page.screenshot({ path: artifactPath('browser-run-finished.png'), fullPage: true });

  // Embedding inspector: PCA of the stored representations, one panel per stored condition.
  // Each method names its own representation: lf-linear's is not HRLF's H̃.
  assert.match(await page.getByTestId('embedding-title').textContent(), /time-mean features/);
  await page.getByTestId('embedding-algorithm').selectOption('pca');
  await page.getByTestId('embedding-compute').click();
  for (const condition of ['l,a,v', 'l', 'p=0.5+l']) {
    await page.getByTestId(`embedding-panel-${condition}`).locator('canvas').first().waitFor({ timeout: 60_000 });
  }
  await page.screenshot({ path: artifactPath('browser-embeddings.png'), fullPage: true });

  assert.deepEqual(problems, []);
});

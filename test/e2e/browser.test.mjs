// Browser mode in a real Chromium: a new user's first minutes. The analysis screens before any run
// (they say what to do), a page without its token (it says so), a single run launched from the
// Runs tab and read in Results, Robustness curves and Embeddings, a degenerate run flagged, and
// the tab kept in the address across a reload. Any console error or uncaught page error fails the test.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import Database from 'better-sqlite3';
import { artifactPath, useBrowserMode, watchedPage } from './support.mjs';

const session = useBrowserMode({ before, after });

test('a page opened without its token says the token is missing and where the URL is', { timeout: 60_000 }, async () => {
  const page = await session.browser.newPage();
  await page.goto(new URL(session.server.url).origin + '/');
  const error = await page.getByTestId('page-error').textContent();
  assert.match(error, /no access token/);
  assert.match(error, /hrlf serve/);
  assert.doesNotMatch(error, /cannot reach/);
  await page.close();
});

test('launches a single run from the UI and analyses it like an experiment', { timeout: 300_000 }, async () => {
  const { page, problems } = await watchedPage(session.browser, { viewport: { width: 1400, height: 900 } });

  await page.goto(session.server.url);
  // Before any run the analysis screens say what to do; the tab is in the address and survives a reload.
  await page.getByTestId('nav-results').click();
  assert.match(await page.getByTestId('results-empty').textContent(), /Nothing to analyse yet.*Runs tab/s);
  assert.match(page.url(), /#results$/);
  await page.reload();
  await page.getByTestId('view-results').waitFor();
  await page.getByTestId('results-empty').waitFor();

  await page.getByTestId('nav-runs').click();
  await page.getByTestId('launch-dataset').locator('option', { hasText: 'synth-mosi' }).waitFor({ state: 'attached' });
  await page.getByTestId('launch-dataset').selectOption('synth-mosi');
  await page.getByTestId('launch-method').selectOption('lf-linear');
  await page.getByTestId('launch-seed').fill('abc');
  await page.getByTestId('launch-submit').click();
  await page.locator('.field-error', { hasText: 'a non-negative integer' }).waitFor();
  assert.equal(await page.locator('[data-testid^=run-row-]').count(), 0, 'an invalid seed must block the launch');
  await page.getByTestId('launch-seed').fill('1111');
  await page.getByTestId('launch-epochs').fill('2');
  // Knobs are checked by the services as they are typed; an unknown one is named with the valid ones.
  await page.getByTestId('launch-knobs').fill('foo=1');
  await page.getByTestId('launch-knobs-error').filter({ hasText: "lf-linear has no knob 'foo'; its knobs: lr, batchSize, epochs" }).waitFor();
  assert.equal(await page.getByTestId('launch-submit').isDisabled(), true, 'an unknown knob must block the launch');
  await page.getByTestId('launch-knobs').fill('lr=0.001');
  await page.getByTestId('launch-plan').filter({ hasText: 'Trains model 2 epochs on complete data' }).waitFor();
  await page.getByTestId('launch-submit').click();
  await page.getByTestId('launch-started').waitFor();
  assert.equal(await page.getByTestId('launch-submit').isDisabled(), true, 'one click is one run: the same form does not start a second');

  const row = page.locator('[data-testid^=run-row-]').first();
  await row.getByTestId('run-status').filter({ hasText: 'finished' }).waitFor({ timeout: 240_000 });
  const runId = Number((await row.getAttribute('data-testid')).replace('run-row-', ''));
  const f1 = Number(await row.getByTestId('run-f1').textContent());
  assert.ok(f1 > 50 && f1 <= 100, `complete-condition F1 should be a percentage above chance, got ${f1}`);

  await row.click();
  await page.getByTestId('run-metrics').waitFor();
  const metricsText = await page.getByTestId('run-metrics').textContent();
  assert.match(metricsText, /\{l,a,v\}/);
  assert.match(metricsText, /Avg\./);
  assert.match(metricsText, /F1 \(Non0\) %/);
  assert.doesNotMatch(metricsText, /f1_non0|acc2_has0/, 'display names, not keys');
  await page.getByTestId('loss-chart').locator('canvas').first().waitFor();
  // The export buttons sit above the chart, not on its legend.
  const tools = await page.getByTestId('loss-chart-png').boundingBox();
  const canvas = await page.getByTestId('loss-chart').locator('canvas').first().boundingBox();
  assert.ok(tools.y + tools.height <= canvas.y + 1, 'PNG/SVG buttons above the chart');
  await page.screenshot({ path: artifactPath('browser-run-finished.png'), fullPage: true });

  // The single run in Results (chosen runs, ticked by default), Robustness curves and Embeddings.
  await page.getByTestId('nav-results').click();
  assert.equal(await page.getByTestId('source-kind').inputValue(), 'runs');
  assert.equal(await page.getByTestId(`source-run-${runId}`).isChecked(), true);
  const table = page.getByTestId('results-table-experiment');
  await table.waitFor();
  assert.match(await table.textContent(), /Late fusion \(linear\)/);
  assert.doesNotMatch(await table.textContent(), /paper \d/, "no paper numbers beside synthetic results unless asked");
  const metricOptions = await page.getByTestId('results-metric').locator('option').allTextContents();
  assert.ok(metricOptions.includes('F1 (Non0) %') && metricOptions.every((o) => !o.includes('_')), `metric names, not keys: ${metricOptions}`);
  await page.screenshot({ path: artifactPath('browser-results-single-run.png'), fullPage: true });
  await page.getByTestId('nav-curves').click();
  await page.getByTestId('curve-0').locator('canvas').first().waitFor();
  await page.getByTestId('nav-embeddings').click();
  await page.getByTestId(`emb-run-${runId}`).waitFor();

  // Embedding inspector on the run: PCA of the stored representations, one panel per stored condition.
  // Each method names its own representation: lf-linear's is not HRLF's H̃.
  await page.getByTestId('nav-runs').click();
  assert.match(await page.getByTestId('embedding-title').textContent(), /time-mean features/);
  await page.getByTestId('embedding-algorithm').selectOption('pca');
  await page.getByTestId('embedding-compute').click();
  for (const condition of ['l,a,v', 'l', 'p=0.5+l']) {
    await page.getByTestId(`embedding-panel-${condition}`).locator('canvas').first().waitFor({ timeout: 60_000 });
  }
  await page.screenshot({ path: artifactPath('browser-embeddings.png'), fullPage: true });

  // A degenerate model: every stored test prediction on one side of 0 (as a collapsed HRLF gives).
  const db = new Database(join(session.server.home, 'workbench.sqlite'));
  const sets = db.prepare('SELECT protocol, condition, n FROM predictions WHERE run_id = ?').all(runId);
  for (const s of sets) {
    const values = Float32Array.from({ length: s.n }, (_, i) => -0.5 - i * 1e-3);
    db.prepare('UPDATE predictions SET values_f32 = ? WHERE run_id = ? AND protocol = ? AND condition = ?').run(Buffer.from(values.buffer), runId, s.protocol, s.condition);
  }
  db.prepare('UPDATE runs SET prediction_check = NULL WHERE id = ?').run(runId);
  db.close();
  await page.reload();
  await page.getByTestId('view-runs').waitFor();
  await page.getByTestId(`run-flags-${runId}`).filter({ hasText: 'degenerate' }).waitFor();
  await page.getByTestId(`run-row-${runId}`).click();
  assert.match(await page.getByTestId('run-degenerate').textContent(), /one-sided predictions \(every prediction ≤ 0\) under all 7 inter-modality conditions/);
  await page.getByTestId('nav-results').click();
  await page.getByTestId('degenerate-lf-linear').waitFor();
  assert.match(await page.getByTestId('results-degenerate').first().textContent(), /its seed: one-sided predictions/);
  await page.screenshot({ path: artifactPath('browser-degenerate.png'), fullPage: true });

  assert.deepEqual(problems, []);
});

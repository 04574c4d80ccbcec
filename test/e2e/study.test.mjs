// The whole study by pointing and clicking, in browser mode in a real Chromium: import a dataset
// file, build a scenario with its masking preview, launch a 2-seed experiment (HRLF, one
// ablation and the lf-linear baseline, 1 epoch per phase, on synth-mosi), follow it in the queue, read the results beside the
// paper, the ablation bars, the group-by, a run's drill-down, the robustness curves and the
// embeddings, and export LaTeX, CSV and the charts. Every screen is screenshotted into
// test-results/; any console error or uncaught page error fails the test.
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { ROOT, artifactPath, useBrowserMode, watchedPage } from './support.mjs';

const FIXTURE = join(ROOT, 'test', 'fixtures', 'import', 'mult_mosi_p4_float64.pkl');
const session = useBrowserMode({ before, after });

/** Clicks and returns the download's file name and text. */
async function download(page, locator) {
  const [d] = await Promise.all([page.waitForEvent('download'), locator.click()]);
  return { name: d.suggestedFilename(), text: await readFile(await d.path(), 'utf8') };
}

/** A textarea's value (not its text) once it matches. */
async function valueMatching(locator, pattern, timeout = 30_000) {
  const end = Date.now() + timeout;
  for (;;) {
    const value = await locator.inputValue();
    if (pattern.test(value)) return value;
    if (Date.now() > end) throw new Error(`value never matched ${pattern}: ${value.slice(0, 200)}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

test('walks the full study in the browser', { timeout: 1_200_000 }, async () => {
  const context = await session.browser.newContext({ viewport: { width: 1500, height: 1000 }, acceptDownloads: true });
  const { page, problems } = await watchedPage(context);
  const shot = (name) => page.screenshot({ path: artifactPath(`study-${name}.png`), fullPage: true });

  await page.goto(session.server.url);

  // 1. Datasets: import a MulT pickle and inspect it.
  await page.getByTestId('dataset-row-synth-mosi').waitFor();
  await page.getByTestId('import-path').fill(FIXTURE);
  await page.getByTestId('import-name').fill('Study fixture');
  await page.getByTestId('import-submit').click();
  await page.getByTestId('dataset-row-study-fixture').waitFor();
  await page.getByTestId('heatmap-l').locator('canvas').first().waitFor();
  await shot('01-datasets');

  // 2. Scenario builder: bad input is caught before sending; the preview follows the settings.
  await page.getByTestId('nav-scenarios').click();
  // No errors before any input: the empty name is not an error yet.
  assert.equal(await page.getByTestId('scenario-name-error').count(), 0);
  await page.getByTestId('scenario-name').fill('audio-missing');
  for (const c of ['l', 'a', 'v', 'l,a', 'a,v']) await page.getByTestId(`msm-subset-${c}`).uncheck();
  await page.getByTestId('scenario-maxdrop').fill('1.5');
  assert.match(await page.getByTestId('scenario-maxdrop-error').textContent(), /\[0, 1\]/);
  await page.getByTestId('scenario-save').click();
  assert.equal(await page.getByTestId('scenario-saved').count(), 0, 'a drop ratio above 1 must block saving');
  await page.getByTestId('scenario-maxdrop').fill('0.5');
  await page.getByTestId('scenario-maskseed').fill('seven');
  await page.getByTestId('scenario-maskseed-error').waitFor();
  await page.getByTestId('scenario-maskseed').fill('7');
  await page.getByTestId('preview-dataset').selectOption('study-fixture');
  await page.getByTestId('preview-p').selectOption('0.5');
  await page.getByTestId('preview-caption').filter({ hasText: 'mask seed 7' }).waitFor();
  for (const m of ['l', 'a', 'v']) {
    await page.getByTestId(`preview-original-${m}`).locator('canvas').first().waitFor();
    await page.getByTestId(`preview-eval-${m}`).locator('canvas').first().waitFor();
    await page.getByTestId(`preview-msm-${m}`).locator('canvas').first().waitFor();
  }
  const caption = await page.getByTestId('preview-caption').textContent();
  assert.match(caption, /one MSM draw: \{(l,v|l,a,v)\}/, `MSM draws only from the chosen sets: ${caption}`);
  assert.match(await page.getByTestId('preview-eval-kept-l').textContent(), /\d+\/\d+ frames kept/);
  await page.getByTestId('scenario-save').click();
  await page.getByTestId('scenario-saved').filter({ hasText: 'audio-missing' }).waitFor();
  await page.getByTestId('scenario-row-audio-missing').waitFor();
  await shot('02-scenario');

  // 3. Experiment builder: grid, run count, estimate; launch; follow the queue.
  await page.getByTestId('nav-experiments').click();
  assert.match(page.url(), /#experiments$/);
  // No errors before any input; a submit shows them, each under its own field.
  assert.equal(await page.getByTestId('exp-methods-error').count(), 0, 'no "choose at least one method" before anyone chose');
  await page.getByTestId('exp-epochs').fill('0');
  const epochsError = page.getByTestId('exp-epochs-error');
  await epochsError.waitFor();
  assert.equal(await page.getByTestId('exp-seeds-error').count(), 0);
  const [epochsBox, errorBox] = [await page.getByTestId('exp-epochs').boundingBox(), await epochsError.boundingBox()];
  const below = errorBox.y - (epochsBox.y + epochsBox.height);
  assert.ok(Math.abs(errorBox.x - epochsBox.x) < 2 && below >= -1 && below < 20, `the epochs error sits right under the Epochs field: ${JSON.stringify({ epochsBox, errorBox })}`);
  await page.getByTestId('exp-launch').click();
  assert.match(await page.getByTestId('exp-methods-error').textContent(), /at least one method/);
  await page.getByTestId('exp-method-hrlf').check();
  await page.getByTestId('exp-method-hrlf-wo-hal').check();
  await page.getByTestId('exp-method-lf-linear').check();
  await page.getByTestId('exp-dataset-synth-mosi').check();
  await page.getByTestId('exp-seeds').fill('1111-x');
  await page.getByTestId('exp-seeds-error').waitFor();
  await page.getByTestId('exp-seeds').fill('1111-1112');
  await page.getByTestId('exp-epochs').fill('1');
  // Each method's family beside it; a knob is checked against every chosen method as it is typed.
  await page.getByTestId('exp-family-hrlf').filter({ hasText: 'HRLF and its ablations' }).waitFor();
  await page.getByTestId('exp-vary').fill('lambdaHal=0,0.5');
  await page.getByTestId('exp-vary-error').filter({ hasText: /hrlf-wo-hal on synth-mosi: config lambdaHal/ }).waitFor();
  await page.getByTestId('exp-vary').fill('');
  await page.getByTestId('exp-scenario').selectOption('audio-missing');
  await page.getByTestId('exp-reference').selectOption('hrlf');
  await page.getByTestId('exp-name').fill('study');
  assert.match(await page.getByTestId('exp-run-count').textContent(), /^6 runs/);
  await page.getByTestId('exp-estimate').filter({ hasText: 'no measurement yet' }).waitFor();
  await page.getByTestId('exp-launch').click();
  await page.getByTestId('experiment-runs').waitFor();
  // Queued: the form starts over, so a second click cannot queue the same grid again.
  await page.getByTestId('exp-queued').waitFor();
  assert.equal(await page.getByTestId('exp-method-hrlf').isChecked(), false);
  assert.equal(await page.getByTestId('exp-name').inputValue(), '');
  assert.equal(await page.getByTestId('exp-methods-error').count(), 0, 'a fresh form shows no errors');

  // Pausing holds queued runs back; resuming lets them go.
  await page.getByTestId('queue-pause').click();
  await page.getByTestId('queue-state').filter({ hasText: 'paused' }).waitFor();
  await page.getByTestId('queue-resume').click();
  await page.getByTestId('queue-state').filter({ hasText: 'working' }).waitFor();

  await page.locator('[data-testid^=live-loss-] canvas').first().waitFor({ timeout: 120_000 });
  // The export buttons sit above the live chart, not on its legend.
  const liveChart = page.locator('[data-testid^=live-loss-]').first();
  const liveTools = await liveChart.locator('button', { hasText: 'PNG' }).boundingBox();
  const liveCanvas = await liveChart.locator('canvas').first().boundingBox();
  assert.ok(liveTools.y + liveTools.height <= liveCanvas.y + 1, 'PNG/SVG buttons above the chart');
  await shot('03-queue-running');
  const row = page.locator('[data-testid^=experiment-row-]').first();
  await row.getByTestId('experiment-finished').filter({ hasText: /^6$/ }).waitFor({ timeout: 900_000 });
  const statuses = await page.getByTestId('exp-run-status').allTextContents();
  assert.deepEqual(statuses, Array(6).fill('finished'));
  await shot('04-queue-finished');

  // The estimate now comes from the measured runs, in the experiment form and the reproduction plan.
  await page.getByTestId('exp-method-hrlf').check();
  await page.getByTestId('exp-method-lf-linear').check();
  await page.getByTestId('exp-dataset-synth-mosi').check();
  await page.getByTestId('exp-estimate').filter({ hasText: 'about' }).waitFor();
  assert.doesNotMatch(await page.getByTestId('exp-estimate').textContent(), /no measurement/);
  await page.getByTestId('reproduce-table').selectOption('3');
  await page.getByTestId('reproduce-synthetic').check();
  await page.getByTestId('reproduce-eta').filter({ hasText: /about \d/ }).waitFor();
  const plan = await page.getByTestId('reproduce-plan').textContent();
  assert.doesNotMatch(plan, /`/, 'no markdown shown literally');
  assert.equal((plan.match(/synth-mosi/g) ?? []).length, 1, `the dataset named once: ${plan}`);

  // 4. Results: the paper's layout, mean ± std, the paper's numbers, significance vs HRLF.
  await page.getByTestId('open-results').click();
  const table = page.getByTestId('results-table-experiment');
  await table.waitFor();
  const tableText = await table.textContent();
  assert.match(tableText, /HRLF/);
  assert.match(tableText, /w\/o HAL/);
  assert.match(tableText, /±/);
  assert.match(tableText, /Avg\./);
  // Synthetic data: the paper's numbers only on request, and never as a difference.
  assert.doesNotMatch(tableText, /paper \d+\.\d\d/);
  await page.getByTestId('results-show-paper').check();
  await table.filter({ hasText: /paper \d+\.\d\d \(real data\)/ }).waitFor();
  assert.doesNotMatch(await table.textContent(), /paper \d+\.\d\d \([+−-]/, 'no difference to the paper on synthetic data');
  await page.getByTestId('results-show-paper').uncheck();
  // Two seeds: the table says what ± is and that no interval is worth reading.
  assert.match(await page.getByTestId('results-legend').textContent(), /mean ± sample std \(ddof 1\) over the row's n finished seeds/);
  assert.match(await page.getByTestId('results-few-seeds').first().textContent(), /2 seeds give no useful interval/);
  assert.match(tableText, /test\) against hrlf/);
  await page.getByTestId('ablation-chart-synth-mosi').locator('canvas').first().waitFor();
  await page.getByTestId('group-by-key').selectOption('method');
  const groups = await page.getByTestId('group-by-table').locator('tbody tr').count();
  assert.equal(groups, 3, 'one group-by row per method');
  const groupMetrics = await page.getByTestId('group-by-metric').locator('option').allTextContents();
  assert.ok(groupMetrics.every((o) => !o.includes('_')), `metric names, not keys: ${groupMetrics}`);
  const groupConditions = await page.getByTestId('group-by-condition').locator('option').allTextContents();
  assert.ok(groupConditions.includes('{l,a,v}') && groupConditions.includes('p = 0.5'), `condition names: ${groupConditions}`);
  await shot('05-results');

  // Charts export as PNG and as real SVG.
  const svg = await download(page, page.getByTestId('ablation-chart-synth-mosi-svg'));
  assert.match(svg.name, /\.svg$/);
  assert.match(svg.text, /^<svg[\s\S]*<\/svg>\s*$/);
  const png = await download(page, page.getByTestId('ablation-chart-synth-mosi-png'));
  assert.match(png.name, /\.png$/);

  // Drill-down: one run's epochs and provenance.
  await page.locator('[data-testid^=drill-run-]').first().click();
  await page.getByTestId('drill-epochs').waitFor();
  assert.match(await page.getByTestId('drill-provenance').textContent(), /mask seed 7/);
  assert.ok((await page.getByTestId('drill-epochs').locator('tbody tr').count()) >= 2, 'teacher and student epochs');
  await page.getByTestId('drill-loss').locator('canvas').first().waitFor();
  await shot('06-drilldown');

  // 5. Export: LaTeX and CSV, shown, saved and copied.
  await page.getByTestId('export-latex').click();
  const latex = await valueMatching(page.getByTestId('export-content'), /\\begin\{table\*\}/);
  assert.match(latex, /\\begin\{table\*\}/);
  assert.match(latex, /\\toprule/);
  assert.match(latex, /HRLF/);
  assert.match(latex, /\$\\pm\$/);
  const latexFile = await download(page, page.getByTestId('export-save'));
  assert.match(latexFile.name, /\.tex$/);
  assert.equal(latexFile.text, latex);
  await page.getByTestId('export-copy').click();
  await page.getByTestId('export-notice').waitFor();
  await page.getByTestId('export-csv').click();
  const csv = await valueMatching(page.getByTestId('export-content'), /^experiment,run,dataset/);
  const lines = csv.trim().split('\n');
  assert.match(lines[0], /^experiment,run,dataset,dataset_kind,dataset_sha256,method,variant,seed,config_hash/);
  assert.ok(lines.some((l) => /,hrlf-wo-hal,/.test(l) && /,1112,/.test(l)), 'rows of every method and seed');
  assert.ok(lines.some((l) => /,7,inter,l,a,v|,7,inter,"l,a,v"/.test(l)), 'mask seed 7 and the complete condition');
  const csvFile = await download(page, page.getByTestId('export-save'));
  assert.match(csvFile.name, /\.csv$/);
  assert.equal(csvFile.text, csv);
  await shot('07-export');

  // 6. Robustness curves.
  await page.getByTestId('nav-curves').click();
  await page.getByTestId('curve-0').locator('canvas').first().waitFor();
  assert.match(await page.getByTestId('curve-0-note').first().textContent(), /2 seeds give no useful interval.*no band drawn/);
  // The tab is in the address: a reload stays on the curves.
  await page.reload();
  await page.getByTestId('view-curves').waitFor();
  await page.getByTestId('curve-0').locator('canvas').first().waitFor();
  assert.equal(await page.getByTestId('source-kind').inputValue(), 'experiment', 'with an experiment, the screens open on it');
  await shot('08-curves');

  // 7. Embeddings: one panel per method, side by side.
  await page.getByTestId('nav-embeddings').click();
  await page.getByTestId('emb-algorithm').selectOption('pca');
  await page.getByTestId('emb-project').click();
  const cells = page.locator('[data-testid^=emb-cell-]');
  assert.equal(await cells.count(), 3, 'one panel per method');
  for (let i = 0; i < 3; i++) await cells.nth(i).locator('canvas').first().waitFor({ timeout: 90_000 });
  await shot('09-embeddings');

  // 8. The runs screen lists the experiment's runs.
  await page.getByTestId('nav-runs').click();
  assert.equal(await page.locator('[data-testid^=run-row-]').count(), 6);
  await shot('10-runs');

  assert.deepEqual(problems, []);
  await context.close();
});

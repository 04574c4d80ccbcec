// Responsiveness while training: opens browser mode in Chromium, queues two HRLF runs from the
// experiment builder, stays on the queue screen (progress bars, live loss charts) and records the
// page's main-thread long tasks (PerformanceObserver 'longtask', > 50 ms) for DURATION seconds.
// Prints count, total and max (and the same as JSON on the last line).
//
//   npm run build && node bench/ui/long-tasks.mjs [--seconds 60] [--epochs 2] [--method hrlf]
//
// Not part of npm test: the numbers depend on the machine and its load.
import { chromium } from 'playwright-core';
import { CHROMIUM, CHROMIUM_ARGS, startBrowserMode } from '../../test/e2e/support.mjs';

const arg = (name, fallback) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : fallback;
};
const SECONDS = Number(arg('seconds', '60'));
const EPOCHS = arg('epochs', '2');
const METHOD = arg('method', 'hrlf');

const server = await startBrowserMode();
const browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
try {
  const page = await browser.newPage({ viewport: { width: 1500, height: 1000 } });
  const errors = [];
  page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(server.url);
  await page.getByTestId('dataset-row-synth-mosi').waitFor();

  // The observer lives in the page; durations are the browser's own measurement.
  await page.evaluate(() => {
    globalThis.__longTasks = [];
    new PerformanceObserver((list) => {
      for (const e of list.getEntries()) globalThis.__longTasks.push({ start: e.startTime, duration: e.duration });
    }).observe({ type: 'longtask', buffered: false });
  });

  await page.getByTestId('nav-experiments').click();
  await page.getByTestId(`exp-method-${METHOD}`).check();
  await page.getByTestId('exp-dataset-synth-mosi').check();
  await page.getByTestId('exp-seeds').fill('1111-1112');
  await page.getByTestId('exp-epochs').fill(EPOCHS);
  const t0 = await page.evaluate(() => performance.now());
  await page.getByTestId('exp-launch').click();
  await page.getByTestId('experiment-runs').waitFor();

  // Sample progress events as they reach the page, to show the UI was being fed while measured.
  let events = 0;
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Network.enable');
  cdp.on('Network.webSocketFrameReceived', (f) => {
    if (f.response.payloadData.includes('"run.progress"')) events++;
  });

  await page.waitForTimeout(SECONDS * 1000);
  const tasks = await page.evaluate((since) => globalThis.__longTasks.filter((t) => t.start >= since), t0);
  const statuses = await page.getByTestId('exp-run-status').allTextContents();
  const total = tasks.reduce((s, t) => s + t.duration, 0);
  const max = tasks.reduce((m, t) => Math.max(m, t.duration), 0);
  const result = {
    seconds: SECONDS,
    method: METHOD,
    epochs: Number(EPOCHS),
    runStatusesAtEnd: statuses,
    progressEventsReceived: events,
    longTasks: { count: tasks.length, totalMs: Math.round(total), maxMs: Math.round(max), busyFraction: Number((total / (SECONDS * 1000)).toFixed(4)) },
    durationsMs: tasks.map((t) => Math.round(t.duration)),
    consoleErrors: errors,
  };
  console.log(`long tasks over ${SECONDS} s while two ${METHOD} runs train: count ${tasks.length}, total ${Math.round(total)} ms, max ${Math.round(max)} ms`);
  console.log(`run statuses at the end: ${statuses.join(', ')}; progress events received: ${events}`);
  console.log(JSON.stringify(result));
} finally {
  await browser.close();
  server.stop();
}

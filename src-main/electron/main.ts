/**
 * The Electron shell: one window, the preload bridge, and IPC wired to the same services the CLI
 * and browser mode use. Runs execute in utility processes; the store lives here.
 */
import { app, BrowserWindow, dialog, ipcMain, shell, utilityProcess, type IpcMainInvokeEvent } from 'electron';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { isEventName } from '../../src-shared/contract';
import { Workbench } from '../services/api';
import { engineEntry, type Launcher } from '../services/launcher';
import { packageRoot } from '../engine/paths';
import type { ChildMessage } from '../engine/protocol';

const REQUEST_CHANNEL = 'hrlf:request';
const EVENT_CHANNEL = 'hrlf:event';

const utilityLauncher: Launcher = () => {
  const child = utilityProcess.fork(engineEntry(), [], { serviceName: 'hrlf-run', stdio: 'inherit' });
  return {
    get pid() {
      return child.pid;
    },
    send: (msg) => child.postMessage(msg),
    onMessage: (listener) => child.on('message', (m: unknown) => listener(m as ChildMessage)),
    onExit: (listener) => child.on('exit', (code: number) => listener(code, null)),
    kill: () => {
      child.kill();
    },
  };
};

/** better-sqlite3 built for Electron's ABI by scripts/start.mjs; the CLI keeps the Node build. */
function electronSqliteBinding(): string | undefined {
  const file = join(packageRoot(), 'node_modules', '.electron-native', 'better_sqlite3.node');
  return existsSync(file) ? file : undefined;
}

function rendererUrl(): string {
  return process.env.ELECTRON_RENDERER_URL ?? pathToFileURL(join(packageRoot(), 'out', 'renderer', 'index.html')).href;
}

function isTrustedSender(event: IpcMainInvokeEvent): boolean {
  const url = event.senderFrame?.url ?? '';
  const expected = rendererUrl();
  return url.split('#')[0]!.split('?')[0] === expected.split('#')[0]!.split('?')[0];
}

function createWindow(workbench: Workbench): BrowserWindow {
  const win = new BrowserWindow({
    width: 1400,
    height: 900,
    title: 'HRLF Workbench',
    webPreferences: {
      preload: join(packageRoot(), 'out', 'preload', 'index.cjs'),
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      webSecurity: true,
    },
  });
  win.webContents.setWindowOpenHandler(({ url }) => {
    if (url.startsWith('https://')) void shell.openExternal(url);
    return { action: 'deny' };
  });
  win.webContents.on('will-navigate', (e, url) => {
    if (url !== rendererUrl()) e.preventDefault();
  });
  const unsubscribe = workbench.bus.subscribe((event, payload) => {
    if (!win.isDestroyed() && isEventName(event)) win.webContents.send(EVENT_CHANNEL, event, payload);
  });
  win.on('closed', unsubscribe);
  void win.loadURL(rendererUrl());
  return win;
}

async function start(): Promise<void> {
  await app.whenReady();
  const binding = electronSqliteBinding();
  let workbench: Workbench;
  try {
    workbench = new Workbench({
      home: process.env.HRLF_HOME ?? app.getPath('userData'),
      mode: 'electron',
      launcher: utilityLauncher,
      ...(binding ? { nativeBinding: binding } : {}),
      ...(process.env.HRLF_QUEUE ? { queue: process.env.HRLF_QUEUE, queueSource: 'env' as const } : {}),
    });
  } catch (err) {
    // An unusable store (e.g. an empty database file in a home with data) stops here, with the
    // reason and the way to recover, before anything in the home is touched.
    dialog.showErrorBox('HRLF Workbench cannot start', err instanceof Error ? err.message : String(err));
    app.quit();
    return;
  }
  // A cluster queue (HRLF_QUEUE or the setting saved in the UI) that cannot be reached is shown in the UI.
  workbench.startQueue().catch((err: unknown) => console.error(`hrlf: ${(err as Error).message}`));
  ipcMain.handle(REQUEST_CHANNEL, async (event, op: unknown, input: unknown) => {
    if (!isTrustedSender(event)) return { ok: false, error: { code: 'forbidden', message: 'request from an untrusted frame' } };
    return workbench.call(typeof op === 'string' ? op : '', input);
  });
  createWindow(workbench);
  app.on('activate', () => {
    if (BrowserWindow.getAllWindows().length === 0) createWindow(workbench);
  });
  app.on('window-all-closed', () => {
    if (process.platform !== 'darwin') app.quit();
  });
  app.on('will-quit', () => workbench.close());
}

void start();

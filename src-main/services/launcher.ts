import { fork } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { packageRoot } from '../engine/paths';
import type { ChildMessage, ParentMessage } from '../engine/protocol';

/** A running engine process, whatever started it (child_process.fork or Electron's utilityProcess). */
export interface EngineProcess {
  readonly pid: number | undefined;
  send(msg: ParentMessage): void;
  onMessage(listener: (msg: ChildMessage) => void): void;
  onExit(listener: (code: number | null, signal: string | null) => void): void;
  kill(): void;
}

export type Launcher = () => EngineProcess;

export function engineEntry(): string {
  const entry = join(packageRoot(), 'out', 'main', 'run-process.js');
  if (!existsSync(entry)) throw new Error(`engine entry ${entry} is missing: run 'npm run build' first`);
  return entry;
}

/** Headless launcher: a plain Node child process with an IPC channel. */
export const forkLauncher: Launcher = () => forkProcess(engineEntry());

/**
 * `onExit` fires on 'close', not 'exit': Node may report a child's exit before it has read the
 * messages the child wrote just before exiting (seen as "exited (code 0) before finishing" when
 * many engines end at once); 'close' comes after the IPC channel has been drained.
 */
export function forkProcess(entry: string): EngineProcess {
  const child = fork(entry, [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'], serialization: 'advanced' });
  // A message to a process that died meanwhile fails quietly: its end arrives through onExit.
  child.on('error', () => undefined);
  return {
    pid: child.pid,
    send: (msg) => {
      if (child.connected) child.send(msg, (err) => void err);
    },
    onMessage: (listener) => child.on('message', (m) => listener(m as ChildMessage)),
    onExit: (listener) => child.on('close', (code, signal) => listener(code, signal)),
    kill: () => {
      child.kill('SIGKILL');
    },
  };
}

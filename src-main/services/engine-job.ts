import type { ChildMessage, ParentMessage } from '../engine/protocol';
import type { Launcher } from './launcher';

/**
 * One request to a fresh engine process (dataset generation, projections): sends `message`, resolves
 * with what `accept` makes of the reply, rejects on a `failed` reply or when the process dies first.
 */
export function engineJob<T>(launch: Launcher, message: ParentMessage, what: string, accept: (msg: ChildMessage) => T | undefined): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const child = launch();
    let settled = false;
    child.onMessage((msg) => {
      if (settled) return;
      if (msg.type === 'failed') {
        settled = true;
        reject(new Error(`${what} failed: ${msg.error}`));
        return;
      }
      const result = accept(msg);
      if (result !== undefined) {
        settled = true;
        resolve(result);
      }
    });
    child.onExit((code, signal) => {
      if (!settled) reject(new Error(`${what}: engine process exited (code ${code}, signal ${signal})`));
    });
    child.send(message);
  });
}

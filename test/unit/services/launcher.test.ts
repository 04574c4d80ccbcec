import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { forkProcess } from '../../../src-main/services/launcher';
import { Limiter } from '../../../src-main/services/limiter';

const REPLY_THEN_EXIT = fileURLToPath(new URL('../../fixtures/process/reply-then-exit.mjs', import.meta.url));

describe('engine processes (issue 9, item 11)', () => {
  it("reports a process's end only after the messages it sent before exiting", async () => {
    // Node may emit a child's 'exit' before it has read the child's last messages; with many
    // children ending at once that happened for about one in five (8 of 40 in a plain Node test).
    const N = 24;
    const delivered = await Promise.all(
      Array.from(
        { length: N },
        () =>
          new Promise<boolean>((resolve) => {
            const p = forkProcess(REPLY_THEN_EXIT);
            let got = false;
            p.onMessage(() => (got = true));
            p.onExit(() => resolve(got));
            p.send({ type: 'cancel' });
          }),
      ),
    );
    expect(delivered.filter((x) => !x).length).toBe(0);
  });

  it('a limiter runs at most its limit at once, in arrival order', async () => {
    const limiter = new Limiter(2);
    let running = 0;
    let peak = 0;
    const order: number[] = [];
    await Promise.all(
      Array.from({ length: 7 }, (_, i) =>
        limiter.run(async () => {
          running++;
          peak = Math.max(peak, running);
          order.push(i);
          await new Promise((r) => setTimeout(r, 5));
          running--;
        }),
      ),
    );
    expect(peak).toBe(2);
    expect(order).toEqual([0, 1, 2, 3, 4, 5, 6]);
    await expect(limiter.run(() => Promise.reject(new Error('task failed')))).rejects.toThrow('task failed');
    expect(limiter.pending).toBe(0);
  });
});

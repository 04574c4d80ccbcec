import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { hrlf, requireBuild, tempHome } from './helpers';

const home = tempHome();

interface RunDoc {
  run: number;
  status: string;
  epochs: number;
  config: Record<string, unknown>;
  inter: Record<string, Record<string, number | null>>;
  teacher: Record<string, number> | null;
}

beforeAll(() => requireBuild());

describe('HRLF through the CLI', () => {
  it('trains teacher and student, evaluates both, and a sibling variant reuses the teacher', async () => {
    const first = await hrlf(['train', '--dataset', 'synth-mosi', '--method', 'hrlf', '--epochs', '1', '--seed', '5', '--json'], home);
    expect(first.code).toBe(0);
    const a = JSON.parse(first.stdout) as RunDoc;
    expect(a.status).toBe('finished');
    expect(a.epochs).toBe(2); // teacher + student
    expect(a.config).toMatchObject({ lambdaHal: 0.1, stopGradFrfTargets: true, frfDistance: 'l2', batchSize: 128, lr: 0.001, heads: 10 });
    expect(typeof a.teacher?.f1_non0).toBe('number');
    expect(Object.keys(a.inter)).toContain('avg');
    expect(readdirSync(join(home, 'teachers')).filter((f) => f.endsWith('.weights'))).toHaveLength(1);

    const second = await hrlf(['train', '--dataset', 'synth-mosi', '--method', 'hrlf-wo-hmi', '--epochs', '1', '--seed', '5', '--json'], home);
    const b = JSON.parse(second.stdout) as RunDoc;
    expect(b.status).toBe('finished');
    expect(b.epochs).toBe(1); // the student only: the teacher came from the cache
    expect(b.teacher).toEqual(a.teacher);
    expect(b.config.lambdaHmi).toBe(0);
    expect(readdirSync(join(home, 'teachers')).filter((f) => f.endsWith('.weights'))).toHaveLength(1);
  }, 300_000); // two HRLF phases and an evaluation: ~90 s alone on 2 cores, more beside other test files

  it('refuses an out-of-range knob and an ablation that contradicts its name, naming the knob', async () => {
    const bad = await hrlf(['train', '--dataset', 'synth-mosi', '--method', 'hrlf', '--set', 'dropout=1.5'], home);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/config dropout/);
    const contradicting = await hrlf(['train', '--dataset', 'synth-mosi', '--method', 'hrlf-wo-hal', '--set', 'lambdaHal=0.5'], home);
    expect(contradicting.code).toBe(2);
    expect(contradicting.stderr).toMatch(/lambdaHal/);
  });
});

/**
 * The ablation chart's groups: per block of a result table, each method that has finished runs
 * beside at least one of its ablations (methods whose card names it in `ablationOf`).
 */
import type { TableBlock, TableRow } from '../../src-shared/results/types';

export interface AblationGroup {
  /** Unique per chart: the block's title, plus the base method where a block holds several groups. */
  key: string;
  title: string;
  rows: TableRow[];
}

export function ablationGroups(blocks: readonly TableBlock[], ablationOf: (method: string) => string | null): AblationGroup[] {
  return blocks.flatMap((block) => {
    const ran = block.rows.filter((r): r is TableRow & { method: string } => r.method !== null && r.n > 0);
    const bases = ran.filter((r) => ran.some((a) => ablationOf(a.method) === r.method));
    return bases.map((base) => ({
      key: bases.length === 1 ? block.title : `${block.title}-${base.method}`,
      title: bases.length === 1 ? block.title : `${block.title}: ${base.label}`,
      rows: [base, ...ran.filter((a) => ablationOf(a.method) === base.method)],
    }));
  });
}

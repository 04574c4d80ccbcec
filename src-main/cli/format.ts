/** Plain-text tables for the terminal. */
export function table(headers: string[], rows: (string | number)[][]): string {
  const cells = [headers, ...rows.map((r) => r.map(String))];
  const widths = headers.map((_, c) => Math.max(...cells.map((r) => (r[c] ?? '').length)));
  const line = (r: string[]): string => r.map((x, c) => x.padEnd(widths[c]!)).join('  ').trimEnd();
  return [line(cells[0]!), line(widths.map((w) => '-'.repeat(w))), ...cells.slice(1).map(line)].join('\n');
}

/** A metric with `digits` decimals; '-' where it is undefined (e.g. Corr of constant predictions, stored as null). */
export function fixed(x: number | null | undefined, digits = 4): string {
  return x === undefined || x === null || !Number.isFinite(x) ? '-' : x.toFixed(digits);
}

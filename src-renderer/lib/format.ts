/** Display helpers. Undefined statistics arrive as null over JSON (NaN has no JSON form). */
export function isNum(x: unknown): x is number {
  return typeof x === 'number' && Number.isFinite(x);
}

export function fixed(x: unknown, digits: number): string {
  return isNum(x) ? x.toFixed(digits) : '–';
}

export function duration(seconds: number | null | undefined): string {
  if (!isNum(seconds)) return '–';
  const s = Math.max(0, Math.round(seconds));
  if (s < 60) return `${s} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m} min ${s % 60} s`;
  return `${Math.floor(m / 60)} h ${m % 60} min`;
}

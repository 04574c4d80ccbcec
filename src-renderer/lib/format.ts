/** Display helpers. Undefined statistics arrive as null over JSON (NaN has no JSON form). */
export function isNum(x: unknown): x is number {
  return typeof x === 'number' && Number.isFinite(x);
}

export function fixed(x: unknown, digits: number): string {
  return isNum(x) ? x.toFixed(digits) : '–';
}

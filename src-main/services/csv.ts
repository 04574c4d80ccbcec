/**
 * CSV for spreadsheets: csv-stringify with formula injection neutralised. A text cell that a
 * spreadsheet would read as a formula (it starts with =, +, -, @, tab or carriage return; e.g. a
 * variant named `=HYPERLINK(…)`) gets a leading single quote, which spreadsheets show as text and
 * do not evaluate (the OWASP "CSV injection" advice). Numbers are never touched: numeric cells are
 * written as they are, and so are text cells that are plain numbers or our "mean ± std" cells
 * (`-0.12`, `1e-5`, `-3.20* ± 0.41`), which no spreadsheet can run.
 */
import { stringify } from 'csv-stringify/sync';

const TRIGGER = /^[=+\-@\t\r]/;
const INERT = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?\*?( ± \d+(\.\d+)?)?$/;

export function neutraliseCell(text: string): string {
  return TRIGGER.test(text) && !INERT.test(text) ? `'${text}` : text;
}

export function spreadsheetCsv(rows: readonly (readonly unknown[])[]): string {
  return stringify(rows as unknown[][], { cast: { string: neutraliseCell } });
}

/**
 * LaTeX export of a table in the paper's layout: booktabs rules, mean ± std per cell, the best
 * mean per column in bold, `*` for significance, caption and label, every text escaped so that
 * dataset names such as `mosi_data` or experiment names with `%` or `&` compile with pdflatex.
 */
import { displayDigits } from './metrics';
import { conditionName } from './names';
import type { ResultTable, TableCell, TableRow } from './types';

const SPECIAL: Record<string, string> = {
  '\\': '\\textbackslash{}',
  '&': '\\&',
  '%': '\\%',
  $: '\\$',
  '#': '\\#',
  _: '\\_',
  '{': '\\{',
  '}': '\\}',
  '~': '\\textasciitilde{}',
  '^': '\\textasciicircum{}',
  '<': '\\textless{}',
  '>': '\\textgreater{}',
  '|': '\\textbar{}',
  // Characters pdflatex's default utf8 setup does not know: spelled in LaTeX instead.
  '±': '$\\pm$',
  '×': '$\\times$',
  '…': '\\ldots{}',
  '–': '--',
  '—': '---',
  '‘': '`',
  '’': "'",
  '“': '``',
  '”': "''",
  'Δ': '$\\Delta$',
  'μ': '$\\mu$',
  '≤': '$\\leq$',
  '≥': '$\\geq$',
  '→': '$\\rightarrow$',
  '·': '$\\cdot$',
};

/**
 * Text → LaTeX: the ten special characters escaped, a few typographic ones spelled out, Latin-1
 * letters kept (pdflatex reads UTF-8 and knows them), anything else replaced by '?', since an
 * unknown Unicode character stops pdflatex.
 */
export function latexEscape(text: string): string {
  let out = '';
  for (const ch of text) {
    const mapped = SPECIAL[ch];
    if (mapped !== undefined) out += mapped;
    else if (ch === '\n' || ch === '\r' || ch === '\t') out += ' ';
    else {
      const code = ch.codePointAt(0)!;
      out += code < 0x20 ? '' : code < 0x7f || (code >= 0xa0 && code <= 0xff) ? ch : '?';
    }
  }
  return out;
}

/** A label key: letters, digits, ':', '-' only. */
export function latexLabel(text: string): string {
  return text.toLowerCase().replace(/[^a-z0-9:-]+/g, '-').replace(/^-+|-+$/g, '') || 'table';
}


export interface LatexOptions {
  /** Add the paper's rows that were not run, with their published numbers, marked with a dagger. */
  paperRows?: boolean;
  /** Comment lines written above the table (provenance). */
  comments?: string[];
  label?: string;
  /** A table* spanning both columns of a two-column paper (the layout is wide). */
  wide?: boolean;
}

function valueCell(cell: TableCell, digits: number): string {
  if (!cell.ours || !Number.isFinite(cell.ours.mean)) return '--';
  const mark = cell.mark ? '$^{*}$' : '';
  const std = Number.isFinite(cell.ours.std) ? ` $\\pm$ ${cell.ours.std.toFixed(digits)}` : '';
  const body = `${cell.ours.mean.toFixed(digits)}${mark}${std}`;
  return cell.best ? `\\textbf{${body}}` : body;
}

function paperCell(cell: TableCell, digits: number): string {
  return cell.paper === null ? '--' : cell.paper.toFixed(digits);
}

function rowLine(row: TableRow, cells: string[], dagger: boolean): string {
  return `${latexEscape(row.label)}${dagger ? '$^{\\dagger}$' : ''} & ${cells.join(' & ')} \\\\`;
}

/** The table environment; needs \usepackage{booktabs} and \usepackage{graphicx}. */
export function renderLatex(table: ResultTable, options: LatexOptions = {}): string {
  const ncol = table.columns.length + 1;
  const lines: string[] = [];
  for (const c of options.comments ?? []) lines.push(`% ${c.replace(/[\r\n]+/g, ' ')}`);
  lines.push('% requires: \\usepackage{booktabs} \\usepackage{graphicx}');
  const env = options.wide === false ? 'table' : 'table*';
  lines.push(`\\begin{${env}}[t]`, '\\centering');
  lines.push(`\\caption{${captionOf(table, options)}}`);
  lines.push(`\\label{${latexLabel(options.label ?? `tab:${table.id}`)}}`);
  lines.push('\\resizebox{\\textwidth}{!}{%');
  lines.push(`\\begin{tabular}{l${'c'.repeat(table.columns.length)}}`);
  lines.push('\\toprule');
  lines.push(`Method & ${table.columns.map((c) => latexEscape(conditionName(c))).join(' & ')} \\\\`);
  lines.push('\\midrule');
  table.blocks.forEach((block, i) => {
    const digits = displayDigits(block.metric);
    if (i > 0) lines.push('\\midrule');
    if (table.blocks.length > 1 || block.synthetic) {
      const what = block.synthetic && block.dataset ? `${block.title} (synthetic: ${block.dataset})` : block.title;
      lines.push(`\\multicolumn{${ncol}}{l}{\\textit{${latexEscape(what)}}} \\\\`);
    }
    for (const row of block.rows) {
      if (row.method === null) {
        if (options.paperRows) lines.push(rowLine(row, row.cells.map((c) => paperCell(c, digits)), true));
        continue;
      }
      lines.push(rowLine(row, row.cells.map((c) => valueCell(c, digits)), false));
    }
  });
  lines.push('\\bottomrule', '\\end{tabular}}', `\\end{${env}}`, '');
  return lines.join('\n');
}

function captionOf(table: ResultTable, options: LatexOptions): string {
  const seeds = new Set(table.blocks.flatMap((b) => b.rows.filter((r) => r.method !== null).map((r) => r.n)));
  const n = seeds.size === 1 ? `${[...seeds][0]} seeds` : 'seeds';
  const parts = [latexEscape(table.caption.replace(/\s*;\s*\*\s*in the paper.*$/i, '').trim().replace(/\.?$/, '.'))];
  parts.push(`${latexEscape(table.metricLabel)}; mean $\\pm$ std over ${n}; best mean per column in bold.`);
  if (table.reference) {
    const test = table.test === 'welch' ? "Welch's t-test" : 'paired t-test by seed';
    parts.push(`$^{*}$: $p < 0.05$, two-sided ${test} against ${latexEscape(table.reference)} on the per-seed values${table.marks === 'avg' ? ' of Avg.' : ''}.`);
  }
  if (options.paperRows && table.blocks.some((b) => b.rows.some((r) => r.method === null))) parts.push('$^{\\dagger}$: numbers reported in the paper, not reproduced.');
  return parts.join(' ');
}

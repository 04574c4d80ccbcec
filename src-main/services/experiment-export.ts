/**
 * Exports of an experiment: CSV long (one row per run × condition × p × metric, fractions as
 * stored, with seed, config hash and provenance), CSV wide (the paper's layout, mean ± std), LaTeX
 * (booktabs) and JSON (everything). An experiment without finished runs exports nothing.
 */
import { ContractFailure, type ParsedInput } from '../../src-shared/contract';
import { renderLatex } from '../../src-shared/results/latex';
import { LONG_HEADER, longRows, wideHeader, wideRows } from '../../src-shared/results/tabular';
import { reportedConditions } from '../../src-shared/results/scenario';
import type { ExportDocument, ExperimentResults, RunResult } from '../../src-shared/results/types';
import type { ExperimentService } from './experiments';
import { codeVersion } from './provenance';
import { spreadsheetCsv } from './csv';

type ExportInput = ParsedInput<'experiments.export'>;
type SelectionExportInput = ParsedInput<'runs.export'>;

const EXTENSIONS = { csv: 'csv', 'csv-wide': 'csv', latex: 'tex', json: 'json' } as const;
const MIME = { csv: 'text/csv', 'csv-wide': 'text/csv', latex: 'application/x-tex', json: 'application/json' } as const;

/** Provenance lines for the LaTeX header: who made which numbers from what. */
function provenanceLines(results: ExperimentResults, runs: RunResult[]): string[] {
  const finished = runs.filter((r) => r.status === 'finished');
  const e = results.experiment;
  const lines = [
    `HRLF Workbench export of ${results.selection ? 'a selection of runs' : `experiment ${e.id}`} (${e.name}), ${new Date().toISOString()}, exporter ${codeVersion()}`,
    `scenario ${results.grid.scenario.name}: mask seed ${results.grid.scenario.spec.evaluation.maskSeed}; runs ${finished.map((r) => r.run).join(' ')}`,
    `code versions: ${[...new Set(finished.map((r) => r.codeVersion))].join(' ')}; backends: ${[...new Set(finished.map((r) => r.backend ?? '?'))].join(' ')}; hosts: ${[...new Set(finished.map((r) => r.host))].join(' ')}`,
  ];
  for (const g of results.groups) {
    const sha = [...new Set(finished.filter((r) => r.dataset === g.dataset).map((r) => r.datasetSha256 ?? '?'))].join(' ');
    lines.push(`${g.method}${g.variant ? ` [${g.variant}]` : ''} on ${g.dataset} (sha256 ${sha}): config ${g.configHash}, seeds ${g.seeds.join(' ') || 'none finished'}`);
  }
  return lines;
}

export function exportExperiment(service: ExperimentService, input: ExportInput): ExportDocument {
  const { results, runs } = service.load(input);
  return renderExport(results, runs, input, { file: `experiment-${input.id}`, nothing: `experiment ${input.id} has no finished runs`, label: `experiment-${input.id}`, field: 'id' });
}

/** A selection of runs (runs.export), exported as an experiment would be. */
export function exportSelection(service: ExperimentService, input: SelectionExportInput): ExportDocument {
  const { results, runs } = service.loadSelection(input);
  const ids = input.runs.length <= 6 ? input.runs.join('-') : `${input.runs.slice(0, 5).join('-')}-and-${input.runs.length - 5}-more`;
  return renderExport(results, runs, input, { file: `runs-${ids}`, nothing: `none of runs ${input.runs.join(', ')} has finished`, label: `runs-${ids}`, field: 'runs' });
}

interface Naming {
  file: string;
  /** Why nothing can be exported, e.g. "experiment 3 has no finished runs". */
  nothing: string;
  label: string;
  /** The input field an error names. */
  field: string;
}

function renderExport(results: ExperimentResults, runs: RunResult[], input: ExportInput | SelectionExportInput, naming: Naming): ExportDocument {
  const c = results.experiment.counts;
  if (c.finished === 0) {
    throw new ContractFailure({
      code: 'conflict',
      message: `${naming.nothing} (${c.queued} queued, ${c.running} running, ${c.failed} failed, ${c.cancelled} cancelled): nothing to export`,
      field: naming.field,
    });
  }
  const table = results.tables[0]!;
  let content: string;
  switch (input.format) {
    case 'csv':
      content = spreadsheetCsv([[...LONG_HEADER], ...longRows(results.experiment.id || '', runs, reportedConditions(results.grid.scenario.spec))]);
      break;
    case 'csv-wide':
      content = spreadsheetCsv([wideHeader(table), ...wideRows(table, results.groups, runs, { paper: input.paperRows })]);
      break;
    case 'latex':
      content = renderLatex(table, {
        paperRows: input.paperRows,
        comments: provenanceLines(results, runs),
        label: `tab:hrlf-${table.id === 'experiment' ? naming.label : table.id}`,
      });
      break;
    case 'json':
      content = JSON.stringify({ exportedAt: new Date().toISOString(), exporter: codeVersion(), ...results, runs }, null, 2) + '\n';
      break;
  }
  return {
    format: input.format,
    filename: `${naming.file}${input.format === 'csv-wide' ? '-wide' : ''}.${EXTENSIONS[input.format]}`,
    mimeType: MIME[input.format],
    content,
  };
}

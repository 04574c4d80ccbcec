/** `hrlf methods [show ID]`: the registered methods, from their cards, and one method's knobs. */
import { FAMILY_LABELS, knobRange, TRAINING_CONDITION_LABELS, type MethodSummary } from '../../src-shared/methods';
import { openWorkbench, UsageError } from './context';
import { table } from './format';

async function methods(home: string | undefined): Promise<MethodSummary[]> {
  const wb = openWorkbench(home);
  try {
    const res = await wb.call('methods.list', {});
    if (!res.ok) throw new UsageError(res.error.message);
    return res.output as MethodSummary[];
  } finally {
    wb.close();
  }
}

const phasesText = (m: MethodSummary): string => {
  const first = m.kinds[0];
  return first ? `${first.phases.map((p) => `${p.name} ${p.epochs}`).join(', ')} (${first.kind.toUpperCase()})` : '-';
};

export async function methodsCommand(global: { home?: string }, opts: { json?: boolean }): Promise<void> {
  const list = await methods(global.home);
  if (opts.json) {
    process.stdout.write(JSON.stringify(list, null, 2) + '\n');
    return;
  }
  process.stdout.write(
    table(
      ['id', 'family', 'trains on', 'phases, epochs', 'datasets', 'title'],
      list.map((m) => [
        m.id,
        m.family,
        TRAINING_CONDITION_LABELS[m.kinds[0]?.training ?? 'complete'],
        phasesText(m),
        m.kinds.map((k) => k.kind).join(', '),
        m.ablationOf ? `${m.title} (ablation of ${m.ablationOf})` : m.title,
      ]),
    ) + '\n(`hrlf methods show ID` lists a method\'s knobs)\n',
  );
}

export async function methodShowCommand(global: { home?: string }, id: string, opts: { json?: boolean }): Promise<void> {
  const list = await methods(global.home);
  const m = list.find((x) => x.id === id);
  if (!m) throw new UsageError(`unknown method '${id}'; available: ${list.map((x) => x.id).join(', ')}`);
  if (opts.json) {
    process.stdout.write(JSON.stringify(m, null, 2) + '\n');
    return;
  }
  const lines = [
    `${m.id}: ${m.title}`,
    m.description,
    `family: ${FAMILY_LABELS[m.family]}`,
    `representation (embedding view): ${m.representation}`,
    ...(m.ablationOf ? [`ablation of: ${m.ablationOf}`] : []),
    ...(m.teacher ? [`teacher: the ${m.teacher.phase} phase is cached and reused by ${m.teacher.sharedWith.join(', ')} (same seed, data, backend and teacher knobs)`] : []),
    `presets: ${m.presets.join(', ') || 'none'}`,
    ...m.kinds.map((k) => `${k.kind.toUpperCase()}: trains on ${TRAINING_CONDITION_LABELS[k.training]}; ${k.phases.map((p) => `${p.name} ${p.epochs} epochs`).join(', ')}`),
    '',
  ];
  const kinds = m.kinds.map((k) => k.kind);
  const rows = m.knobs.map((k) => [
    k.key,
    k.type,
    ...kinds.map((kind) => JSON.stringify(m.kinds.find((x) => x.kind === kind)!.config[k.key] ?? null)),
    knobRange(k),
    k.description,
  ]);
  process.stdout.write(lines.join('\n') + '\n' + table(['knob', 'type', ...kinds.map((k) => `default ${k.toUpperCase()}`), 'allowed', 'meaning'], rows) + '\n');
}

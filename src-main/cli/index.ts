/**
 * The `hrlf` command: the workbench's services without a UI, for GPU servers and scripts.
 * Exit codes: 0 success, 1 the operation failed (e.g. a run failed), 2 bad usage or bad input.
 */
import { Command, CommanderError, Option } from 'commander';
import { DATASET_KINDS } from '../../src-shared/domain';
import { BACKENDS } from '../../src-shared/models';
import { StoreError } from '../store/database';
import { UsageError } from './context';
import { datasetsCommand, datasetShowCommand } from './datasets';
import { importCommand } from './import';
import { exportCommand } from './export';
import { queueCommand } from './queue';
import { runsCommand } from './runs';
import { serveCommand } from './serve';
import { trainCommand } from './train';

function program(): Command {
  const p = new Command('hrlf')
    .description('HRLF Workbench: multimodal sentiment analysis under missing modalities')
    .option('--home <dir>', 'data home (default: $HRLF_HOME or ~/.hrlf-workbench)')
    .showHelpAfterError()
    .exitOverride();
  const datasets = p
    .command('datasets')
    .description('list the built-in and imported datasets (`datasets show ID`: one dataset in detail)')
    .option('--json', 'print one JSON document')
    .action((opts: { json?: boolean }) => datasetsCommand(p.opts(), opts));
  datasets
    .command('show')
    .description("one dataset: provenance, feature dims beside the paper's, and the import's validation report")
    .argument('<id>', 'dataset id (see `hrlf datasets`)')
    .option('--json', 'print one JSON document')
    // --json may stand before or after `show`; commander gives it to whichever command it follows.
    .action((id: string, _opts: unknown, cmd: Command) => datasetShowCommand(p.opts(), id, cmd.optsWithGlobals<{ json?: boolean }>()));
  p.command('import')
    .description('import a dataset file (MulT or MMSA pickle) as a dataset: validated, converted, stored in the data home')
    .argument('<file>', 'e.g. mosi_data.pkl, mosei_senti_data.pkl, iemocap_data.pkl, aligned_50.pkl')
    .option('--name <name>', 'dataset name (default: from the file name); the id is derived from it')
    .addOption(new Option('--format <format>', 'skip layout detection').choices(['mult', 'mmsa', 'csd']))
    .addOption(new Option('--kind <kind>', 'dataset kind, for files whose kind cannot be detected').choices([...DATASET_KINDS]))
    .option('--json', 'print one JSON document')
    .action((file: string, opts: { name?: string; format?: string; kind?: string; json?: boolean }) => importCommand(p.opts(), file, opts));
  p.command('train')
    .description('train one method on one dataset, evaluate it under the missing-modality protocol, store the run')
    .requiredOption('--dataset <id>', 'dataset id (see `hrlf datasets`)')
    .requiredOption('--method <id>', 'method id, e.g. lf-linear')
    .option('--seed <n>', 'random seed', '1111')
    .option('--epochs <n>', 'epochs per phase (default: the spec value for the dataset)')
    .addOption(new Option('--backend <name>', 'force a tfjs backend').choices([...BACKENDS]))
    .option('--preset <name>', 'a named config preset, e.g. paper-literal')
    .option('--set <key=value...>', 'override config knobs, e.g. --set lr=0.002 lambdaHal=0.1')
    .option('--json', 'print one JSON document with every metric')
    .action((opts: Record<string, unknown>) => trainCommand(p.opts(), opts));
  p.command('runs')
    .description('list stored runs')
    .option('--json', 'print one JSON document')
    .action((opts: { json?: boolean }) => runsCommand(p.opts(), opts));
  p.command('queue')
    .description('show the queued and running runs; with --run, work the queue off until it is empty (resuming interrupted runs)')
    .option('--run', 'run queued runs until none is left')
    .option('--concurrency <n>', 'runs at a time with --run', '2')
    .option('--json', 'print one JSON document')
    .action((opts: { run?: boolean; json?: boolean; concurrency?: string }) => queueCommand(p.opts(), opts));
  p.command('export')
    .description('export stored results of a run')
    .requiredOption('--run <id>', 'run id (see `hrlf runs`)')
    .option('--predictions', 'per-sample predictions as CSV: run, condition, p, index, label, prediction')
    .option('--out <file>', 'write to a file instead of stdout')
    .action((opts: { run?: string; predictions?: boolean; out?: string }) => exportCommand(p.opts(), opts));
  p.command('serve')
    .description('serve the workbench UI to a local browser (127.0.0.1, with an access token)')
    .option('--port <n>', 'port (default: any free port)')
    .action((opts: { port?: string }) => serveCommand(p.opts(), opts));
  return p;
}

export async function main(argv: string[]): Promise<number> {
  try {
    await program().parseAsync(argv, { from: 'user' });
    return process.exitCode === undefined ? 0 : Number(process.exitCode);
  } catch (err) {
    if (err instanceof CommanderError) {
      if (err.code === 'commander.helpDisplayed' || err.code === 'commander.version' || err.exitCode === 0) return 0;
      return 2;
    }
    if (err instanceof UsageError) {
      process.stderr.write(`hrlf: ${err.message}\n`);
      return 2;
    }
    if (err instanceof StoreError) {
      process.stderr.write(`hrlf: ${err.message}\n`);
      return 1;
    }
    process.stderr.write(`hrlf: ${err instanceof Error ? err.message : String(err)}\n`);
    return 1;
  }
}

// The bundle is the CLI's entry: run when executed, not when imported by tests.
if (process.argv[1] && /cli\.(js|mjs)$/.test(process.argv[1])) {
  void main(process.argv.slice(2)).then((code) => process.exit(code));
}

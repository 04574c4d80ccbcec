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
import { methodsCommand, methodShowCommand } from './methods';
import { exportCommand, type ExportFlags } from './export';
import {
  experimentCreateCommand,
  experimentListCommand,
  experimentShowCommand,
  scenarioListCommand,
  scenarioSaveCommand,
  scenarioShowCommand,
  type CreateFlags,
  type ScenarioFlags,
  type ShowFlags,
} from './experiment';
import { reproduceCommand, type ReproduceFlags } from './reproduce';
import { queueCommand } from './queue';
import { runsCommand, runsCompareCommand } from './runs';
import { serveCommand } from './serve';
import { trainCommand } from './train';
import { workerCommand } from './worker';

/** The flags of a results view (`experiment show`, `runs compare`): the contract's result options. */
function withResultFlags(cmd: Command, reference: string): Command {
  return cmd
    .option('--reference <method>', reference)
    .addOption(new Option('--test <test>', 'significance test for *').choices(['welch', 'paired']))
    .addOption(new Option('--table <n>', "lay out as the paper's Table n").choices(['1', '2', '3']))
    .option('--metric <name>', 'metric of the table (default f1_non0)')
    .addOption(new Option('--marks <cols>', 'columns that carry *').choices(['avg', 'all']))
    .option('--paper', "show the paper's numbers beside results on synthetic data too (never as a difference)")
    .option('--json', 'print one JSON document');
}

function program(): Command {
  const p = new Command('hrlf')
    .description('HRLF Workbench: multimodal sentiment analysis under missing modalities')
    .option('--home <dir>', 'data home (default: $HRLF_HOME or ~/.hrlf-workbench)')
    .option('--queue <url>', "a cluster's queue: redis://[:password@]host[:port][/db] or rediss:// (default: $HRLF_QUEUE, else the app's setting; 'local': this machine)")
    .option('--datasets-listen <host:port>', 'where this workbench serves datasets to cluster workers (default 127.0.0.1:any; $HRLF_DATASETS_LISTEN)')
    .option('--datasets-url <url>', 'the dataset endpoint URL workers dial, when the listen address is not it ($HRLF_DATASETS_URL)')
    .option('--datasets-token <token>', 'token of the dataset endpoint (default: made once per data home; $HRLF_DATASETS_TOKEN)')
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
    .description('import a dataset (MulT or MMSA pickle, or a folder of CMU-SDK .csd sequences): validated, converted, stored in the data home')
    .argument('<file>', 'e.g. mosi_data.pkl, mosei_senti_data.pkl, iemocap_data.pkl, aligned_50.pkl, or a folder of .csd files')
    .option('--name <name>', 'dataset name (default: from the file name); the id is derived from it')
    .addOption(new Option('--format <format>', 'skip layout detection').choices(['mult', 'mmsa', 'csd']))
    .addOption(new Option('--kind <kind>', 'dataset kind, for files whose kind cannot be detected').choices([...DATASET_KINDS]))
    .option('--json', 'print one JSON document')
    .action((file: string, opts: { name?: string; format?: string; kind?: string; json?: boolean }) => importCommand(p.opts(), file, opts));
  const methods = p
    .command('methods')
    .description('the methods the engine trains, with family, training condition and phases (`methods show ID`: its knobs)')
    .option('--json', 'print one JSON document')
    .action((opts: { json?: boolean }) => methodsCommand(p.opts(), opts));
  methods
    .command('show')
    .description('one method: its card and every config knob with defaults per dataset, allowed values and meaning')
    .argument('<id>', 'method id (see `hrlf methods`)')
    .option('--json', 'print one JSON document')
    .action((id: string, _opts: unknown, cmd: Command) => methodShowCommand(p.opts(), id, cmd.optsWithGlobals<{ json?: boolean }>()));
  p.command('train')
    .description('train one method on one dataset, evaluate it under the missing-modality protocol, store the run')
    .requiredOption('--dataset <id>', 'dataset id (see `hrlf datasets`)')
    .requiredOption('--method <id>', 'method id, e.g. lf-linear (see `hrlf methods`)')
    .option('--seed <n>', 'random seed', '1111')
    .option('--epochs <n>', 'epochs per phase (default: the spec value for the dataset)')
    .addOption(new Option('--backend <name>', 'force a tfjs backend').choices([...BACKENDS]))
    .option('--preset <name>', 'a named config preset of the method, e.g. paper-literal')
    .option('--set <key=value...>', 'override config knobs, e.g. --set lr=0.002 lambdaHal=0.1 (`hrlf methods show ID` lists them)')
    .option('--json', 'print one JSON document with every metric')
    .action((opts: Record<string, unknown>) => trainCommand(p.opts(), opts));
  const runs = p
    .command('runs')
    .description('list stored runs (`runs compare IDS`: compare any finished runs as an experiment would)')
    .option('--json', 'print one JSON document')
    .action((opts: { json?: boolean }) => runsCommand(p.opts(), opts));
  const compare = runs
    .command('compare')
    .description("any runs (single runs, runs of several experiments) in the paper's layout: the same config aggregated over its seeds, other configs as variants")
    .argument('<ids>', 'comma-separated run ids or ranges, e.g. 3,5,7-9 (see `hrlf runs`)');
  withResultFlags(compare, "significance reference ('none': no marks)").action((ids: string, _opts: unknown, cmd: Command) => runsCompareCommand(p.opts(), ids, cmd.optsWithGlobals<ShowFlags>()));
  p.command('queue')
    .description('show the queued and running runs; with --run, work the queue off until it is empty (resuming interrupted runs)')
    .option('--run', 'run queued runs until none is left')
    .option('--concurrency <n>', 'runs at a time with --run (default: one per core, as memory allows)')
    .option('--json', 'print one JSON document')
    .action((opts: { run?: boolean; json?: boolean; concurrency?: string }) => queueCommand(p.opts(), opts));
  p.command('export')
    .description("export an experiment's results (--experiment ID --format F), a selection of runs' (--runs IDS --format F) or a run's predictions (--run ID --predictions)")
    .option('--run <id>', 'run id (see `hrlf runs`)')
    .option('--runs <ids>', 'comma-separated run ids or ranges: export them as one experiment would be exported')
    .option('--predictions', 'per-sample predictions as CSV: run, condition, p, index, label, prediction')
    .option('--experiment <id>', 'experiment id (see `hrlf experiment list`)')
    .addOption(new Option('--format <format>', 'csv: long, one row per run × condition × p × metric; csv-wide: paper layout; latex; json').choices(['csv', 'csv-wide', 'latex', 'json']))
    .option('--reference <method>', "significance reference (default: the experiment's; 'none': no marks)")
    .addOption(new Option('--test <test>', 'significance test for *').choices(['welch', 'paired']))
    .addOption(new Option('--table <n>', "lay out as the paper's Table n").choices(['1', '2', '3']))
    .option('--metric <name>', 'metric of the table (default f1_non0, the paper\'s F1)')
    .addOption(new Option('--marks <cols>', 'columns that carry *: avg (as the paper) or all').choices(['avg', 'all']))
    .option('--paper-rows', "the paper's numbers where hidden by default: LaTeX lists its rows that were not run; csv-wide adds its rows beside synthetic results")
    .option('--out <file>', 'write to a file instead of stdout')
    .action((opts: ExportFlags) => exportCommand(p.opts(), opts));
  const experiment = p.command('experiment').description('seed-averaged grids of methods × datasets × seeds × config variants under a scenario');
  experiment
    .command('create')
    .description('validate and queue every run of the grid (nothing is queued if anything is invalid)')
    .requiredOption('--methods <ids>', 'comma-separated method ids, e.g. lf-linear,hrlf')
    .requiredOption('--datasets <ids>', 'comma-separated dataset ids')
    .option('--seeds <list>', 'seeds, e.g. 1111,1112 or 1111-1115 (default 1111-1115)')
    .option('--epochs <n>', 'epochs per phase (default: the spec value per dataset)')
    .addOption(new Option('--backend <name>', 'force a tfjs backend').choices([...BACKENDS]))
    .option('--preset <name>', 'a named config preset')
    .option('--set <key=value...>', 'config overrides for every run')
    .option('--vary <key=v1,v2...>', 'a config variant per value (several --vary: their product)')
    .option('--scenario <name>', 'scenario name or id (default: paper)')
    .option('--reference <method>', 'method to compare against (significance)')
    .option('--name <name>', 'experiment name')
    .option('--wait', 'run the experiment in this process and print its results')
    .option('--concurrency <n>', 'runs at a time with --wait (default: one per core, as memory allows)')
    .option('--json', 'print one JSON document')
    .action((opts: CreateFlags) => experimentCreateCommand(p.opts(), opts));
  experiment
    .command('list')
    .description('experiments with their run counts')
    .option('--json', 'print one JSON document')
    .action((_opts: unknown, cmd: Command) => experimentListCommand(p.opts(), cmd.optsWithGlobals<{ json?: boolean }>()));
  const show = experiment
    .command('show')
    .description("results in the paper's layout (mean ± std, significance, the paper's numbers) and the robustness curves")
    .argument('<id>', 'experiment id');
  withResultFlags(show, "significance reference (default: the experiment's; 'none': no marks)").action((id: string, _opts: unknown, cmd: Command) => experimentShowCommand(p.opts(), id, cmd.optsWithGlobals<ShowFlags>()));
  const scenario = p.command('scenario').description('missingness scenarios: MSM training settings and the evaluation protocol');
  scenario
    .command('list')
    .description('the built-in paper scenario and saved ones')
    .option('--json', 'print one JSON document')
    .action((_opts: unknown, cmd: Command) => scenarioListCommand(p.opts(), cmd.optsWithGlobals<{ json?: boolean }>()));
  scenario
    .command('show')
    .argument('<name>', 'scenario name or id')
    .option('--json', 'print one JSON document')
    .action((name: string, _opts: unknown, cmd: Command) => scenarioShowCommand(p.opts(), name, cmd.optsWithGlobals<{ json?: boolean }>()));
  scenario
    .command('save')
    .description('save a scenario (unset parts are the paper protocol)')
    .argument('<name>', 'scenario name')
    .option('--inter <sets>', "evaluated inter-modality conditions, ';'-separated, e.g. 'l,v;l,a,v'")
    .option('--intra <ratios>', 'evaluated intra ratios, e.g. 0,0.1,0.2,0.3,0.4,0.5')
    .option('--mask-seed <n>', 'evaluation mask seed')
    .option('--msm-subsets <sets>', "training: available-modality sets MSM draws from, e.g. 'l,v;l,a,v'")
    .option('--msm-max-drop <p>', 'training: frame drop ratio p ~ U[0, p)')
    .option('--description <text>', 'what the scenario is for')
    .option('--replace', 'overwrite a saved scenario of that name')
    .option('--json', 'print one JSON document')
    .action((name: string, _opts: unknown, cmd: Command) => scenarioSaveCommand(p.opts(), name, cmd.optsWithGlobals<ScenarioFlags>()));
  p.command('reproduce')
    .description("create the experiment of the paper's Table 1, 2 or 3 and show it beside the paper's numbers")
    .addOption(new Option('--table <n>', 'paper table').choices(['1', '2', '3']))
    .option('--seeds <k>', 'number of seeds, 1111 upward (default 5)')
    .option('--epochs <n>', 'epochs per phase (default: the spec value per dataset)')
    .option('--methods <ids>', "methods to run instead of the table's implemented ones, e.g. lf-linear")
    .option('--reference <method>', 'significance reference (default: CorrKD for Tables 1-2, HRLF for Table 3, when run)')
    .addOption(new Option('--backend <name>', 'force a tfjs backend').choices([...BACKENDS]))
    .option('--synthetic', 'use the synthetic datasets even where a real one is imported')
    .option('--plan', 'only show what would run')
    .option('--paper', "show the paper's numbers beside results on synthetic data too (never as a difference)")
    .option('--experiment <id>', 'render an existing experiment in the table layout instead of creating one')
    .option('--wait', 'run it in this process and print the table')
    .option('--concurrency <n>', 'runs at a time with --wait (default: one per core, as memory allows)')
    .option('--json', 'print one JSON document')
    .action((opts: ReproduceFlags) => reproduceCommand(p.opts(), opts));
  p.command('worker')
    .description('run queued runs of a cluster queue (--queue) in isolated engine processes; announces itself to the workbenches')
    .option('--concurrency <n>', 'runs at a time', '1')
    .addOption(new Option('--backend <name>', 'backend for runs that do not name one').choices([...BACKENDS]))
    .option('--name <name>', 'worker name shown in the UI (default: host#pid)')
    .action((opts: { concurrency?: string; backend?: string; name?: string }) => workerCommand(p.opts(), opts));
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

import { DATASETS, readShippedAssets, TEMPLATES, TrainOptionsError, validateTrainOptions, type OptionProblem } from '../../core/runs/index';
import { templatesNote } from '../../core/runs/templates-note';
import { usageError } from '../../core/errors';
import { validateName } from '../../core/validate';
import type { CliCommand } from '../command';
import { JSON_OPTION, parseCommandArgs, requireName, stringOption } from '../args';
import { HOST_USAGE, REMOTE_HOST_OPTIONS, remoteContext } from '../host-options';
import { withRuns } from '../runs-session';
import { followRun } from '../follow-run';

const usage = `gpu-env train NAME [--template ${TEMPLATES.join('|')}] [--dataset ${DATASETS.join('|')}] [--data-dir DIR] [--epochs N] [--batch-size N] [--lr X] [--seed N] [--target-accuracy X] [--subset N] [--nproc-per-node K] [--nodes N] [--time LIMIT] [--no-auto-resume] [--follow] [--json] ${HOST_USAGE}`;

export const trainCommand: CliCommand = {
  name: 'train',
  usage,
  async run(argv, io) {
    const { values, positionals } = parseCommandArgs(argv, {
      template: { type: 'string' },
      dataset: { type: 'string' },
      'data-dir': { type: 'string' },
      epochs: { type: 'string' },
      'batch-size': { type: 'string' },
      lr: { type: 'string' },
      seed: { type: 'string' },
      'target-accuracy': { type: 'string' },
      'nproc-per-node': { type: 'string' },
      nodes: { type: 'string' },
      subset: { type: 'string' },
      time: { type: 'string' },
      'no-auto-resume': { type: 'boolean' },
      follow: { type: 'boolean', short: 'f' },
      ...REMOTE_HOST_OPTIONS,
      ...JSON_OPTION,
    }, usage);
    const name = validateName('NAME', requireName(positionals, usage));
    // Options not given are left out: the core's validator fills in DEFAULT_TRAIN_OPTIONS.
    const given = (key: string, flag: string): Record<string, string> => {
      const value = stringOption(values, flag);
      return value === undefined ? {} : { [key]: value };
    };
    const options = {
      ...given('template', 'template'),
      ...given('dataset', 'dataset'),
      ...given('dataDir', 'data-dir'),
      ...given('epochs', 'epochs'),
      ...given('batchSize', 'batch-size'),
      ...given('lr', 'lr'),
      ...given('seed', 'seed'),
      ...given('targetAccuracy', 'target-accuracy'),
      ...given('nprocPerNode', 'nproc-per-node'),
      ...given('nodes', 'nodes'),
      ...given('subset', 'subset'),
      ...given('time', 'time'),
      autoResume: values['no-auto-resume'] !== true,
    };
    // Validated before connecting: bad flags exit 2 and start nothing.
    const checked = validateTrainOptions(options);
    if (!checked.ok) throw flagsError(checked.problems);
    const ctx = remoteContext(io, values);
    return withRuns(name, ctx, async (runs, _session, reconnecting) => {
      // Processes per machine are checked against the GPUs the environment sees, before anything starts.
      const started = await runs.start(checked.options, readShippedAssets(ctx.assetsRoot), { environment: name, signal: io.signal }).catch((error: unknown) => {
        throw error instanceof TrainOptionsError ? flagsError(error.problems) : error;
      });
      if (values.json === true) io.stdout.write(`${JSON.stringify({ id: started.id, dir: started.dir, state: started.status.state, argv: started.argv, ...(started.jobId !== undefined ? { job: started.jobId } : {}) })}\n`);
      else io.stdout.write(`${started.id}\n`);
      const how = started.jobId !== undefined ? `submitted as job ${started.jobId}` : 'started';
      io.stderr.write(`run ${started.id} ${how} in ${started.dir}; follow it with \`gpu-env logs ${name} ${started.id} --follow\`\n`);
      const note = templatesNote(started.templates, runs.paths.templatesDir);
      if (note) io.stderr.write(`• ${note}\n`);
      return values.follow === true ? followRun(reconnecting, started.id, io) : 0;
    });
  },
};

function flagsError(problems: readonly OptionProblem[]): Error {
  return usageError(`${problems.map((p) => `--${kebab(p.option)}: ${p.message}`).join('\n')}\nusage: ${usage}`);
}

function kebab(option: string): string {
  return option.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
}

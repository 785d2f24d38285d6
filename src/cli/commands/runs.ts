import { validateName } from '../../core/validate';
import { runFacts, type RunListing } from '../../core/runs/index';
import type { CliCommand } from '../command';
import { JSON_OPTION, parseCommandArgs, requireName } from '../args';
import { HOST_USAGE, REMOTE_HOST_OPTIONS, remoteContext } from '../host-options';
import { table } from '../format';
import { withRuns } from '../runs-session';

const usage = `gpu-env runs NAME [--json] ${HOST_USAGE}`;

export const runsCommand: CliCommand = {
  name: 'runs',
  usage,
  async run(argv, io) {
    const { values, positionals } = parseCommandArgs(argv, { ...REMOTE_HOST_OPTIONS, ...JSON_OPTION }, usage);
    const name = validateName('NAME', requireName(positionals, usage));
    const listed = await withRuns(name, remoteContext(io, values), (runs) => runs.list(io.signal));
    if (values.json === true) {
      io.stdout.write(`${JSON.stringify(listed.runs.map((run) => ({ ...run, state: runFacts(run).state })))}\n`);
      return 0;
    }
    if (listed.runs.length === 0) {
      io.stdout.write(`no runs in ${name}; start one with \`gpu-env train ${name}\`\n`);
      return 0;
    }
    // Cluster runs (batch jobs of their own) add their job, nodes and attempts.
    const jobs = listed.runs.some((run) => run.run?.cluster);
    io.stdout.write(table(['RUN', 'STATE', 'LABEL', 'EPOCH', 'STEP', 'LOSS', 'ACCURACY', ...(jobs ? ['JOB', 'NODES', 'ATTEMPTS'] : [])], listed.runs.map((run) => [...runRow(run), ...(jobs ? jobColumns(run) : [])])));
    return 0;
  },
};

function runRow(run: RunListing): string[] {
  const train = run.metrics?.train;
  const { state, accuracy } = runFacts(run);
  return [
    run.id,
    state,
    run.run?.label ?? '-',
    train?.epoch === null || train?.epoch === undefined ? '-' : train.epoch.toFixed(2),
    train?.step === null || train?.step === undefined ? '-' : String(train.step),
    train?.loss === null || train?.loss === undefined ? '-' : train.loss.toFixed(4),
    accuracy === undefined ? '-' : `${(accuracy * 100).toFixed(2)}%`,
  ];
}

/** Job id (and its queue state while it waits), the nodes of its newest attempt, the attempts so far. */
function jobColumns(run: RunListing): string[] {
  const job = run.status?.job;
  if (!run.run?.cluster || !job) return ['-', '-', '-'];
  const waiting = run.queue && run.queue.state !== 'RUNNING' ? ` (${run.queue.state.toLowerCase()}${run.queue.reason ? `: ${run.queue.reason}` : ''})` : '';
  const nodes = job.nodes.length > 0 ? job.nodes : (run.queue?.nodes ?? []);
  return [`${job.id}${waiting}`, nodes.join(',') || '-', String(run.status?.attempts.length ?? 0)];
}

import type { CliCommand } from '../command';
import { HOST_OPTION, parseCommandArgs, stringOption } from '../args';
import { cliContext } from '../context';
import { followRun } from '../follow-run';
import { nameAndRun } from '../run-id-arg';
import { withRuns } from '../runs-session';

const usage = 'gpu-env resume NAME RUN [--follow] [--host URL]';

export const resumeCommand: CliCommand = {
  name: 'resume',
  summary: 'resume a stopped or failed run from its newest checkpoint',
  usage,
  async run(argv, io) {
    const { values, positionals } = parseCommandArgs(argv, { follow: { type: 'boolean', short: 'f' }, ...HOST_OPTION }, usage);
    const { name, run } = nameAndRun(positionals, usage);
    return withRuns(name, cliContext(io, stringOption(values, 'host')), async (runs) => {
      const result = await runs.resume(run, io.signal);
      io.stdout.write(`run ${run} ${result.action === 'running' ? 'is still running' : 'resumed'}\n`);
      return values.follow === true ? followRun(runs, run, io) : 0;
    });
  },
};

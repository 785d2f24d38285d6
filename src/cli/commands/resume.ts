import type { CliCommand } from '../command';
import { parseCommandArgs } from '../args';
import { HOST_USAGE, REMOTE_HOST_OPTIONS, remoteContext } from '../host-options';
import { followRun } from '../follow-run';
import { nameAndRun } from '../run-id-arg';
import { withRuns } from '../runs-session';

const usage = `gpu-env resume NAME RUN [--follow] ${HOST_USAGE}`;

export const resumeCommand: CliCommand = {
  name: 'resume',
  usage,
  async run(argv, io) {
    const { values, positionals } = parseCommandArgs(argv, { follow: { type: 'boolean', short: 'f' }, ...REMOTE_HOST_OPTIONS }, usage);
    const { name, run } = nameAndRun(positionals, usage);
    return withRuns(name, remoteContext(io, values), async (runs, _session, reconnecting) => {
      const result = await runs.resume(run, io.signal);
      io.stdout.write(`run ${run} ${result.action === 'running' ? 'is still running' : 'resumed'}\n`);
      return values.follow === true ? followRun(reconnecting, run, io) : 0;
    });
  },
};

import type { CliCommand } from '../command';
import { parseCommandArgs } from '../args';
import { HOST_USAGE, REMOTE_HOST_OPTIONS, remoteContext } from '../host-options';
import { nameAndRun } from '../run-id-arg';
import { withRuns } from '../runs-session';

const usage = `gpu-env stop NAME RUN ${HOST_USAGE}`;

export const stopCommand: CliCommand = {
  name: 'stop',
  usage,
  async run(argv, io) {
    const { values, positionals } = parseCommandArgs(argv, { ...REMOTE_HOST_OPTIONS }, usage);
    const { name, run } = nameAndRun(positionals, usage);
    const status = await withRuns(name, remoteContext(io, values), (runs) => runs.stop(run, { signal: io.signal }));
    io.stdout.write(`run ${run} ${status.state}\n`);
    return 0;
  },
};

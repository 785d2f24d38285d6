import type { CliCommand } from '../command';
import { parseCommandArgs } from '../args';
import { HOST_USAGE, REMOTE_HOST_OPTIONS, remoteContext } from '../host-options';
import { followRun } from '../follow-run';
import { nameAndRun } from '../run-id-arg';
import { withRuns } from '../runs-session';

const usage = `gpu-env logs NAME RUN [--follow] ${HOST_USAGE}`;

export const logsCommand: CliCommand = {
  name: 'logs',
  usage,
  async run(argv, io) {
    const { values, positionals } = parseCommandArgs(argv, { follow: { type: 'boolean', short: 'f' }, ...REMOTE_HOST_OPTIONS }, usage);
    const { name, run } = nameAndRun(positionals, usage);
    return withRuns(name, remoteContext(io, values), async (runs, _session, reconnecting) => {
      if (values.follow === true) return followRun(reconnecting, run, io);
      let offset = 0;
      for (let chunks = 0; chunks < 100_000; chunks++) {
        const chunk = await runs.readLog(run, offset, undefined, io.signal);
        if (chunk.kind === 'missing') {
          io.stderr.write(`gpu-env logs: run ${run} has no output in ${name} (no such run, or it has not written yet)\n`);
          return 1;
        }
        if (chunk.kind !== 'data' || chunk.data.length === 0) break;
        io.stdout.write(chunk.data);
        offset = chunk.nextOffset;
      }
      return 0;
    });
  },
};

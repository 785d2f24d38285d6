import type { CliCommand } from '../command';
import { HOST_OPTION, parseCommandArgs, stringOption } from '../args';
import { cliContext } from '../context';
import { nameAndRun } from '../run-id-arg';
import { withRuns } from '../runs-session';

const usage = 'gpu-env stop NAME RUN [--host URL]';

export const stopCommand: CliCommand = {
  name: 'stop',
  summary: 'stop a training run (it checkpoints first; resume continues from there)',
  usage,
  async run(argv, io) {
    const { values, positionals } = parseCommandArgs(argv, { ...HOST_OPTION }, usage);
    const { name, run } = nameAndRun(positionals, usage);
    const status = await withRuns(name, cliContext(io, stringOption(values, 'host')), (runs) => runs.stop(run, { signal: io.signal }));
    io.stdout.write(`run ${run} ${status.state}\n`);
    return 0;
  },
};

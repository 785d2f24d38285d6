import { down } from '../../core/environments';
import type { CliCommand } from '../command';
import { HOST_OPTION, parseCommandArgs, requireName, stringOption } from '../args';
import { cliContext } from '../context';
import { progressPrinter } from '../progress-printer';
import { validateName } from '../../core/validate';

const usage = 'gpu-env down NAME [--host URL]';

export const downCommand: CliCommand = {
  name: 'down',
  summary: 'stop an environment (its container, keys and files stay)',
  usage,
  async run(argv, io) {
    const { values, positionals } = parseCommandArgs(argv, { ...HOST_OPTION }, usage);
    const name = validateName('NAME', requireName(positionals, usage));
    const info = await down(name, cliContext(io, stringOption(values, 'host'), progressPrinter(io, false)));
    io.stdout.write(`${info.container} ${info.state}\n`);
    return 0;
  },
};

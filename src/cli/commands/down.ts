import { down } from '../../core/api';
import type { CliCommand } from '../command';
import { parseCommandArgs, requireName } from '../args';
import { HOST_USAGE, REMOTE_HOST_OPTIONS, remoteContext } from '../host-options';
import { progressPrinter } from '../progress-printer';
import { validateName } from '../../core/validate';

const usage = `gpu-env down NAME ${HOST_USAGE}`;

export const downCommand: CliCommand = {
  name: 'down',
  usage,
  async run(argv, io) {
    const { values, positionals } = parseCommandArgs(argv, { ...REMOTE_HOST_OPTIONS }, usage);
    const name = validateName('NAME', requireName(positionals, usage));
    const info = await down(name, remoteContext(io, values, progressPrinter(io, false)));
    io.stdout.write(`${info.container} ${info.state}\n`);
    return 0;
  },
};

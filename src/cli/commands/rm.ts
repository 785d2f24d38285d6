import { remove } from '../../core/api';
import type { CliCommand } from '../command';
import { parseCommandArgs, requireName } from '../args';
import { HOST_USAGE, REMOTE_HOST_OPTIONS, remoteContext } from '../host-options';
import { progressPrinter } from '../progress-printer';
import { validateName } from '../../core/validate';

const usage = `gpu-env rm NAME [--purge] ${HOST_USAGE}`;

export const rmCommand: CliCommand = {
  name: 'rm',
  usage,
  async run(argv, io) {
    const { values, positionals } = parseCommandArgs(argv, { purge: { type: 'boolean' }, ...REMOTE_HOST_OPTIONS }, usage);
    const name = validateName('NAME', requireName(positionals, usage));
    const result = await remove(name, { purge: values.purge === true }, remoteContext(io, values, progressPrinter(io, false)));
    io.stdout.write(`gpu-env-${name} removed${result.purged.length > 0 ? `; purged ${result.purged.join(', ')}` : '; keys kept (use --purge to delete them)'}\n`);
    return 0;
  },
};

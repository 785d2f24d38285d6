import { remove } from '../../core/environments';
import type { CliCommand } from '../command';
import { HOST_OPTION, parseCommandArgs, requireName, stringOption } from '../args';
import { cliContext } from '../context';
import { progressPrinter } from '../progress-printer';
import { validateName } from '../../core/validate';

const usage = 'gpu-env rm NAME [--purge] [--host URL]';

export const rmCommand: CliCommand = {
  name: 'rm',
  summary: 'remove an environment\'s container; --purge also deletes its keys and run files',
  usage,
  async run(argv, io) {
    const { values, positionals } = parseCommandArgs(argv, { purge: { type: 'boolean' }, ...HOST_OPTION }, usage);
    const name = validateName('NAME', requireName(positionals, usage));
    const result = await remove(name, { purge: values.purge === true }, cliContext(io, stringOption(values, 'host'), progressPrinter(io, false)));
    io.stdout.write(`gpu-env-${name} removed${result.purged.length > 0 ? `; purged ${result.purged.join(', ')}` : '; keys kept (use --purge to delete them)'}\n`);
    return 0;
  },
};

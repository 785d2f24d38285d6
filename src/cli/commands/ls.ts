import { list } from '../../core/environments';
import type { CliCommand } from '../command';
import { HOST_OPTION, JSON_OPTION, parseCommandArgs, stringOption } from '../args';
import { cliContext } from '../context';
import { environmentJson, table } from '../format';
import { usageError } from '../../core/errors';

const usage = 'gpu-env ls [--json] [--host URL]';

export const lsCommand: CliCommand = {
  name: 'ls',
  summary: 'list environments on the engine',
  usage,
  async run(argv, io) {
    const { values, positionals } = parseCommandArgs(argv, { ...HOST_OPTION, ...JSON_OPTION }, usage);
    if (positionals.length > 0) throw usageError(`unexpected argument "${positionals[0]}"\nusage: ${usage}`);
    const infos = await list(cliContext(io, stringOption(values, 'host')));
    if (values.json === true) {
      io.stdout.write(`${JSON.stringify(infos.map(environmentJson))}\n`);
      return 0;
    }
    if (infos.length === 0) {
      io.stdout.write('no environments; create one with `gpu-env up`\n');
      return 0;
    }
    io.stdout.write(table(['NAME', 'STATE', 'GPUS', 'SSH', 'IMAGE', 'WORKSPACE'], infos.map((i) => [
      i.name, i.state, i.gpus, i.ssh.port === null ? '-' : `127.0.0.1:${i.ssh.port}`, i.image, i.workspace,
    ])));
    return 0;
  },
};

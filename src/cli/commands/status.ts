import { status } from '../../core/environments';
import type { CliCommand } from '../command';
import { HOST_OPTION, JSON_OPTION, parseCommandArgs, requireName, stringOption } from '../args';
import { cliContext } from '../context';
import { environmentJson } from '../format';
import { validateName } from '../../core/validate';

const usage = 'gpu-env status NAME [--json] [--host URL]';

export const statusCommand: CliCommand = {
  name: 'status',
  summary: 'show one environment',
  usage,
  async run(argv, io) {
    const { values, positionals } = parseCommandArgs(argv, { ...HOST_OPTION, ...JSON_OPTION }, usage);
    const name = validateName('NAME', requireName(positionals, usage));
    const info = await status(name, cliContext(io, stringOption(values, 'host')));
    if (values.json === true) {
      io.stdout.write(`${JSON.stringify(environmentJson(info))}\n`);
    } else {
      io.stdout.write([
        `name:      ${info.name}`,
        `container: ${info.container} (${info.status})`,
        `state:     ${info.state}`,
        `image:     ${info.image}`,
        `gpus:      ${info.gpus}`,
        `workspace: ${info.workspace}`,
        `engine:    ${info.engine}`,
        `ssh:       ${info.ssh.user}@${info.ssh.host}:${info.ssh.port ?? '-'} (alias ${info.ssh.alias})`,
      ].join('\n') + '\n');
    }
    return 0;
  },
};

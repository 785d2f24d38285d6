import { renderHostBlock, status } from '../../core/environments';
import type { CliCommand } from '../command';
import { HOST_OPTION, parseCommandArgs, requireName, stringOption } from '../args';
import { cliContext } from '../context';
import { GpuEnvError } from '../../core/errors';
import { validateName } from '../../core/validate';

const usage = 'gpu-env ssh-config NAME [--host URL]';

export const sshConfigCommand: CliCommand = {
  name: 'ssh-config',
  summary: 'print the OpenSSH config block for an environment (use with ssh -F)',
  usage,
  async run(argv, io) {
    const { values, positionals } = parseCommandArgs(argv, { ...HOST_OPTION }, usage);
    const name = validateName('NAME', requireName(positionals, usage));
    const ctx = cliContext(io, stringOption(values, 'host'));
    const info = await status(name, ctx);
    if (info.ssh.port === null) throw new GpuEnvError(`environment "${name}" is ${info.state}: its SSH port is chosen when it starts; run \`gpu-env up --name ${name}\` first`);
    io.stdout.write(renderHostBlock(ctx.stateDir, name, { host: info.ssh.host, port: info.ssh.port, user: info.ssh.user }));
    return 0;
  },
};

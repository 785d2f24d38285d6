import { environmentSshConfig } from '../../core/api';
import type { CliCommand } from '../command';
import { parseCommandArgs, requireName } from '../args';
import { HOST_USAGE, REMOTE_HOST_OPTIONS, remoteContext } from '../host-options';
import { validateName } from '../../core/validate';

const usage = `gpu-env ssh-config NAME ${HOST_USAGE}`;

export const sshConfigCommand: CliCommand = {
  name: 'ssh-config',
  usage,
  async run(argv, io) {
    const { values, positionals } = parseCommandArgs(argv, { ...REMOTE_HOST_OPTIONS }, usage);
    const name = validateName('NAME', requireName(positionals, usage));
    io.stdout.write(await environmentSshConfig(name, remoteContext(io, values)));
    return 0;
  },
};

import { status } from '../../core/api';
import type { CliCommand } from '../command';
import { JSON_OPTION, parseCommandArgs, requireName } from '../args';
import { HOST_USAGE, REMOTE_HOST_OPTIONS, environmentWithHostJson, remoteContext, sshWhere } from '../host-options';
import { validateName } from '../../core/validate';
import { timeLeftText } from '../format';

const usage = `gpu-env status NAME [--json] ${HOST_USAGE}`;

export const statusCommand: CliCommand = {
  name: 'status',
  usage,
  async run(argv, io) {
    const { values, positionals } = parseCommandArgs(argv, { ...REMOTE_HOST_OPTIONS, ...JSON_OPTION }, usage);
    const name = validateName('NAME', requireName(positionals, usage));
    const info = await status(name, remoteContext(io, values));
    if (values.json === true) {
      io.stdout.write(`${JSON.stringify(environmentWithHostJson(info))}\n`);
    } else {
      io.stdout.write([
        `name:      ${info.name}`,
        `container: ${info.container} (${info.status})`,
        `state:     ${info.state}`,
        `image:     ${info.image}`,
        `gpus:      ${info.gpus}`,
        `workspace: ${info.workspace}`,
        `engine:    ${info.engine}`,
        ...(info.host ? [`host:      ${info.host.label}`] : []),
        `ssh:       ${info.ssh.user} at ${sshWhere(info)} (alias ${info.ssh.alias}${info.ssh.jump ? `, via ${info.ssh.jump}` : ''})`,
        ...(info.job ? [
          `job:       ${info.job.id} ${info.job.state}${info.job.reason !== undefined ? ` (${info.job.reason})` : ''}, partition ${info.job.partition}`,
          `nodes:     ${info.job.nodes.join(', ') || '-'}`,
          `time left: ${timeLeftText(info.job.timeLeftSeconds)}${info.job.expectedStart !== undefined ? ` (expected start ${info.job.expectedStart})` : ''}`,
        ] : []),
      ].join('\n') + '\n');
    }
    return 0;
  },
};

import { idleReport, status, type EnvironmentInfo, type IdleReport } from '../../core/api';
import { formatMs } from '../../core/util/abort';
import type { CliCommand } from '../command';
import { JSON_OPTION, parseCommandArgs, requireName } from '../args';
import { HOST_USAGE, REMOTE_HOST_OPTIONS, environmentWithHostJson, remoteContext, sshWhere } from '../host-options';
import { formatIdleStop, validateName } from '../../core/validate';
import { timeLeftText } from '../format';

const usage = `gpu-env status NAME [--json] ${HOST_USAGE}`;

export const statusCommand: CliCommand = {
  name: 'status',
  usage,
  async run(argv, io) {
    const { values, positionals } = parseCommandArgs(argv, { ...REMOTE_HOST_OPTIONS, ...JSON_OPTION }, usage);
    const name = validateName('NAME', requireName(positionals, usage));
    const ctx = remoteContext(io, values);
    const info = await status(name, ctx);
    const idle = info.idleStopMs !== undefined ? await idleReport(name, ctx) : {};
    if (values.json === true) {
      io.stdout.write(`${JSON.stringify({ ...environmentWithHostJson(info), ...(info.idleStopMs !== undefined ? { idle } : {}) })}\n`);
    } else {
      io.stdout.write([
        `name:      ${info.name}`,
        `container: ${info.container} (${info.status})`,
        `state:     ${info.state}`,
        `image:     ${info.image}`,
        `gpus:      ${info.gpus}${info.gpuCount !== undefined ? ` (chosen as ${info.gpuCount} free)` : ''}`,
        `idle stop: ${idleText(info, idle)}`,
        ...(info.owner !== undefined ? [`owner:     ${info.owner}`] : []),
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

function idleText(info: EnvironmentInfo, idle: IdleReport): string {
  if (info.idleStopMs === undefined) return 'off';
  const rule = `after ${formatIdleStop(info.idleStopMs)} unused (no SSH session, no run, GPUs idle)`;
  if (idle.stopped) return `${rule}; stopped itself at ${new Date(idle.stopped.atMs).toISOString()}: ${idle.stopped.reason}`;
  const state = idle.state;
  if (!state) return rule;
  if (state.busy.length > 0) return `${rule}; in use now (${state.busy.join(', ')})`;
  return `${rule}; idle for ${formatMs(state.idleForMs)}, stops in ${formatMs(state.remainingMs)} unless used`;
}

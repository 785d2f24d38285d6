import { homedir } from 'node:os';
import { usageError } from '../../core/errors';
import { formatIdleStop } from '../../core/validate';
import { CLI_FIELDS, engineIsRemote, filesAreRemote, up, validateUpInput, type UpResult } from '../../core/api';
import type { CliCommand, CliIo } from '../command';
import { JSON_OPTION, listOption, parseCommandArgs, stringOption } from '../args';
import { HOST_USAGE, REMOTE_HOST_OPTIONS, environmentWithHostJson, remoteContext, sshWhere } from '../host-options';
import { progressPrinter } from '../progress-printer';
import { timeLeftText } from '../format';

const usage = [
  `gpu-env up [--name N] [--workspace DIR | --remote-workspace PATH] [--uid N] [--gpus all|none|N|device=0,1|GPU-uuid,...] [--idle-stop 30m|off] [--memory 16g] [--cpus 4] [--shm-size 8g] [--base-image REF] [--image REF] [--pull] [--recreate] [--apt-mirror URL] [--pip-index-url URL] ${HOST_USAGE} [--json] [--verbose]`,
  'on a Slurm cluster (--host slurm://[user@]login[:port] or slurm://ALIAS): [--partition P] [--account A] [--qos Q] [--time 4:00:00] [--nodes 1] [--gpus-per-node 1|TYPE:N]',
  '                    [--cpus-per-task N] [--mem 32G] [--constraint FEATURES] [--setup LINE]... [--container-image REF] [--sbatch-arg --opt=value]... [--remote-workspace PATH]',
].join('\n       ');

export const upCommand: CliCommand = {
  name: 'up',
  usage,
  async run(argv, io) {
    const { values, positionals } = parseCommandArgs(argv, {
      name: { type: 'string', short: 'n' },
      workspace: { type: 'string', short: 'w' },
      'remote-workspace': { type: 'string' },
      uid: { type: 'string' },
      gpus: { type: 'string' },
      memory: { type: 'string' },
      cpus: { type: 'string' },
      'shm-size': { type: 'string' },
      'base-image': { type: 'string' },
      image: { type: 'string' },
      pull: { type: 'boolean' },
      recreate: { type: 'boolean' },
      'apt-mirror': { type: 'string' },
      'pip-index-url': { type: 'string' },
      'idle-stop': { type: 'string' },
      partition: { type: 'string' },
      account: { type: 'string' },
      qos: { type: 'string' },
      time: { type: 'string' },
      nodes: { type: 'string' },
      'gpus-per-node': { type: 'string' },
      'cpus-per-task': { type: 'string' },
      mem: { type: 'string' },
      constraint: { type: 'string' },
      setup: { type: 'string', multiple: true },
      'container-image': { type: 'string' },
      'sbatch-arg': { type: 'string', multiple: true },
      verbose: { type: 'boolean', short: 'v' },
      ...REMOTE_HOST_OPTIONS,
      ...JSON_OPTION,
    }, usage);
    if (positionals.length > 0) throw usageError(`unexpected argument "${positionals[0]}"; give the name with --name\nusage: ${usage}`);
    const host = stringOption(values, 'host');
    const workspace = stringOption(values, 'workspace');
    if (workspace !== undefined && engineIsRemote(host, CLI_FIELDS, io.env, homedir())) {
      throw usageError(`--workspace: the engine is on another machine, where a folder of this one cannot be mounted; give a folder on that host with --remote-workspace PATH (default ~/gpu-env/NAME), and copy files there with \`gpu-env sync\``);
    }
    const request = validateUpInput({
      name: stringOption(values, 'name'),
      workspace,
      remoteWorkspace: stringOption(values, 'remote-workspace'),
      uid: stringOption(values, 'uid'),
      gpus: stringOption(values, 'gpus'),
      memory: stringOption(values, 'memory'),
      cpus: stringOption(values, 'cpus'),
      shmSize: stringOption(values, 'shm-size'),
      baseImage: stringOption(values, 'base-image'),
      image: stringOption(values, 'image'),
      aptMirror: stringOption(values, 'apt-mirror'),
      pipIndexUrl: stringOption(values, 'pip-index-url'),
      idleStop: stringOption(values, 'idle-stop'),
      pull: values.pull === true,
      recreate: values.recreate === true,
      host,
      slurm: {
        partition: stringOption(values, 'partition'),
        account: stringOption(values, 'account'),
        qos: stringOption(values, 'qos'),
        time: stringOption(values, 'time'),
        nodes: stringOption(values, 'nodes'),
        gpusPerNode: stringOption(values, 'gpus-per-node'),
        cpusPerTask: stringOption(values, 'cpus-per-task'),
        mem: stringOption(values, 'mem'),
        constraint: stringOption(values, 'constraint'),
        setup: listOption(values, 'setup'),
        containerImage: stringOption(values, 'container-image'),
        sbatchArgs: listOption(values, 'sbatch-arg'),
      },
    }, CLI_FIELDS, io.env, io.cwd, homedir());
    const progress = progressPrinter(io, values.verbose === true);
    const result = await up(request, remoteContext(io, values, progress, request.host));
    progress.done();
    if (values.json === true) {
      io.stdout.write(`${JSON.stringify(environmentWithHostJson(result.info))}\n`);
      if (filesAreRemote(result.info.host)) io.stderr.write(`${filesLiveThere(result)}\n`);
    } else {
      printSummary(io, result);
    }
    return 0;
  },
};

function printSummary(io: CliIo, result: UpResult): void {
  const { info } = result;
  const verb = { created: 'created', started: 'started', running: 'already running', recreated: 'recreated' }[result.action];
  const on = filesAreRemote(info.host) ? ` on ${info.host!.label}` : '';
  io.stdout.write(`${info.container} ${verb}${on}: ssh -F ~/.config/gpu-env/ssh_config ${info.ssh.alias}  (${sshWhere(info)}, user ${info.ssh.user})\n`);
  if (info.gpuCount !== undefined) io.stdout.write(`GPU${info.gpuCount === 1 ? '' : 's'} ${info.gpus}: chosen as ${info.gpuCount} free GPU${info.gpuCount === 1 ? '' : 's'}, least used first\n`);
  if (info.idleStopMs !== undefined) io.stdout.write(`Idle stop: after ${formatIdleStop(info.idleStopMs)} without an SSH session, a running run or GPU use\n`);
  if (info.job) io.stdout.write(`job ${info.job.id} ${info.job.state} on ${info.job.nodes.join(',')}, GPUs ${info.job.gpus ?? 'none'}, partition ${info.job.partition}, time left ${timeLeftText(info.job.timeLeftSeconds)}\n`);
  if (filesAreRemote(info.host)) io.stdout.write(`${filesLiveThere(result)}\n`);
  for (const warning of result.warnings) io.stderr.write(`! ${warning}\n`);
}

/** On another machine the files are not on this one: say where they are, and how to copy them there. */
function filesLiveThere(result: UpResult): string {
  const { info } = result;
  const mount = info.workdir === info.workspace ? '' : ' (mounted at /workspace)';
  return `Files live on ${info.host?.label ?? info.engine} in ${info.workspace}${mount}; copy this folder there with \`gpu-env sync ${info.name}${info.host ? ` --host ${info.host.engine}` : ''}\`.`;
}

import { homedir } from 'node:os';
import { usageError } from '../../core/errors';
import { CLI_FIELDS, engineIsRemote, up, validateUpInput, type UpResult } from '../../core/environments';
import type { CliCommand, CliIo } from '../command';
import { JSON_OPTION, parseCommandArgs, stringOption } from '../args';
import { HOST_USAGE, REMOTE_HOST_OPTIONS, environmentWithHostJson, remoteContext, sshWhere } from '../host-options';
import { progressPrinter } from '../progress-printer';

const usage = `gpu-env up [--name N] [--workspace DIR | --remote-workspace PATH] [--uid N] [--gpus all|none|0,1|GPU-uuid,...] [--memory 16g] [--cpus 4] [--shm-size 8g] [--base-image REF] [--image REF] [--pull] [--apt-mirror URL] [--pip-index-url URL] ${HOST_USAGE} [--json] [--verbose]`;

export const upCommand: CliCommand = {
  name: 'up',
  summary: 'create or start an environment and wait until SSH answers (on a remote host: --host ssh://user@host)',
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
      'apt-mirror': { type: 'string' },
      'pip-index-url': { type: 'string' },
      verbose: { type: 'boolean', short: 'v' },
      ...REMOTE_HOST_OPTIONS,
      ...JSON_OPTION,
    }, usage);
    if (positionals.length > 0) throw usageError(`unexpected argument "${positionals[0]}"; give the name with --name\nusage: ${usage}`);
    const host = stringOption(values, 'host');
    const workspace = stringOption(values, 'workspace');
    if (workspace !== undefined && engineIsRemote(host, CLI_FIELDS, io.env, homedir())) {
      throw usageError(`--workspace: the engine is on another machine, where a folder of this one cannot be mounted; give a folder on that host with --remote-workspace PATH (default ~/gpu-env/NAME)`);
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
      pull: values.pull === true,
      host,
    }, CLI_FIELDS, io.env, io.cwd, homedir());
    const progress = progressPrinter(io, values.verbose === true);
    const result = await up(request, remoteContext(io, values, progress, request.host));
    progress.done();
    if (values.json === true) {
      io.stdout.write(`${JSON.stringify(environmentWithHostJson(result.info))}\n`);
      if (result.info.host?.kind === 'ssh') io.stderr.write(`${filesLiveThere(result)}\n`);
    } else {
      printSummary(io, result);
    }
    return 0;
  },
};

function printSummary(io: CliIo, result: UpResult): void {
  const { info } = result;
  const verb = { created: 'created', started: 'started', running: 'already running' }[result.action];
  const on = info.host?.kind === 'ssh' ? ` on ${info.host.label}` : '';
  io.stdout.write(`${info.container} ${verb}${on}: ssh -F ~/.config/gpu-env/ssh_config ${info.ssh.alias}  (${sshWhere(info)}, user ${info.ssh.user})\n`);
  if (info.host?.kind === 'ssh') io.stdout.write(`${filesLiveThere(result)}\n`);
}

/** On a remote host the files are not on this machine: say where they are. */
function filesLiveThere(result: UpResult): string {
  const { info } = result;
  return `Files live on ${info.host?.label ?? info.engine} in ${info.workspace} (mounted at /workspace); nothing is copied from this machine.`;
}

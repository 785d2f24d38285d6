import { usageError } from '../../core/errors';
import { CLI_FIELDS, up, validateUpInput } from '../../core/environments';
import type { CliCommand } from '../command';
import { HOST_OPTION, JSON_OPTION, parseCommandArgs, stringOption } from '../args';
import { cliContext } from '../context';
import { environmentJson } from '../format';
import { progressPrinter } from '../progress-printer';

const usage = 'gpu-env up [--name N] [--workspace DIR] [--uid N] [--gpus all|none|0,1|GPU-uuid,...] [--memory 16g] [--cpus 4] [--shm-size 8g] [--base-image REF] [--image REF] [--host URL] [--json] [--verbose]';

export const upCommand: CliCommand = {
  name: 'up',
  summary: 'create or start an environment and wait until SSH answers',
  usage,
  async run(argv, io) {
    const { values, positionals } = parseCommandArgs(argv, {
      name: { type: 'string', short: 'n' },
      workspace: { type: 'string', short: 'w' },
      uid: { type: 'string' },
      gpus: { type: 'string' },
      memory: { type: 'string' },
      cpus: { type: 'string' },
      'shm-size': { type: 'string' },
      'base-image': { type: 'string' },
      image: { type: 'string' },
      verbose: { type: 'boolean', short: 'v' },
      ...HOST_OPTION,
      ...JSON_OPTION,
    }, usage);
    if (positionals.length > 0) throw usageError(`unexpected argument "${positionals[0]}"; give the name with --name\nusage: ${usage}`);
    const request = validateUpInput({
      name: stringOption(values, 'name'),
      workspace: stringOption(values, 'workspace'),
      uid: stringOption(values, 'uid'),
      gpus: stringOption(values, 'gpus'),
      memory: stringOption(values, 'memory'),
      cpus: stringOption(values, 'cpus'),
      shmSize: stringOption(values, 'shm-size'),
      baseImage: stringOption(values, 'base-image'),
      image: stringOption(values, 'image'),
      host: stringOption(values, 'host'),
    }, CLI_FIELDS, io.env, io.cwd);
    const progress = progressPrinter(io, values.verbose === true);
    const result = await up(request, cliContext(io, request.host, progress));
    progress.done();
    if (values.json === true) {
      io.stdout.write(`${JSON.stringify(environmentJson(result.info))}\n`);
    } else {
      const verb = { created: 'created', started: 'started', running: 'already running' }[result.action];
      io.stdout.write(`${result.info.container} ${verb}: ssh -F ~/.config/gpu-env/ssh_config ${result.info.ssh.alias}  (127.0.0.1:${String(result.info.ssh.port)}, user ${result.info.ssh.user})\n`);
    }
    return 0;
  },
};

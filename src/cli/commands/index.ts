/**
 * Every `gpu-env` command as `--help` lists it: name and summary here, the code loaded only when
 * the command runs. The implementations are one module (./all) that the build puts in a bundle of
 * its own, dist/cli-commands.js beside dist/cli.js, so that `gpu-env --help` or a mistyped command
 * never loads (nor even parses) the Docker, SSH and tar code.
 */
import { join } from 'node:path';
import { codeCacheDir, loadWithCodeCache } from '../code-cache';
import type { CliCommand, CliCommandEntry } from '../command';

type Implementations = typeof import('./all');

let implementations: Implementations | undefined;

/** Through a V8 code cache (see ../code-cache), written when the process exits if it had none. */
function loadImplementations(): Implementations {
  if (!implementations) {
    const loaded = loadWithCodeCache(join(__dirname, 'cli-commands.js'), codeCacheDir(process.env));
    if (loaded.cache !== 'used') process.once('exit', () => loaded.saveCache());
    implementations = loaded.exports as Implementations;
  }
  return implementations;
}

function command(name: string, summary: string, pick: (all: Implementations) => CliCommand): CliCommandEntry {
  return { name, summary, load: () => pick(loadImplementations()) };
}

export const COMMANDS: readonly CliCommandEntry[] = [
  command('up', 'create or start an environment and wait until SSH answers (remote Docker host: --host ssh://user@host; Slurm cluster: --host slurm://login)', (all) => all.upCommand),
  command('down', 'stop an environment (its container, keys and files stay)', (all) => all.downCommand),
  command('rm', 'remove an environment\'s container; --purge also deletes its keys and run files', (all) => all.rmCommand),
  command('ls', 'list environments; --host several times lists several engines, grouped by host', (all) => all.lsCommand),
  command('status', 'show one environment', (all) => all.statusCommand),
  command('gpus', 'every GPU of the engine\'s machine (or cluster partition) with its use and who holds it', (all) => all.gpusCommand),
  command('exec', 'run a command in an environment over SSH; exits with its exit code', (all) => all.execCommand),
  command('ssh-config', 'print the OpenSSH config for an environment, with its remote host\'s block if any (use with ssh -F)', (all) => all.sshConfigCommand),
  command('doctor', 'check the engine, its GPU runtime and environments, with a fix for each problem; exits 1 when a check failed', (all) => all.doctorCommand),
  command('monitor', 'live GPU, CPU and memory use of an environment (--json: one sample per line)', (all) => all.monitorCommand),
  command('sync', 'copy this folder to the environment\'s workspace on its machine (a remote Docker host, a cluster), honouring .gitignore; --watch keeps copying changes', (all) => all.syncCommand),
  command('train', 'start a CNN training run, detached in the environment; prints the run id', (all) => all.trainCommand),
  command('runs', 'list training runs in an environment (running and finished)', (all) => all.runsCommand),
  command('logs', 'print a run\'s output; --follow streams it until the run ends', (all) => all.logsCommand),
  command('stop', 'stop a training run (it checkpoints first; resume continues from there)', (all) => all.stopCommand),
  command('resume', 'resume a stopped or failed run from its newest checkpoint', (all) => all.resumeCommand),
  command('jupyter', 'start Jupyter in an environment (bound to its 127.0.0.1) and forward it to 127.0.0.1 here until Ctrl-C', (all) => all.jupyterCommand),
];

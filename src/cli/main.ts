import { isUsageError, messageOf } from '../core/errors';
import { productVersion, packageRoot } from '../core/assets';
import type { CliCommandEntry, CliIo } from './command';
import { COMMANDS } from './commands/index';
import { terminalSafe } from './format';

function help(commands: readonly CliCommandEntry[]): string {
  const width = Math.max(...commands.map((c) => c.name.length));
  return [
    'gpu-env: PyTorch GPU development environments on a Docker engine, over SSH',
    '',
    'usage: gpu-env COMMAND [options]',
    '',
    ...commands.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
    '',
    'The engine is chosen like the docker CLI: --host, DOCKER_HOST, DOCKER_CONTEXT, the current context, the default socket.',
    'Run `gpu-env COMMAND --help` for a command\'s options. Exit codes: 0 success, 1 failure, 2 invalid usage.',
    '',
  ].join('\n');
}

export async function main(argv: readonly string[], io: CliIo, commands: readonly CliCommandEntry[] = COMMANDS): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    io.stdout.write(help(commands));
    return name === undefined ? 2 : 0;
  }
  if (name === '--version' || name === '-V') {
    io.stdout.write(`${productVersion(packageRoot())}\n`);
    return 0;
  }
  const entry = commands.find((c) => c.name === name);
  if (!entry) {
    io.stderr.write(`gpu-env: unknown command "${name}"; commands: ${commands.map((c) => c.name).join(', ')}\n`);
    return 2;
  }
  const command = entry.load();
  // Everything after "--" belongs to the command run (`exec NAME -- df -h`), not to gpu-env.
  const ours = rest.includes('--') ? rest.slice(0, rest.indexOf('--')) : rest;
  if (ours.includes('--help') || ours.includes('-h')) {
    io.stdout.write(`usage: ${command.usage}\n  ${entry.summary}\n`);
    return 0;
  }
  try {
    return await command.run(rest, io);
  } catch (error) {
    // Messages can quote what the environment said (the runner's stderr): no raw escapes.
    io.stderr.write(`gpu-env ${entry.name}: ${terminalSafe(messageOf(error), { keepNewlines: true })}\n`);
    if (error instanceof Error && error.name === 'CancelledError') return 130;
    return isUsageError(error) ? 2 : 1;
  }
}

/** Resolves once everything written to `stream` so far is handed to the system (or it failed). */
function written(stream: NodeJS.WriteStream): Promise<void> {
  return new Promise((resolve) => {
    if (stream.destroyed || !stream.writable) return resolve();
    stream.write('', () => resolve());
  });
}

function processIo(): CliIo {
  const controller = new AbortController();
  let interrupts = 0;
  const onSignal = (): void => {
    interrupts++;
    if (interrupts > 1) process.exit(130);
    process.stderr.write('\ngpu-env: cancelling (press Ctrl-C again to quit at once)\n');
    controller.abort();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  // `gpu-env monitor --json | head` closes our stdout: that is the reader's way of saying stop.
  process.stdout.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE') process.exit(0);
    throw error;
  });
  return {
    // A getter: touching process.stdin starts reading it, which only `exec` should do.
    get stdin() {
      return process.stdin;
    },
    stdout: process.stdout,
    stderr: process.stderr,
    isTTY: process.stderr.isTTY === true,
    env: process.env,
    cwd: process.cwd(),
    signal: controller.signal,
  };
}

if (require.main === module) {
  main(process.argv.slice(2), processIo()).then(
    (code) => {
      process.exitCode = code;
      // Out as soon as what we printed is written: sockets to the engine or over SSH that are still
      // closing would keep the loop alive for tens of milliseconds after the work is done.
      void written(process.stdout)
        .then(() => written(process.stderr))
        .then(() => process.exit(code));
    },
    (error: unknown) => {
      process.stderr.write(`gpu-env: ${messageOf(error)}\n`);
      process.exit(1);
    },
  );
}

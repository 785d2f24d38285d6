import { openEnvironmentSession } from '../../core/api';
import type { CliCommand } from '../command';
import { parseCommandArgs, requireName } from '../args';
import { HOST_USAGE, REMOTE_HOST_OPTIONS, remoteContext } from '../host-options';
import { shellQuote } from '../format';
import { usageError } from '../../core/errors';
import { validateName } from '../../core/validate';

const usage = `gpu-env exec NAME ${HOST_USAGE} -- CMD [ARG...]`;

/** Signal numbers for the exit status a shell reports (128 + n). */
const SIGNALS: Record<string, number> = { HUP: 1, INT: 2, QUIT: 3, KILL: 9, SEGV: 11, PIPE: 13, TERM: 15 };

export const execCommand: CliCommand = {
  name: 'exec',
  usage,
  async run(argv, io) {
    const separator = argv.indexOf('--');
    if (separator < 0) throw usageError(`missing "--" before the command\nusage: ${usage}`);
    const command = argv.slice(separator + 1);
    if (command.length === 0) throw usageError(`missing command after "--"\nusage: ${usage}`);
    const { values, positionals } = parseCommandArgs(argv.slice(0, separator), { ...REMOTE_HOST_OPTIONS }, usage);
    const name = validateName('NAME', requireName(positionals, usage));
    const session = await openEnvironmentSession(name, { context: remoteContext(io, values) });
    try {
      const remote = await session.spawn(`cd ${shellQuote(session.workspace ?? '/workspace')} 2>/dev/null; exec ${command.map(shellQuote).join(' ')}`, { signal: io.signal });
      const stopForwarding = forwardStdin(io.stdin, remote.stdin);
      remote.stdout.pipe(io.stdout, { end: false });
      remote.stderr.pipe(io.stderr, { end: false });
      const exit = await remote.exit.finally(stopForwarding);
      if (exit.code !== null) return exit.code;
      io.stderr.write(`gpu-env: command ended by signal ${exit.signal ?? 'unknown'}\n`);
      return 128 + (SIGNALS[exit.signal ?? ''] ?? 1);
    } finally {
      session.close();
    }
  },
};

/**
 * Our standard input goes to the remote command and its end closes the command's input (EOF), as
 * with OpenSSH: `gpu-env exec NAME -- python3 - < script.py`. Returns how to stop once the command
 * has exited (a command that never read its input must not keep us waiting for ours).
 */
function forwardStdin(ours: NodeJS.ReadableStream | undefined, theirs: NodeJS.WritableStream): () => void {
  if (!ours) {
    theirs.end();
    return () => undefined;
  }
  const onError = (): void => undefined;
  theirs.on('error', onError);
  ours.pipe(theirs);
  return () => {
    ours.unpipe(theirs);
    ours.pause();
    // process.stdin keeps the event loop alive while it is being read.
    (ours as NodeJS.ReadableStream & { destroy?: () => void }).destroy?.();
  };
}

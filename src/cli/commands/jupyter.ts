import { FileTokenStore, openJupyterTunnel } from '../../core/api';
import { usageError } from '../../core/errors';
import { validateName } from '../../core/validate';
import type { CliCommand, CliIo } from '../command';
import { parseCommandArgs, requireName, stringOption } from '../args';
import { HOST_USAGE, REMOTE_HOST_OPTIONS, remoteContext } from '../host-options';

const usage = `gpu-env jupyter NAME [--port N] [--print-url-only] ${HOST_USAGE}`;

export const jupyterCommand: CliCommand = {
  name: 'jupyter',
  usage,
  async run(argv, io) {
    const { values, positionals } = parseCommandArgs(argv, {
      port: { type: 'string', short: 'p' },
      'print-url-only': { type: 'boolean' },
      ...REMOTE_HOST_OPTIONS,
    }, usage);
    const name = validateName('NAME', requireName(positionals, usage));
    const port = localPort(stringOption(values, 'port'));
    // --print-url-only: stdout gets the URL line and nothing else is printed, for scripts.
    const quiet = values['print-url-only'] === true;
    const say = (line: string): void => {
      if (!quiet) io.stderr.write(`${line}\n`);
    };
    const ctx = remoteContext(io, values);
    const tokens = new FileTokenStore(ctx.stateDir);
    const tunnel = await openJupyterTunnel(name, ctx, tokens, {
      port,
      portField: '--port',
      onStep: (message) => say(`• ${message}`),
      onError: (message) => io.stderr.write(`! ${message}\n`),
    });
    try {
      say(`• Forwarding 127.0.0.1:${tunnel.forward.port} here to 127.0.0.1:${tunnel.server.port} in gpu-env-${name}`);
      // The one line that holds the token; everything else stays free of it.
      io.stdout.write(`${tunnel.url}\n`);
      say('Press Ctrl-C to close the tunnel (Jupyter keeps running in the environment).');
      await untilInterrupted(io);
    } finally {
      await tunnel.close();
    }
    return 0;
  },
};

function localPort(value: string | undefined): number {
  if (value === undefined) return 0;
  const port = /^\d{1,5}$/.test(value.trim()) ? Number(value) : NaN;
  if (!(port >= 0 && port <= 65535)) throw usageError(`--port: "${value}" is not a port; use 1 to 65535, or 0 for any free one`);
  return port;
}

/** Ctrl-C (SIGINT/SIGTERM, turned into the abort of io.signal) is how this command ends: success. */
function untilInterrupted(io: CliIo): Promise<void> {
  return new Promise((resolve) => {
    if (io.signal.aborted) return resolve();
    io.signal.addEventListener('abort', () => resolve(), { once: true });
  });
}

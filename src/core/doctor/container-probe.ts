import type { Readable } from 'node:stream';
import { sleep, withDeadline } from '../util/abort';
import type { EnvironmentInfo } from '../lifecycle/environment-info';
import type { ExecResult, SshSession } from '../ssh/session';

export const COMMAND_TIMEOUT_MS = 20_000;
/** How long output may trail the exit status before the probe stops waiting for it. */
const OUTPUT_GRACE_MS = 2_000;

/** Runs commands in an environment over one SSH session; a command asked twice runs once. */
export interface ContainerProbe {
  run(command: string, timeoutMs?: number): Promise<ExecResult>;
  /** `command -v NAME`: the path, or undefined when the command is not installed. */
  which(name: string): Promise<string | undefined>;
}

/** What the in-container checks work on. */
export interface ContainerTarget {
  readonly info: EnvironmentInfo;
  readonly probe: ContainerProbe;
}

export function containerProbe(session: SshSession, label: string, signal: AbortSignal | undefined): ContainerProbe {
  const results = new Map<string, Promise<ExecResult>>();
  const run = (command: string, timeoutMs = COMMAND_TIMEOUT_MS): Promise<ExecResult> => {
    let result = results.get(command);
    if (!result) {
      // The deadline is the command's own, not the asking check's, so a shared result never carries
      // another check's cancellation.
      result = withDeadline(`\`${command}\` in ${label}`, timeoutMs, signal, (s) => execFully(session, command, s));
      results.set(command, result);
    }
    return result;
  };
  return {
    run,
    async which(name) {
      if (!/^[A-Za-z0-9_.+-]+$/.test(name)) throw new Error(`not a command name: ${name}`);
      const result = await run(`command -v ${name}`);
      const path = result.stdout.trim().split(/\r?\n/)[0] ?? '';
      return result.code === 0 && path !== '' ? path : undefined;
    },
  };
}

/**
 * Like SshSession.exec, but waits for the output streams to end, not only for the channel to close:
 * ssh2 can close the channel before its last output chunk has passed through, and exec then returns
 * empty stdout with exit 0 (seen in about 3% of short commands). A doctor must not misreport that.
 */
async function execFully(session: SshSession, command: string, signal: AbortSignal): Promise<ExecResult> {
  const remote = await session.spawn(command, { signal });
  const stdout = collect(remote.stdout);
  const stderr = collect(remote.stderr);
  remote.stdin.end();
  const exit = await remote.exit;
  await Promise.race([Promise.all([stdout.ended, stderr.ended]), sleep(OUTPUT_GRACE_MS, signal).catch(() => undefined)]);
  return { ...exit, stdout: stdout.text(), stderr: stderr.text() };
}

function collect(stream: Readable): { readonly ended: Promise<void>; text(): string } {
  const chunks: Buffer[] = [];
  stream.on('data', (chunk: Buffer) => chunks.push(chunk));
  const ended = new Promise<void>((resolve) => {
    stream.once('end', resolve);
    stream.once('close', resolve);
    stream.once('error', () => resolve());
  });
  return { ended, text: () => Buffer.concat(chunks).toString() };
}

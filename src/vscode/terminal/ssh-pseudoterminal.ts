import { StringDecoder } from 'node:string_decoder';
import type { RemoteProcess, SshSession } from '../../core/ssh/session';
import { messageOf } from '../../shared/errors';
import type { TerminalBackend, TerminalSize } from '../ui';
import type { Translate } from '../l10n';
import type { Log } from '../log';
import { Emitter } from '../util/emitter';

/**
 * A login shell in the workspace (GPU_ENV_WORKSPACE where the environment's sessions name it, else a
 * container's /workspace); `$SHELL` is the user's shell, bash when unset.
 */
export const SHELL_COMMAND = 'cd "${GPU_ENV_WORKSPACE:-/workspace}" 2>/dev/null || cd; exec "${SHELL:-/bin/bash}" -l';
export const DEFAULT_SIZE: TerminalSize = { columns: 80, rows: 24 };
/** Keystrokes typed while connecting are kept (up to this much) and sent once the shell is there. */
const MAX_PENDING_INPUT = 64 * 1024;

export interface SshTerminalOptions {
  /** Shown while connecting and when the connection ends, e.g. gpu-env-default. */
  readonly label: string;
  readonly connect: () => Promise<SshSession>;
  readonly t: Translate;
  readonly log: Log;
}

type Phase = 'new' | 'connecting' | 'open' | 'ended' | 'closed';

/**
 * A VS Code terminal backed by a shell over the core's SSH session, with a PTY sized like the
 * terminal and resized with it. Works wherever extension pseudoterminals do (desktop, code-server),
 * since it needs no local ssh binary.
 */
export class SshPseudoterminal implements TerminalBackend {
  private readonly written = new Emitter<string>();
  private readonly closed = new Emitter<number | void>();
  readonly onDidWrite = this.written.event;
  readonly onDidClose = this.closed.event;
  private phase: Phase = 'new';
  private size: TerminalSize = DEFAULT_SIZE;
  private session: SshSession | undefined;
  private process: RemoteProcess | undefined;
  private pendingInput = '';

  constructor(private readonly options: SshTerminalOptions) {}

  open(dimensions: TerminalSize | undefined): void {
    if (dimensions) this.size = dimensions;
    this.phase = 'connecting';
    const { t } = this.options;
    this.write(`${t('Connecting to {0}…', this.options.label)}\r\n`);
    void this.connect();
  }

  handleInput(data: string): void {
    if (this.phase === 'ended') return this.dispose(undefined);
    if (this.process) {
      this.process.stdin.write(data);
    } else if (this.phase === 'connecting' && this.pendingInput.length + data.length <= MAX_PENDING_INPUT) {
      this.pendingInput += data;
    }
  }

  setDimensions(dimensions: TerminalSize): void {
    this.size = dimensions;
    this.process?.resize(dimensions.columns, dimensions.rows);
  }

  /** The user closed the terminal: hang up (the remote shell gets SIGHUP). */
  close(): void {
    this.phase = 'closed';
    this.process?.close();
    this.session?.close();
  }

  private async connect(): Promise<void> {
    try {
      this.session = await this.options.connect();
      if (this.phase === 'closed') return this.session.close();
      const process = await this.session.spawn(SHELL_COMMAND, { pty: { cols: this.size.columns, rows: this.size.rows, term: 'xterm-256color' } });
      if (this.phase !== 'connecting') {
        process.close();
        return this.session.close();
      }
      this.attach(process);
      const exit = await process.exit;
      this.ended(exit.code, exit.signal);
    } catch (error) {
      this.options.log.error(`terminal to ${this.options.label}: ${messageOf(error)}`);
      const { t } = this.options;
      this.endWithMessage(t('Cannot open a shell in {0}: {1}', this.options.label, messageOf(error)));
    }
  }

  private attach(process: RemoteProcess): void {
    this.process = process;
    this.phase = 'open';
    const out = new StringDecoder('utf8');
    const err = new StringDecoder('utf8');
    process.stdout.on('data', (chunk: Buffer) => this.write(out.write(chunk)));
    process.stderr.on('data', (chunk: Buffer) => this.write(err.write(chunk)));
    if (this.pendingInput !== '') process.stdin.write(this.pendingInput);
    this.pendingInput = '';
    // The terminal may have been resized while we connected.
    process.resize(this.size.columns, this.size.rows);
  }

  /** A clean `exit` closes the terminal; anything else stays on screen until a key is pressed. */
  private ended(code: number | null, signal: string | null): void {
    if (this.phase === 'closed') return;
    this.session?.close();
    if (code === 0) return this.dispose(0);
    const { t } = this.options;
    const reason = code !== null ? t('exit code {0}', code) : signal !== null ? t('ended by signal {0}', signal) : t('connection lost');
    this.endWithMessage(t('The shell in {0} ended: {1}.', this.options.label, reason));
  }

  private endWithMessage(message: string): void {
    if (this.phase === 'closed') return;
    this.phase = 'ended';
    this.process = undefined;
    const { t } = this.options;
    this.write(`\r\n\x1b[31m${message}\x1b[0m\r\n${t('Press any key to close this terminal.')}\r\n`);
  }

  private dispose(code: number | undefined): void {
    this.phase = 'closed';
    this.closed.fire(code);
  }

  private write(text: string): void {
    if (text !== '') this.written.fire(text);
  }
}

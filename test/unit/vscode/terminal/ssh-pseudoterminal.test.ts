import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import type { RemoteExit, RemoteProcess, SpawnOptions, SshSession } from '../../../../src/core/ssh/session';
import { formatOnly } from '../../../support/format-only';
import { SHELL_COMMAND, SshPseudoterminal } from '../../../../src/vscode/terminal/ssh-pseudoterminal';
import { RecordingLog, settle } from '../../../support/extension-fakes';

class FakeProcess implements RemoteProcess {
  readonly stdin = new PassThrough();
  readonly stdout = new PassThrough();
  readonly stderr = new PassThrough();
  readonly input: string[] = [];
  readonly resizes: Array<[number, number]> = [];
  closed = false;
  private finish: (exit: RemoteExit) => void = () => {};
  readonly exit = new Promise<RemoteExit>((resolve) => (this.finish = resolve));

  constructor() {
    this.stdin.on('data', (chunk: Buffer) => this.input.push(chunk.toString()));
  }
  resize(cols: number, rows: number): void {
    this.resizes.push([cols, rows]);
  }
  close(): void {
    this.closed = true;
    this.finish({ code: null, signal: null });
  }
  end(exit: RemoteExit): void {
    this.finish(exit);
  }
}

class FakeSession implements SshSession {
  readonly process = new FakeProcess();
  readonly spawns: Array<{ command: string; options: SpawnOptions | undefined }> = [];
  closedCount = 0;
  readonly closed = Promise.resolve();
  exec(): never {
    throw new Error('not used');
  }
  async spawn(command: string, options?: SpawnOptions): Promise<RemoteProcess> {
    this.spawns.push({ command, options });
    return this.process;
  }
  close(): void {
    this.closedCount++;
  }
}

function terminal(connect: () => Promise<SshSession>) {
  const pty = new SshPseudoterminal({ label: 'gpu-env-exp', connect, t: formatOnly, log: new RecordingLog() });
  const output: string[] = [];
  const closes: Array<number | void> = [];
  pty.onDidWrite((text) => output.push(text));
  pty.onDidClose((code) => closes.push(code));
  return { pty, output, closes };
}

describe('SSH terminal', () => {
  it('starts a login shell in /workspace with a PTY of the terminal\'s size', async () => {
    const session = new FakeSession();
    const { pty, output } = terminal(async () => session);
    pty.open({ columns: 120, rows: 40 });
    await settle();
    expect(session.spawns).toEqual([{ command: SHELL_COMMAND, options: { pty: { cols: 120, rows: 40, term: 'xterm-256color' } } }]);
    expect(SHELL_COMMAND).toContain('cd "${GPU_ENV_WORKSPACE:-/workspace}"');
    expect(output[0]).toBe('Connecting to gpu-env-exp…\r\n');
  });

  it('relays output (UTF-8 split across chunks), input and resizes', async () => {
    const session = new FakeSession();
    const { pty, output } = terminal(async () => session);
    pty.open(undefined);
    await settle();
    const euro = Buffer.from('€ ok\r\n');
    session.process.stdout.write(euro.subarray(0, 1));
    session.process.stdout.write(euro.subarray(1));
    session.process.stderr.write('warning\r\n');
    pty.handleInput('ls\r');
    pty.setDimensions({ columns: 100, rows: 30 });
    await settle();
    expect(output.slice(1).join('')).toBe('€ ok\r\nwarning\r\n');
    expect(session.process.input).toEqual(['ls\r']);
    expect(session.process.resizes).toContainEqual([100, 30]);
    expect(session.spawns[0]!.options?.pty).toMatchObject({ cols: 80, rows: 24 });
  });

  it('sends keys typed while connecting once the shell is there, and applies a resize made meanwhile', async () => {
    const session = new FakeSession();
    let connect: (s: SshSession) => void = () => {};
    const { pty } = terminal(() => new Promise((resolve) => (connect = resolve)));
    pty.open({ columns: 80, rows: 24 });
    pty.handleInput('echo hi\r');
    pty.setDimensions({ columns: 132, rows: 50 });
    connect(session);
    await settle();
    expect(session.process.input).toEqual(['echo hi\r']);
    expect(session.spawns[0]!.options?.pty).toMatchObject({ cols: 132, rows: 50 });
  });

  it('closes the terminal when the shell exits cleanly', async () => {
    const session = new FakeSession();
    const { pty, closes } = terminal(async () => session);
    pty.open(undefined);
    await settle();
    session.process.end({ code: 0, signal: null });
    await settle();
    expect(closes).toEqual([0]);
    expect(session.closedCount).toBe(1);
  });

  it('keeps a failed shell on screen until a key is pressed', async () => {
    const session = new FakeSession();
    const { pty, output, closes } = terminal(async () => session);
    pty.open(undefined);
    await settle();
    session.process.end({ code: 255, signal: null });
    await settle();
    expect(output.join('')).toContain('The shell in gpu-env-exp ended: exit code 255.');
    expect(closes).toEqual([]);
    pty.handleInput('x');
    expect(closes).toEqual([undefined]);
  });

  it('shows why it could not connect', async () => {
    const { pty, output, closes } = terminal(async () => {
      throw new Error('environment "exp" is stopped; start it');
    });
    pty.open(undefined);
    await settle();
    expect(output.join('')).toContain('Cannot open a shell in gpu-env-exp: environment "exp" is stopped; start it');
    expect(closes).toEqual([]);
  });

  it('hangs up when the user closes the terminal, even mid-connect', async () => {
    const session = new FakeSession();
    let connect: (s: SshSession) => void = () => {};
    const { pty, closes } = terminal(() => new Promise((resolve) => (connect = resolve)));
    pty.open(undefined);
    pty.close();
    connect(session);
    await settle();
    expect(session.spawns).toEqual([]);
    expect(session.closedCount).toBe(1);
    expect(closes).toEqual([]);

    const open = new FakeSession();
    const second = terminal(async () => open);
    second.pty.open(undefined);
    await settle();
    second.pty.close();
    expect(open.process.closed).toBe(true);
    expect(open.closedCount).toBe(1);
  });
});

import { describe, expect, it } from 'vitest';
import type { CliIo } from '../../../../src/cli/command';
import { testIo } from '../../../support/cli-io';
import { main } from '../../../../src/cli/main';
import { type MonitorDeps, createMonitorCommand } from '../../../../src/cli/commands/monitor';
import { loadAgentScript } from '../../../../src/core/gpu/agent-invocation';
import type { SshSession } from '../../../../src/core/ssh/session';
import { FakeSession, HELLO, sample } from '../../../support/fake-agent-session';
import { LocalSession, waitFor } from '../../../support/local-process-session';

function deps(openSession: () => Promise<SshSession>, overrides: Partial<MonitorDeps> = {}): MonitorDeps & { opened: number } {
  const d = {
    opened: 0,
    openSession: async () => {
      d.opened++;
      return openSession();
    },
    loadAgentScript: () => 'print("agent")\n',
    now: () => 1_800_000_000_500,
    onceTimeoutMs: 10_000,
    ...overrides,
  };
  return d;
}

function run(argv: string[], io: CliIo, d: MonitorDeps): Promise<number> {
  const command = createMonitorCommand(d);
  return main(['monitor', ...argv], io, [{ name: command.name, summary: 'monitor', load: () => command }]);
}

describe('gpu-env monitor: input validation before connecting', () => {
  it.each([['--interval', '50'], ['--interval', '60001'], ['--interval', 'abc'], ['--interval', '1.5'], ['--interval=-100'], ['--interval', '']])('%s %s exits 2 naming the flag and the accepted form', async (...flag) => {
    const io = testIo();
    const d = deps(async () => new FakeSession());
    expect(await run(['demo', ...flag], io, d)).toBe(2);
    expect(io.err()).toContain('--interval');
    expect(io.err()).toContain('integer number of milliseconds from 100 to 60000');
    expect(d.opened).toBe(0);
  });

  it('--interval without a value, a missing NAME, or an unknown flag: exit 2', async () => {
    for (const argv of [['demo', '--interval'], [], ['demo', '--fast']]) {
      const io = testIo();
      const d = deps(async () => new FakeSession());
      expect(await run(argv, io, d)).toBe(2);
      expect(io.err()).toMatch(/usage: gpu-env monitor NAME/);
      expect(d.opened).toBe(0);
    }
  });
});

describe('gpu-env monitor: output', () => {
  it('--once --json with the real agent (local processes stand in for SSH): one JSON sample, exit 0', async () => {
    const session = new LocalSession();
    const io = testIo();
    const code = await run(['demo', '--once', '--json', '--interval', '100'], io, deps(async () => session, { loadAgentScript: () => loadAgentScript() }));
    expect(code).toBe(0);
    const lines = io.out().trim().split('\n');
    expect(lines).toHaveLength(1);
    const parsed = JSON.parse(lines[0]!) as Record<string, unknown>;
    expect(parsed).toMatchObject({ type: 'sample', env: 'demo', seq: 1 });
    expect(parsed['container']).toMatchObject({ memoryLimited: expect.any(Boolean) as unknown });
    await waitFor(() => session.liveGroups().length === 0, 'the agent to be stopped');
  });

  it('--once without --json prints the table on stdout', async () => {
    const session = new FakeSession((r) => r.write(`${HELLO}\n${sample(1, 'Fake RTX')}\n`));
    const io = testIo();
    expect(await run(['demo', '--once'], io, deps(async () => session))).toBe(0);
    expect(io.out()).toMatch(/^demo · \d\d:\d\d:\d\d · GPU source nvml · every 100 ms\n/);
    expect(io.out()).toMatch(/GPU\s+NAME\s+UTIL\s+MEMORY/);
    expect(io.out()).toMatch(/0\s+Fake RTX\s+50%/);
    expect(io.out()).toContain('CPU 5%');
    expect(session.remotes[0]!.stdinText).toBe('print("agent")\n');
  });

  it('--host and --accept-new-host-key reach the session it opens (a remote host asks about its key there)', async () => {
    const asked: { host: string | undefined; acceptNewHostKey: boolean }[] = [];
    for (const extra of [['--accept-new-host-key'], []]) {
      const session = new FakeSession((r) => r.write(`${HELLO}\n${sample(1, 'Fake RTX')}\n`));
      const d = deps(async () => session, {
        openSession: async (_name, { host, acceptNewHostKey }) => {
          asked.push({ host, acceptNewHostKey });
          return session;
        },
      });
      expect(await run(['demo', '--once', '--host', 'ssh://me@gpu-box', ...extra], testIo(), d)).toBe(0);
    }
    expect(asked).toEqual([{ host: 'ssh://me@gpu-box', acceptNewHostKey: true }, { host: 'ssh://me@gpu-box', acceptNewHostKey: false }]);
  });

  it('not a terminal: one line per sample on stdout until interrupted (exit 0)', async () => {
    const session = new FakeSession((r) => r.write(`${sample(1)}\n${sample(2)}\n`));
    const io = testIo(false);
    const done = run(['demo'], io, deps(async () => session));
    await waitFor(() => io.out().split('\n').length > 2, 'two lines');
    io.abort();
    expect(await done).toBe(0);
    const lines = io.out().trim().split('\n');
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(/^2027-\d\d-\d\dT.* GPU 50% · CPU 5%/);
    expect(session.closeCalls).toBe(1);
  });

  it('terminal: the table is redrawn in place on stderr', async () => {
    const session = new FakeSession((r) => {
      r.write(`${sample(1)}\n`);
      setTimeout(() => r.write(`${sample(2)}\n`), 30);
    });
    const io = testIo(true);
    const done = run(['demo'], io, deps(async () => session));
    await waitFor(() => (io.err().match(/GPU source nvml/g) ?? []).length === 2, 'two draws');
    io.abort();
    expect(await done).toBe(0);
    expect(io.out()).toBe('');
    // The second draw moves the cursor up over exactly the first block, then clears below it.
    const [firstBlock] = io.err().split('\x1b[');
    const height = firstBlock!.split('\n').length - 1;
    expect(height).toBeGreaterThan(2);
    expect(io.err()).toContain(`\x1b[${height}F\x1b[0J`);
  });

  it('--json also writes gap markers when the agent channel breaks', async () => {
    let spawns = 0;
    const session = new FakeSession((r) => {
      spawns++;
      r.write(`${sample(spawns)}\n`);
      if (spawns === 1) setTimeout(() => r.finish({ code: 137, signal: null }), 10);
    });
    const io = testIo();
    const done = run(['demo', '--json', '--interval', '100'], io, deps(async () => session));
    await waitFor(() => io.out().trim().split('\n').length >= 3, 'sample, gap, sample', 5000);
    io.abort();
    expect(await done).toBe(0);
    const types = io.out().trim().split('\n').map((l) => (JSON.parse(l) as { type: string }).type);
    expect(types.slice(0, 3)).toEqual(['sample', 'gap', 'sample']);
    expect(JSON.parse(io.out().split('\n')[1]!)).toEqual({
      type: 'gap', env: 'demo', atMs: 1_800_000_000_500, lastSampleAtMs: 1_800_000_000_500, reason: 'agent exited with code 137',
    });
  });

  it('--once gives up after its deadline with the last reason (exit 1)', async () => {
    const io = testIo();
    const d = deps(async () => { throw new Error('environment "demo" is not running'); }, { onceTimeoutMs: 150 });
    expect(await run(['demo', '--once'], io, d)).toBe(1);
    expect(io.err()).toContain('no sample from demo within 150 ms: cannot connect: environment "demo" is not running');
  });

  it('Ctrl-C before --once got its sample exits 130', async () => {
    const io = testIo();
    const done = run(['demo', '--once'], io, deps(async () => new FakeSession()));
    setTimeout(() => io.abort(), 30);
    expect(await done).toBe(130);
  });
});

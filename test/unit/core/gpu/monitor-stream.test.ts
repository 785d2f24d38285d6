import { afterEach, describe, expect, it } from 'vitest';
import type { SshSession } from '../../../../src/core/ssh/session';
import { agentInvocation, loadAgentScript } from '../../../../src/core/gpu/agent-invocation';
import { type MonitorEvent, type MonitorStream, startMonitorStream } from '../../../../src/core/gpu/monitor-stream';
import { LocalSession, waitFor } from '../../../support/local-process-session';
import { FakeSession, HELLO, sample } from '../../../support/fake-agent-session';

const AGENT = agentInvocation('print("agent source")\n', 100);
const running: MonitorStream[] = [];

function start(openSession: (signal: AbortSignal) => Promise<SshSession>, extra: Partial<Parameters<typeof startMonitorStream>[0]> = {}) {
  const events: MonitorEvent[] = [];
  const stream = startMonitorStream({
    openSession, agent: AGENT, onEvent: (e) => events.push(e), baseDelayMs: 10, maxDelayMs: 80, random: () => 1, ...extra,
  });
  running.push(stream);
  const of = <K extends MonitorEvent['kind']>(kind: K) => events.filter((e): e is Extract<MonitorEvent, { kind: K }> => e.kind === kind);
  return { stream, events, of };
}

afterEach(async () => {
  await Promise.all(running.splice(0).map((s) => s.stop()));
});

describe('monitor stream over a fake SSH session', () => {
  it('starts the agent once, feeds it its source on stdin, and emits hello and samples', async () => {
    const session = new FakeSession((r) => r.write(`${HELLO}\n${sample(1)}\n${sample(2)}\n`));
    const { of, stream } = start(async () => session);
    await waitFor(() => of('sample').length === 2, 'two samples');
    expect(session.remotes).toHaveLength(1);
    expect(session.remotes[0]!.command).toBe(AGENT.command);
    expect(session.remotes[0]!.stdinText).toBe(AGENT.stdin);
    expect(session.remotes[0]!.stdinEnded).toBe(true);
    expect(of('hello')[0]!.hello.pidNamespace).toBe('child');
    expect(of('sample').map((e) => e.sample.seq)).toEqual([1, 2]);
    expect(stream.stats()).toMatchObject({ samples: 2, rejectedLines: 0, attaches: 1 });
  });

  it('reassembles lines split across chunks, including inside a UTF-8 character', async () => {
    const bytes = Buffer.from(`${sample(1, 'Grafikkarte é→😀')}\n`);
    const session = new FakeSession((r) => {
      const cuts = [5, bytes.indexOf(Buffer.from('é')) + 1, bytes.indexOf(Buffer.from('😀')) + 2, bytes.length];
      let from = 0;
      for (const cut of cuts) {
        r.write(bytes.subarray(from, cut));
        from = cut;
      }
    });
    const { of } = start(async () => session);
    await waitFor(() => of('sample').length === 1, 'the sample');
    const gpu = of('sample')[0]!.sample.gpu;
    expect(gpu.available && gpu.devices[0]!.name).toBe('Grafikkarte é→😀');
  });

  it('drops an oversized line, counts it, and carries on', async () => {
    const session = new FakeSession((r) => {
      r.write(`{"type":"sample","pad":"${'x'.repeat(20_000)}`);
      r.write(`${'y'.repeat(20_000)}"}\n${sample(3)}\n`);
    });
    const { of, stream } = start(async () => session, { maxLineBytes: 16_384 });
    await waitFor(() => of('sample').length === 1, 'the sample after the huge line');
    expect(of('sample')[0]!.sample.seq).toBe(3);
    expect(stream.stats().oversizedLines).toBe(1);
  });

  it('reports garbage lines as rejected without stopping', async () => {
    const session = new FakeSession((r) => r.write(`Last login: Mon\n${sample(1)}\n`));
    const { of, stream } = start(async () => session);
    await waitFor(() => of('sample').length === 1, 'the sample');
    expect(of('rejected-line')).toEqual([{ kind: 'rejected-line', reason: 'not a JSON object' }]);
    expect(stream.stats().rejectedLines).toBe(1);
  });

  it('when the agent channel ends: one gap marker, backoff, the agent again on the same connection', async () => {
    let spawns = 0;
    const session = new FakeSession((r) => {
      spawns++;
      r.write(`${HELLO}\n${sample(spawns * 10)}\n`);
      if (spawns === 1) setTimeout(() => r.finish({ code: 1, signal: null }, 'Traceback: boom\n'), 20);
    });
    const { of, events } = start(async () => session, { now: () => 5000 });
    await waitFor(() => of('sample').length === 2, 'a sample after the reconnect');
    const gaps = of('gap');
    expect(gaps).toHaveLength(1);
    expect(gaps[0]).toEqual({ kind: 'gap', atMs: 5000, lastSampleAtMs: 5000, reason: 'agent exited with code 1: Traceback: boom' });
    const kinds = events.map((e) => e.kind);
    expect(kinds.indexOf('gap')).toBeLessThan(kinds.indexOf('waiting'));
    // After a stream that delivered samples the backoff starts again from its base.
    expect(of('waiting')[0]).toMatchObject({ attempt: 0, delayMs: 10 });
    expect(session.remotes).toHaveLength(2);
    expect(session.closeCalls).toBe(0);
  });

  it('when the connection drops: a new session, and the gap names the cause', async () => {
    const sessions: FakeSession[] = [];
    const open = async () => {
      const s = new FakeSession((r) => r.write(`${sample(sessions.length)}\n`));
      sessions.push(s);
      return s;
    };
    const { of } = start(open);
    await waitFor(() => of('sample').length === 1, 'first sample');
    sessions[0]!.drop();
    await waitFor(() => of('sample').length === 2, 'sample on the new session');
    expect(sessions).toHaveLength(2);
    expect(of('gap')).toHaveLength(1);
    expect(of('gap')[0]!.reason).toMatch(/SSH connection closed|channel closed|agent/);
  });

  it('backs off exponentially up to the cap while connecting fails, with no gap markers', async () => {
    let attempts = 0;
    const { of } = start(async () => {
      attempts++;
      throw new Error('connect ECONNREFUSED 127.0.0.1:2222');
    });
    await waitFor(() => of('waiting').length >= 5, 'five failed attempts', 5000);
    expect(of('waiting').slice(0, 5).map((e) => e.delayMs)).toEqual([20, 40, 80, 80, 80]);
    expect(of('waiting')[0]!.reason).toBe('cannot connect: connect ECONNREFUSED 127.0.0.1:2222');
    expect(of('gap')).toEqual([]);
    expect(attempts).toBeGreaterThanOrEqual(5);
  });

  it('jitter stays within half to all of the current ceiling', async () => {
    const { of } = start(async () => { throw new Error('no'); }, { random: () => 0, baseDelayMs: 40, maxDelayMs: 1000 });
    await waitFor(() => of('waiting').length >= 2, 'two attempts');
    expect(of('waiting').slice(0, 2).map((e) => e.delayMs)).toEqual([40, 80]);
  });

  it('treats silence as a dead connection and reconnects', async () => {
    const sessions: FakeSession[] = [];
    const open = async () => {
      const s = new FakeSession((r) => r.write(sessions.length === 1 ? `${HELLO}\n${sample(1)}\n` : `${sample(2)}\n`));
      sessions.push(s);
      return s;
    };
    const { of } = start(open, { stallTimeoutMs: 100 });
    await waitFor(() => of('sample').length === 2, 'the sample after the stall', 5000);
    expect(of('gap')[0]!.reason).toBe('no data from the agent for 100 ms');
    expect(sessions[0]!.closeCalls).toBe(1);
  });

  it('says so when python3 is missing', async () => {
    const session = new FakeSession((r) => r.finish({ code: 127, signal: null }, 'gpu-env agent: no python3 in this environment\n'));
    const { of } = start(async () => session);
    await waitFor(() => of('waiting').length >= 1, 'a failed attempt');
    expect(of('waiting')[0]!.reason).toBe('python3 not found in the environment: gpu-env agent: no python3 in this environment');
  });

  it('stop() closes the channel and the session it opened, and nothing restarts', async () => {
    const session = new FakeSession((r) => r.write(`${sample(1)}\n`));
    const { of, stream } = start(async () => session);
    await waitFor(() => of('sample').length === 1, 'a sample');
    await stream.stop();
    expect(session.remotes[0]!.closed).toBe(true);
    expect(session.closeCalls).toBe(1);
    expect(of('stopped')).toHaveLength(1);
    expect(of('gap')).toEqual([]);
    await new Promise((r) => setTimeout(r, 50));
    expect(session.remotes).toHaveLength(1);
  });

  it('a listener that throws does not break the stream', async () => {
    const session = new FakeSession((r) => r.write(`${sample(1)}\n${sample(2)}\n`));
    let seen = 0;
    const stream = startMonitorStream({
      openSession: async () => session, agent: AGENT, baseDelayMs: 10,
      onEvent: (e) => { if (e.kind === 'sample') { seen++; throw new Error('listener bug'); } },
    });
    running.push(stream);
    await waitFor(() => seen === 2, 'both samples');
  });
});

describe('monitor stream with the real agent (local processes standing in for SSH)', () => {
  it('streams the real agent: hello, then CPU/memory samples, then stops it', async () => {
    const session = new LocalSession();
    const events: MonitorEvent[] = [];
    // No NVML and no nvidia-smi, whatever this machine has: the "no driver" path, deterministically.
    const agent = agentInvocation(loadAgentScript(), 100);
    const command = `GPU_ENV_NVML_LIBRARY=/nonexistent PATH=/usr/bin:/bin; export GPU_ENV_NVML_LIBRARY PATH; ${agent.command}`;
    const stream = startMonitorStream({ openSession: async () => session, agent: { ...agent, command }, onEvent: (e) => events.push(e) });
    running.push(stream);
    await waitFor(() => events.filter((e) => e.kind === 'sample').length >= 3, 'three samples from the agent', 15_000);
    const hello = events.find((e): e is Extract<MonitorEvent, { kind: 'hello' }> => e.kind === 'hello');
    expect(hello?.hello).toMatchObject({ protocol: 1, intervalMs: 100, source: 'none' });
    const samples = events.filter((e): e is Extract<MonitorEvent, { kind: 'sample' }> => e.kind === 'sample');
    for (const { sample: s } of samples) {
      expect(s.gpu).toMatchObject({ available: false, code: 'no-driver', reason: 'no NVIDIA driver in this environment' });
      expect(s.container.memoryUsedBytes).toBeGreaterThan(0);
    }
    expect(events.filter((e) => e.kind === 'rejected-line')).toEqual([]);
    await stream.stop();
    await waitFor(() => session.liveGroups().length === 0, 'the agent to exit');
  });

});

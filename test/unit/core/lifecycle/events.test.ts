import { PassThrough } from 'node:stream';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { defaultContext } from '../../../../src/core/lifecycle/context';
import { environmentChange, watchEnvironmentEvents, type EnvironmentChange } from '../../../../src/core/lifecycle/events';

afterEach(() => {
  vi.useRealTimers();
});

const event = (name: string, action: string) =>
  `${JSON.stringify({ Type: 'container', Action: action, Actor: { ID: 'abc', Attributes: { 'dev.gpu-env.name': name, image: 'x' } }, time: 1 })}\n`;

describe('environmentChange', () => {
  it('reads the environment name from the label and the action', () => {
    expect(environmentChange(JSON.parse(event('exp', 'die')))).toEqual({ kind: 'event', name: 'exp', action: 'die' });
    expect(environmentChange({ status: 'start', Actor: { Attributes: { 'dev.gpu-env.name': 'old' } } })).toEqual({ kind: 'event', name: 'old', action: 'start' });
  });

  it.each([null, 'text', {}, { Action: 'die' }, { Action: 'die', Actor: { Attributes: { name: 'x' } } }, { Action: 5, Actor: { Attributes: { 'dev.gpu-env.name': 'x' } } }])(
    'ignores %j',
    (value) => {
      expect(environmentChange(value)).toBeUndefined();
    },
  );
});

describe('watchEnvironmentEvents', () => {
  it('emits resync on connect, then one change per event, split across chunks', async () => {
    const stream = new PassThrough();
    const changes: EnvironmentChange[] = [];
    const watcher = watchEnvironmentEvents(defaultContext(), (c) => changes.push(c), { openStream: async () => stream });
    await vi.waitFor(() => expect(changes).toEqual([{ kind: 'resync' }]));
    const text = event('a', 'start') + event('b', 'die');
    stream.write(text.slice(0, 30));
    stream.write(text.slice(30));
    await vi.waitFor(() => expect(changes).toHaveLength(3));
    expect(changes.slice(1)).toEqual([{ kind: 'event', name: 'a', action: 'start' }, { kind: 'event', name: 'b', action: 'die' }]);
    watcher.dispose();
  });

  it('reconnects with growing, capped delays while the engine is away, then resyncs', async () => {
    vi.useFakeTimers();
    const opens: number[] = [];
    const delays: number[] = [];
    const changes: EnvironmentChange[] = [];
    let failures = 5;
    const watcher = watchEnvironmentEvents(defaultContext(), (c) => changes.push(c), {
      baseDelayMs: 100,
      capDelayMs: 800,
      random: () => 1,
      onDisconnect: (_reason, delay) => delays.push(delay),
      openStream: async () => {
        opens.push(Date.now());
        if (failures-- > 0) throw new Error('connect ENOENT /var/run/docker.sock');
        return new PassThrough();
      },
    });
    await vi.advanceTimersByTimeAsync(10_000);
    expect(delays).toEqual([100, 200, 400, 800, 800]);
    expect(opens).toHaveLength(6);
    expect(changes).toEqual([{ kind: 'resync' }]);
    watcher.dispose();
  });

  it('reconnects when the stream ends, and starts the backoff afresh after a healthy connection', async () => {
    vi.useFakeTimers();
    const streams: PassThrough[] = [];
    const delays: number[] = [];
    const changes: EnvironmentChange[] = [];
    const watcher = watchEnvironmentEvents(defaultContext(), (c) => changes.push(c), {
      baseDelayMs: 100,
      capDelayMs: 10_000,
      healthyAfterMs: 1000,
      random: () => 1,
      onDisconnect: (_reason, delay) => delays.push(delay),
      openStream: async () => {
        const stream = new PassThrough();
        streams.push(stream);
        return stream;
      },
    });
    await vi.advanceTimersByTimeAsync(0);
    streams[0]!.end();
    await vi.advanceTimersByTimeAsync(100);
    expect(streams).toHaveLength(2);
    streams[1]!.destroy(new Error('socket hang up'));
    await vi.advanceTimersByTimeAsync(200);
    expect(streams).toHaveLength(3);
    await vi.advanceTimersByTimeAsync(5000);
    streams[2]!.end();
    await vi.advanceTimersByTimeAsync(100);
    expect(delays).toEqual([100, 200, 100]);
    expect(changes.filter((c) => c.kind === 'resync')).toHaveLength(4);
    watcher.dispose();
  });

  it('stops for good on dispose: the stream is closed and nothing reconnects', async () => {
    vi.useFakeTimers();
    const stream = new PassThrough();
    let opens = 0;
    const watcher = watchEnvironmentEvents(defaultContext(), () => {}, {
      baseDelayMs: 10,
      openStream: async (signal) => {
        opens++;
        signal.addEventListener('abort', () => stream.destroy());
        return stream;
      },
    });
    await vi.advanceTimersByTimeAsync(0);
    watcher.dispose();
    await vi.advanceTimersByTimeAsync(1000);
    expect(stream.destroyed).toBe(true);
    expect(opens).toBe(1);
  });

  it('stops when the context signal aborts', async () => {
    vi.useFakeTimers();
    const controller = new AbortController();
    let opens = 0;
    watchEnvironmentEvents(defaultContext({ signal: controller.signal }), () => {}, {
      baseDelayMs: 10,
      openStream: async () => {
        opens++;
        throw new Error('down');
      },
    });
    await vi.advanceTimersByTimeAsync(0);
    controller.abort();
    await vi.advanceTimersByTimeAsync(1000);
    expect(opens).toBe(1);
  });
});

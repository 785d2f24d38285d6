import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { EnvironmentInfo } from '../../../src/core/lifecycle/environment-info';
import { TimeLimitWarning, WARN_BEFORE_MS } from '../../../src/vscode/time-limit-warning';

const T0 = Date.parse('2026-12-03T10:00:00Z');
const t = (message: string, ...args: unknown[]): string => message.replace(/\{(\d)\}/g, (_m, i: string) => String(args[Number(i)]));

function info(name: string, endsAt: string | undefined, overrides: Partial<EnvironmentInfo> = {}): EnvironmentInfo {
  return {
    name, container: `gpu-env-${name}`, id: '42', state: 'running', status: 'running', image: '', gpus: 'gpu:1', workspace: '/w', engine: 'slurm://c',
    ssh: { host: 'node1', port: null, user: 'me', alias: `gpu-env-${name}` },
    job: { id: '42', state: 'RUNNING', nodes: ['node1'], partition: 'gpu' },
    ...(endsAt !== undefined ? { endsAt } : {}),
    ...overrides,
  };
}

describe('the warning before a time limit', () => {
  let environments: EnvironmentInfo[] = [];
  let listener: (() => void) | undefined;
  const warnings: string[] = [];
  const store = {
    environments: () => environments,
    onDidChange: (l: () => void) => {
      listener = l;
      return { dispose: () => (listener = undefined) };
    },
  } as never;
  const publish = (list: EnvironmentInfo[]): void => {
    environments = list;
    listener?.();
  };

  beforeEach(() => {
    vi.useFakeTimers();
    vi.setSystemTime(T0);
    warnings.length = 0;
  });
  afterEach(() => vi.useRealTimers());

  it('comes 10 minutes before the end, once, even if the list is read again', () => {
    const warning = new TimeLimitWarning({ store, t, warn: (m) => warnings.push(m) });
    const end = new Date(T0 + 60 * 60_000).toISOString();
    publish([info('exp', end)]);
    vi.advanceTimersByTime(60 * 60_000 - WARN_BEFORE_MS - 1_000);
    expect(warnings).toEqual([]);
    publish([info('exp', end)]);
    vi.advanceTimersByTime(2_000);
    expect(warnings).toEqual(['GPU environment "exp" reaches its time limit in 10 minutes (job 42): save your work; running training stops with it (checkpoints stay in the workspace).']);
    publish([info('exp', end)]);
    vi.advanceTimersByTime(5 * 60_000);
    expect(warnings).toHaveLength(1);
    warning.dispose();
  });

  it('comes at once when less than 10 minutes are left, and not for an environment that stopped', () => {
    const warning = new TimeLimitWarning({ store, t, warn: (m) => warnings.push(m) });
    publish([info('soon', new Date(T0 + 4 * 60_000).toISOString()), info('later', new Date(T0 + 30 * 60_000).toISOString())]);
    vi.advanceTimersByTime(10);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain('"soon" reaches its time limit in 4 minutes');
    publish([]);
    vi.advanceTimersByTime(60 * 60_000);
    expect(warnings).toHaveLength(1);
    warning.dispose();
  });

  it('ignores environments without a time limit', () => {
    const warning = new TimeLimitWarning({ store, t, warn: (m) => warnings.push(m) });
    publish([info('docker', undefined, { job: undefined })]);
    vi.advanceTimersByTime(24 * 3600_000);
    expect(warnings).toEqual([]);
    warning.dispose();
  });
});

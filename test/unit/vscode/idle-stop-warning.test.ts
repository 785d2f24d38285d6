import { describe, expect, it } from 'vitest';
import type { IdleReport } from '../../../src/core/lifecycle/idle-files';
import type { EnvironmentInfo } from '../../../src/core/lifecycle/environment-info';
import { IdleStopWarning } from '../../../src/vscode/idle-stop-warning';

const t = (message: string, ...args: unknown[]): string => message.replace(/\{(\d)\}/g, (_m, i: string) => String(args[Number(i)]));
const log = { info: () => undefined, warn: () => undefined, error: () => undefined, debug: () => undefined } as never;

function info(name: string, idleStopMs: number | undefined, state: EnvironmentInfo['state'] = 'running'): EnvironmentInfo {
  return {
    name, container: `gpu-env-${name}`, id: `id-${name}`, state, status: state, image: 'img', gpus: '0', workspace: '/w', engine: 'unix:///e',
    ssh: { host: '127.0.0.1', port: 1, user: 'dev', alias: `gpu-env-${name}` },
    ...(idleStopMs !== undefined ? { idleStopMs } : {}),
  };
}

function report(idleForMs: number, remainingMs: number, busy: string[] = []): IdleReport {
  return { windowMs: idleForMs + remainingMs, state: { windowMs: idleForMs + remainingMs, intervalMs: 60_000, thresholdPercent: 5, idleForMs, remainingMs, busy, sshSessions: 0, runsRunning: 0, gpuMaxPercent: 0, updatedAtMs: 1_000_000 + idleForMs } };
}

function setup(environments: EnvironmentInfo[], reports: Record<string, IdleReport>, answer: string | undefined) {
  const warnings: string[] = [];
  const infos: string[] = [];
  const kept: string[] = [];
  const read: string[] = [];
  const warning = new IdleStopWarning({
    store: { environments: () => environments, onDidChange: () => ({ dispose: () => undefined }) } as never,
    idleReport: async (name) => {
      read.push(name);
      return reports[name]!;
    },
    keepRunning: async (name) => void kept.push(name),
    warn: async (message) => {
      warnings.push(message);
      return answer;
    },
    info: (message) => infos.push(message),
    t, log, pollMs: 3_600_000,
  });
  return { warning, warnings, infos, kept, read };
}

describe('the warning before an idle stop', () => {
  it('reads only running environments with idle stop, and warns once 5 minutes before, with Keep running', async () => {
    const s = setup([info('a', 1_800_000), info('b', undefined), info('c', 1_800_000, 'stopped')], { a: report(1_560_000, 240_000) }, 'Keep running');
    await s.warning.poll();
    expect(s.read).toEqual(['a']);
    expect(s.warnings).toEqual(['GPU environment "a" stops itself in 4 min: no SSH session, no running training and GPU use under 5% for a while. It keeps everything; Start brings it back.']);
    expect(s.kept).toEqual(['a']);
    expect(s.infos).toEqual(['GPU environment "a" keeps running; its idle time counts again from now.']);
    await s.warning.poll();
    expect(s.warnings).toHaveLength(1);
    s.warning.dispose();
  });

  it('does not warn while more than 5 minutes remain, or while the environment is in use', async () => {
    const s = setup([info('a', 1_800_000), info('b', 600_000)], { a: report(1_000_000, 800_000), b: report(0, 60_000, ['ssh']) }, undefined);
    await s.warning.poll();
    expect(s.warnings).toEqual([]);
    s.warning.dispose();
  });

  it('dismissed: nothing is kept running', async () => {
    const s = setup([info('a', 60_000)], { a: report(20_000, 40_000) }, undefined);
    await s.warning.poll();
    expect(s.warnings).toHaveLength(1);
    expect(s.kept).toEqual([]);
    s.warning.dispose();
  });
});

import { afterEach, describe, expect, it, vi } from 'vitest';
import { SessionPool } from '../../../../src/vscode/runs/session-pool';
import { idleSession } from '../../../support/runs-fakes';
import { RecordingLog } from '../../../support/extension-fakes';

afterEach(() => {
  vi.useRealTimers();
});

describe('session pool', () => {
  it('shares one session per environment, reopens after it closes, and closes when idle', async () => {
    vi.useFakeTimers();
    const opened: Array<ReturnType<typeof idleSession>> = [];
    const pool = new SessionPool(async () => {
      const s = idleSession();
      opened.push(s);
      return s;
    }, new RecordingLog(), 1000);
    const [a, b] = await Promise.all([pool.session('exp'), pool.session('exp')]);
    expect(a).toBe(b);
    a.close();
    await vi.advanceTimersByTimeAsync(0);
    expect(await pool.session('exp')).not.toBe(a);
    const hold = pool.hold('exp');
    await vi.advanceTimersByTimeAsync(5000);
    expect(opened[1]!.closes).toBe(0);
    hold.dispose();
    await vi.advanceTimersByTimeAsync(1000);
    expect(opened[1]!.closes).toBe(1);
    expect(pool.environments()).toEqual([]);
    pool.dispose();
  });

  it('retries the open after a failure', async () => {
    let attempts = 0;
    const pool = new SessionPool(async () => {
      attempts++;
      if (attempts === 1) throw new Error('refused');
      return idleSession();
    }, new RecordingLog());
    await expect(pool.use('exp', async () => 'x')).rejects.toThrow('refused');
    await expect(pool.use('exp', async () => 'ok')).resolves.toBe('ok');
    pool.dispose();
  });
});

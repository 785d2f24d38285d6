import { describe, expect, it } from 'vitest';
import { probeTarget } from '../../../../support/container-probe-session';
import { shmSizeCheck, SHM_DF } from '../../../../../src/core/doctor/checks/shm-size';

const signal = new AbortController().signal;

describe('shm check', () => {
  it("warns at Docker's 64 MiB default, citing the DataLoader bus error", async () => {
    const df = 'Filesystem     1-blocks  Used Available Capacity Mounted on\nshm            67108864     0  67108864       0% /dev/shm\n';
    const result = await shmSizeCheck.run(probeTarget({ [SHM_DF]: { code: 0, stdout: df } }), signal);
    expect(result.status).toBe('warn');
    expect(result.detail).toContain('/dev/shm is 64 MiB');
    expect(result.detail).toContain('pytorch/pytorch#5040');
    expect(result.fix).toContain('--shm-size 8g');
  });

  it('is ok at 8 GiB', async () => {
    const df = 'Filesystem       1-blocks  Used  Available Capacity Mounted on\nshm            8589934592     0 8589934592       0% /dev/shm\n';
    expect(await shmSizeCheck.run(probeTarget({ [SHM_DF]: { code: 0, stdout: df } }), signal)).toEqual({ status: 'ok', detail: '/dev/shm is 8.0 GiB (8.0 GiB free).' });
  });

  it('fails, quoting df, when /dev/shm cannot be read', async () => {
    const result = await shmSizeCheck.run(probeTarget({ [SHM_DF]: { code: 1, stdout: "df: /dev/shm: No such file or directory\n" } }), signal);
    expect(result.status).toBe('fail');
    expect(result.detail).toContain('No such file or directory');
  });
});

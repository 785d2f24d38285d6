import { describe, expect, it } from 'vitest';
import { oomKilledFinding } from '../../../../../src/core/doctor/checks/environment-state';

describe('an environment the kernel OOM killer stopped (issue 16 defect 18)', () => {
  it('says host memory ran out, with its limit and the fix', () => {
    const finding = oomKilledFinding({ State: { OOMKilled: true, ExitCode: 137 }, HostConfig: { Memory: 768 * 2 ** 20 } }, 'exp');
    expect(finding?.detail).toBe("was killed by the kernel's out-of-memory killer (exit 137): host memory ran out (its limit of 768 MiB).");
    expect(finding?.fix).toBe('Use a smaller --batch-size, or recreate it with a larger memory limit: `gpu-env up --name exp --memory 32g --recreate` (keys, workspace and runs stay).');
    expect(oomKilledFinding({ State: { OOMKilled: true, ExitCode: 137 }, HostConfig: { Memory: 16 * 2 ** 30 } }, 'exp')?.detail).toMatch(/its limit of 16 GiB/);
    expect(oomKilledFinding({ State: { OOMKilled: true, ExitCode: 137 }, HostConfig: { Memory: 0 } }, 'exp')?.detail).toMatch(/\(the machine's RAM\)/);
  });

  it('nothing when it was not OOM-killed (a plain stop also exits 137)', () => {
    expect(oomKilledFinding({ State: { OOMKilled: false, ExitCode: 137 }, HostConfig: { Memory: 0 } }, 'exp')).toBeUndefined();
  });
});

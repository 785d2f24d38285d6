import { describe, expect, it } from 'vitest';
import { probeTarget } from '../../../support/container-probe-session';

describe('container probe', () => {
  it('waits for output that trails the exit status', async () => {
    const { probe } = probeTarget({ 'g++ --version': { code: 0, stdout: 'g++ (Debian', lateStdout: ' 14.2.0-19) 14.2.0\n' } });
    expect((await probe.run('g++ --version')).stdout).toBe('g++ (Debian 14.2.0-19) 14.2.0\n');
  });

  it('runs a command asked twice only once', async () => {
    const { probe, session } = probeTarget({ 'command -v nvidia-smi': { code: 1 } });
    expect(await probe.which('nvidia-smi')).toBeUndefined();
    expect(await probe.which('nvidia-smi')).toBeUndefined();
    expect(session.ran).toEqual(['command -v nvidia-smi']);
  });

  it('gives up on a hanging command at its own deadline, naming it', async () => {
    const { probe } = probeTarget({ 'nvidia-smi -L 2>&1': { code: 0, hang: true } });
    await expect(probe.run('nvidia-smi -L 2>&1', 150)).rejects.toThrow('`nvidia-smi -L 2>&1` in gpu-env-doc1 timed out after 150 ms');
  });

  it('refuses to build `command -v` from something that is not a command name', async () => {
    await expect(probeTarget({}).probe.which('gcc; rm -rf /')).rejects.toThrow(/not a command name/);
  });
});

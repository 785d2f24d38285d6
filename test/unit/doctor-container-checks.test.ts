import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { runCheck } from '../../src/core/doctor/check';
import { compilerCheck } from '../../src/core/doctor/checks/compiler';
import { nvidiaSmiCheck } from '../../src/core/doctor/checks/nvidia-smi';
import { shmSizeCheck, SHM_DF } from '../../src/core/doctor/checks/shm-size';
import { containerProbe, type ContainerTarget } from '../../src/core/doctor/container-probe';
import type { EnvironmentInfo } from '../../src/core/lifecycle/environment-info';
import type { RemoteProcess, SshSession } from '../../src/core/ssh/session';

interface Reply {
  readonly code: number;
  readonly stdout?: string;
  /** Output arriving after the exit status, as ssh2 sometimes delivers it. */
  readonly lateStdout?: string;
  readonly hang?: boolean;
}

/** A session that answers commands from a table and records what ran. */
function fakeSession(replies: Readonly<Record<string, Reply>>): SshSession & { readonly ran: string[] } {
  const ran: string[] = [];
  return {
    ran,
    closed: new Promise(() => undefined),
    close: () => undefined,
    exec: () => Promise.reject(new Error('the probe must not use exec')),
    async spawn(command, options): Promise<RemoteProcess> {
      ran.push(command);
      const reply = replies[command] ?? { code: 127, stdout: '' };
      const stdout = new PassThrough();
      const stderr = new PassThrough();
      const exit = new Promise<{ code: number | null; signal: string | null }>((resolve) => {
        if (reply.hang) {
          options?.signal?.addEventListener('abort', () => resolve({ code: null, signal: null }));
          return;
        }
        stdout.write(reply.stdout ?? '');
        stderr.end();
        resolve({ code: reply.code, signal: null });
        setTimeout(() => stdout.end(reply.lateStdout ?? ''), 20);
      });
      return { stdin: new PassThrough(), stdout, stderr, exit, resize: () => undefined, close: () => undefined };
    },
  };
}

function env(gpus: string): EnvironmentInfo {
  return {
    name: 'doc1', container: 'gpu-env-doc1', id: 'abc', state: 'running', status: 'running', image: 'img', gpus,
    workspace: '/ws', engine: 'unix:///var/run/docker.sock', ssh: { host: '127.0.0.1', port: 1, user: 'dev', alias: 'gpu-env-doc1' },
  };
}

function target(replies: Readonly<Record<string, Reply>>, gpus = 'none'): ContainerTarget & { session: ReturnType<typeof fakeSession> } {
  const session = fakeSession(replies);
  return { info: env(gpus), probe: containerProbe(session, 'gpu-env-doc1', undefined), session };
}

const signal = new AbortController().signal;

describe('container probe', () => {
  it('waits for output that trails the exit status', async () => {
    const { probe } = target({ 'g++ --version': { code: 0, stdout: 'g++ (Debian', lateStdout: ' 14.2.0-19) 14.2.0\n' } });
    expect((await probe.run('g++ --version')).stdout).toBe('g++ (Debian 14.2.0-19) 14.2.0\n');
  });

  it('runs a command asked twice only once', async () => {
    const { probe, session } = target({ 'command -v nvidia-smi': { code: 1 } });
    expect(await probe.which('nvidia-smi')).toBeUndefined();
    expect(await probe.which('nvidia-smi')).toBeUndefined();
    expect(session.ran).toEqual(['command -v nvidia-smi']);
  });

  it('gives up on a hanging command at its own deadline, naming it', async () => {
    const { probe } = target({ 'nvidia-smi -L 2>&1': { code: 0, hang: true } });
    await expect(probe.run('nvidia-smi -L 2>&1', 150)).rejects.toThrow('`nvidia-smi -L 2>&1` in gpu-env-doc1 timed out after 150 ms');
  });

  it('refuses to build `command -v` from something that is not a command name', async () => {
    await expect(target({}).probe.which('gcc; rm -rf /')).rejects.toThrow(/not a command name/);
  });
});

describe('shm check', () => {
  it("warns at Docker's 64 MiB default, citing the DataLoader bus error", async () => {
    const df = 'Filesystem     1-blocks  Used Available Capacity Mounted on\nshm            67108864     0  67108864       0% /dev/shm\n';
    const result = await shmSizeCheck.run(target({ [SHM_DF]: { code: 0, stdout: df } }), signal);
    expect(result.status).toBe('warn');
    expect(result.detail).toContain('/dev/shm is 64 MiB');
    expect(result.detail).toContain('pytorch/pytorch#5040');
    expect(result.fix).toContain('--shm-size 8g');
  });

  it('is ok at 8 GiB', async () => {
    const df = 'Filesystem       1-blocks  Used  Available Capacity Mounted on\nshm            8589934592     0 8589934592       0% /dev/shm\n';
    expect(await shmSizeCheck.run(target({ [SHM_DF]: { code: 0, stdout: df } }), signal)).toEqual({ status: 'ok', detail: '/dev/shm is 8.0 GiB (8.0 GiB free).' });
  });

  it('fails, quoting df, when /dev/shm cannot be read', async () => {
    const result = await shmSizeCheck.run(target({ [SHM_DF]: { code: 1, stdout: "df: /dev/shm: No such file or directory\n" } }), signal);
    expect(result.status).toBe('fail');
    expect(result.detail).toContain('No such file or directory');
  });
});

describe('compiler check', () => {
  it('is ok with gcc and g++, giving their versions', async () => {
    const result = await compilerCheck.run(target({
      'command -v gcc': { code: 0, stdout: '/usr/bin/gcc\n' },
      'gcc --version': { code: 0, stdout: 'gcc (Debian 14.2.0-19) 14.2.0\nCopyright\n' },
      'command -v g++': { code: 0, stdout: '/usr/bin/g++\n' },
      'g++ --version': { code: 0, stdout: 'g++ (Debian 14.2.0-19) 14.2.0\n' },
    }), signal);
    expect(result).toEqual({ status: 'ok', detail: 'C: /usr/bin/gcc (gcc (Debian 14.2.0-19) 14.2.0); C++: /usr/bin/g++ (g++ (Debian 14.2.0-19) 14.2.0).' });
  });

  it('warns without a C++ compiler, as in the official runtime images', async () => {
    const result = await compilerCheck.run(target({ 'command -v cc': { code: 0, stdout: '/usr/bin/cc\n' }, 'cc --version': { code: 0, stdout: 'cc 12\n' } }), signal);
    expect(result.status).toBe('warn');
    expect(result.detail).toBe('No C++ (g++ or c++) compiler in the container (found C: /usr/bin/cc (cc 12)): torch.compile will fail when it generates code.');
  });
});

describe('nvidia-smi check', () => {
  it('explains a missing nvidia-smi in a CPU-only environment as a warning', async () => {
    const result = await nvidiaSmiCheck.run(target({}, 'none'), signal);
    expect(result.status).toBe('warn');
    expect(result.detail).toContain('nvidia-smi is not in the container');
    expect(result.detail).toContain('created without GPUs');
    expect(result.fix).toContain('--gpus all');
  });

  it('fails when GPUs were asked for and nvidia-smi is still missing', async () => {
    expect((await nvidiaSmiCheck.run(target({}, 'all'), signal)).status).toBe('fail');
  });

  it('runs nvidia-smi -L when it is there', async () => {
    const t = target({
      'command -v nvidia-smi': { code: 0, stdout: '/usr/bin/nvidia-smi\n' },
      // NVIDIA/nvidia-container-toolkit#1227
      'nvidia-smi -L 2>&1': { code: 255, stdout: 'Failed to initialize NVML: Unknown Error\n' },
    }, 'all');
    const { check } = await runCheck(nvidiaSmiCheck, t, undefined, 'doc1');
    expect(check).toMatchObject({ id: 'nvidia-smi', status: 'fail', environment: 'doc1' });
    expect(check.fix).toContain('`gpu-env rm doc1`');
  });
});

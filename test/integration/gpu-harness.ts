import { spawn, spawnSync } from 'node:child_process';
import { chownSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Docker from 'dockerode';
import { BASE_IMAGE, CLI, type CliResult } from './harness-env';

/**
 * The shared-GPU tests' engine (test/harness/gpu-engine.sh): a REAL dockerd with the runtime
 * "nvidia" registered and a STAND-IN nvidia-container-runtime-hook on its PATH, so real containers
 * get real DeviceRequests; the hook gives each the stand-in GPUs it asked for (device files and a
 * stand-in libnvidia-ml, test/python/fake_nvml.c). What the GPUs report (utilisation, memory,
 * processes) is the stand-in driver's state, which these helpers write: it is the one thing not
 * real. Containers, labels, device requests, pids, /proc, SSH and the CLI are.
 */
export const GPU_DOCKER_HOST = process.env.GPU_ENV_TEST_GPU_DOCKER_HOST ?? '';
export const STANDIN_DIR = process.env.GPU_ENV_TEST_NVIDIA_STANDIN_DIR ?? '';
export const GPU_HARNESS_READY = BASE_IMAGE !== '' && GPU_DOCKER_HOST.startsWith('unix://') && STANDIN_DIR !== '';
export const GPU_SKIP_REASON = 'needs the stand-in GPU engine: run `npm test` (sets GPU_ENV_TEST_GPU_DOCKER_HOST via test/harness/gpu-engine.sh)';
export const REPO = join(__dirname, '..', '..');

export function gpuDocker(): Docker {
  return new Docker({ socketPath: GPU_DOCKER_HOST.replace(/^unix:\/\//, '') });
}

export interface StandinGpu {
  readonly index: number;
  readonly utilPercent: number;
  readonly memUsedMiB: number;
}

export const STANDIN_UUID = (index: number): string => `GPU-5a0d1e00-0000-4000-8000-00000000000${index}`;

/** The stand-in driver's GPUs (what NVML reports for each; 24 GiB each). */
export function writeStandinGpus(gpus: readonly StandinGpu[]): void {
  writeFileSync(join(STANDIN_DIR, 'gpus'), gpus.map((gpu) => `${gpu.index} ${STANDIN_UUID(gpu.index)} ${gpu.utilPercent} ${gpu.memUsedMiB} 24576 Stand-in GPU (no hardware)\n`).join(''));
}

/** The processes the stand-in driver reports on each GPU, by pid in the machine's namespace. */
export function writeStandinProcesses(processes: readonly { gpu: number; pid: number; usedMiB: number }[]): void {
  writeFileSync(join(STANDIN_DIR, 'processes'), processes.map((p) => `${p.gpu} ${p.pid} ${p.usedMiB}\n`).join(''));
}

export interface TestUser {
  readonly name: string;
  readonly uid: number;
  readonly gid: number;
  readonly created: boolean;
}

/** A Unix user of this machine in group docker (the engine socket's group), as on a shared server. */
export function ensureUser(name: string): TestUser {
  const created = spawnSync('id', ['-u', name]).status !== 0;
  if (created) must('useradd', ['-M', '-G', 'docker', '-s', '/bin/sh', name]);
  const [, , uid, gid] = spawnSync('getent', ['passwd', name], { encoding: 'utf8' }).stdout.trim().split(':');
  return { name, uid: Number(uid), gid: Number(gid), created };
}

export function removeUser(user: TestUser): void {
  if (!user.created) return;
  const result = spawnSync('userdel', [user.name], { encoding: 'utf8' });
  if (result.status !== 0) console.warn(`userdel ${user.name}: ${result.stderr.trim()}`);
}

/** A folder owned by `user` (a workspace or a state dir). */
export function userDir(user: TestUser, prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), `gpu-env-${prefix}-`));
  chownSync(dir, user.uid, user.gid);
  return dir;
}

/** The built CLI run as `user` (its own uid and gid, as that person would run it), on the GPU engine. */
export function runCliAs(user: TestUser | null, args: readonly string[], env: Record<string, string>, timeoutMs = 240_000): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    // setpriv --init-groups: the user's supplementary groups (docker, for the socket), as at a login.
    const [command, argv] = user
      ? ['setpriv', ['--reuid', String(user.uid), '--regid', String(user.gid), '--init-groups', process.execPath, CLI, ...args]]
      : [process.execPath, [CLI, ...args]];
    const child = spawn(command, argv, {
      env: { PATH: process.env.PATH ?? '/usr/bin:/bin', DOCKER_HOST: GPU_DOCKER_HOST, GPU_ENV_BASE_IMAGE: BASE_IMAGE, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`gpu-env ${args.join(' ')} timed out after ${timeoutMs} ms\nstdout: ${stdout}\nstderr: ${stderr}`));
    }, timeoutMs);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

/** Removes every environment container on the GPU engine whose name starts with `prefix`. */
export async function removeEnvironments(prefix: string): Promise<void> {
  const docker = gpuDocker();
  const containers = await docker.listContainers({ all: true, filters: { label: ['dev.gpu-env.name'] } });
  for (const c of containers) {
    if (c.Names.some((n) => n.startsWith(`/gpu-env-${prefix}`))) await docker.getContainer(c.Id).remove({ force: true, v: true }).catch(() => undefined);
  }
}

function must(command: string, args: readonly string[]): void {
  const result = spawnSync(command, [...args], { encoding: 'utf8', timeout: 30_000 });
  if (result.status !== 0) throw new Error(`${command} ${args.join(' ')} failed: ${result.stderr}`);
}

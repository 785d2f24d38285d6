import { spawn, spawnSync } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * A second, throw-away Docker engine whose data root is a small tmpfs, so that a pull fills its
 * disk for real ("no space left on device"). No network of its own (`--bridge none`): it only pulls
 * from the tests' registry on 127.0.0.1. Needs root (mount, dockerd).
 */
export interface SmallEngine {
  readonly dockerHost: string;
  readonly dataRoot: string;
  stop(): Promise<void>;
}

export async function startSmallEngine(dir: string, sizeMb: number): Promise<SmallEngine> {
  const dataRoot = join(dir, 'data');
  const execRoot = join(dir, 'exec');
  const socket = join(dir, 'docker.sock');
  mkdirSync(dataRoot, { recursive: true });
  mkdirSync(execRoot, { recursive: true });
  must('mount', ['-t', 'tmpfs', '-o', `size=${sizeMb}m`, 'tmpfs', dataRoot]);
  const logFile = join(dir, 'dockerd.log');
  const fd = openSync(logFile, 'a');
  const child = spawn('dockerd', [
    '--host', `unix://${socket}`, '--data-root', dataRoot, '--exec-root', execRoot, '--pidfile', join(dir, 'dockerd.pid'),
    '--bridge', 'none', '--iptables=false', '--ip-masq=false', '--ip6tables=false',
  ], { stdio: ['ignore', fd, fd] });
  closeSync(fd);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const stop = async (): Promise<void> => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
      await exited;
      clearTimeout(timer);
    }
    spawnSync('umount', ['-l', dataRoot]);
  };
  for (let attempt = 0; attempt < 120; attempt++) {
    if (child.exitCode !== null) break;
    if (existsSync(socket) && spawnSync('docker', ['-H', `unix://${socket}`, 'version'], { timeout: 5_000 }).status === 0) {
      return { dockerHost: `unix://${socket}`, dataRoot, stop };
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  await stop();
  throw new Error(`the small engine did not start; its log:\n${existsSync(logFile) ? readFileSync(logFile, 'utf8').slice(-3000) : ''}`);
}

function must(command: string, args: readonly string[]): void {
  const result = spawnSync(command, [...args], { encoding: 'utf8', timeout: 30_000 });
  if (result.status !== 0) throw new Error(`${command} ${args.join(' ')} failed: ${result.stderr}`);
}

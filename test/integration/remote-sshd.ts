import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chmodSync, chownSync, closeSync, existsSync, mkdirSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, connect } from 'node:net';
import { join } from 'node:path';

/**
 * A second "machine" for the remote-host tests: Debian's own sshd on a free 127.0.0.1 port, its own
 * config and host key, logging VERBOSE to a file the test reads, letting in one test user whose SSH
 * sessions see the harness engine through DOCKER_HOST (sshd's SetEnv).
 */
export const REMOTE_USER = 'gpu-env-remote';
export const SSHD = '/usr/sbin/sshd';

export interface RemoteUser {
  readonly name: string;
  readonly uid: number;
  readonly gid: number;
  readonly home: string;
}

/**
 * Creates the user (in group docker) if missing; makes sure its account is not locked for key login.
 * `created` says whether this call made it (then removeRemoteUser takes it away again).
 */
export function ensureRemoteUser(): RemoteUser & { readonly created: boolean } {
  const created = run('id', ['-u', REMOTE_USER]).status !== 0;
  if (created) {
    must('useradd', ['-m', '-G', 'docker', '-s', '/bin/bash', REMOTE_USER]);
  } else if (!run('id', ['-nG', REMOTE_USER]).stdout.split(/\s+/).includes('docker')) {
    must('usermod', ['-aG', 'docker', REMOTE_USER]);
  }
  // useradd leaves the password field '!' (locked); with UsePAM no, sshd then refuses even keys. '*': no password, not locked.
  const shadow = run('getent', ['shadow', REMOTE_USER]).stdout.split(':')[1] ?? '';
  if (shadow.startsWith('!')) must('usermod', ['-p', '*', REMOTE_USER]);
  const [, , uid, gid, , home] = run('getent', ['passwd', REMOTE_USER]).stdout.trim().split(':');
  return { name: REMOTE_USER, uid: Number(uid), gid: Number(gid), home: home!, created };
}

/** Removes the user and its home (after its sshd and sessions are gone); a failure is only reported. */
export function removeRemoteUser(): void {
  const result = run('userdel', ['-r', REMOTE_USER]);
  if (result.status !== 0) console.warn(`userdel ${REMOTE_USER}: ${result.stderr.trim()}`);
}

/** Replaces the user's authorized_keys with these public key lines (owned by the user, 0600). */
export function authorizeKeys(user: RemoteUser, publicKeys: readonly string[]): void {
  const dir = join(user.home, '.ssh');
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  chownSync(dir, user.uid, user.gid);
  chmodSync(dir, 0o700);
  const file = join(dir, 'authorized_keys');
  writeFileSync(file, `${publicKeys.map((k) => k.trim()).join('\n')}\n`, { mode: 0o600 });
  chownSync(file, user.uid, user.gid);
  chmodSync(file, 0o600);
}

/** `ssh-keygen -t ed25519` (the real tool): returns the private key path; the public key is beside it. */
export function generateKey(path: string, comment: string): { privatePath: string; publicKey: string } {
  must('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', comment, '-f', path]);
  return { privatePath: path, publicKey: readFileSync(`${path}.pub`, 'utf8').trim() };
}

/** `SHA256:…` of a public key file as ssh-keygen prints it. */
export function keygenFingerprint(publicKeyFile: string): string {
  const out = must('ssh-keygen', ['-l', '-E', 'sha256', '-f', publicKeyFile]);
  const match = /(SHA256:\S+)/.exec(out);
  if (!match) throw new Error(`no fingerprint in: ${out}`);
  return match[1]!;
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

export interface RunningSshd {
  readonly port: number;
  readonly logFile: string;
  readonly process: ChildProcess;
  stop(): Promise<void>;
  /** Lines "Accepted publickey for …" so far: one per authenticated connection. */
  acceptedLogins(): number;
  log(): string;
}

export interface SshdOptions {
  readonly dir: string;
  readonly port: number;
  readonly hostKey: string;
  readonly dockerHost: string;
  readonly logName?: string;
}

export async function startSshd(options: SshdOptions): Promise<RunningSshd> {
  mkdirSync('/run/sshd', { recursive: true, mode: 0o755 });
  const config = join(options.dir, `sshd_config-${options.port}`);
  writeFileSync(config, [
    `ListenAddress 127.0.0.1:${options.port}`,
    `HostKey ${options.hostKey}`,
    `PidFile ${join(options.dir, `sshd-${options.port}.pid`)}`,
    'AuthorizedKeysFile .ssh/authorized_keys',
    'PubkeyAuthentication yes',
    'PasswordAuthentication no',
    'KbdInteractiveAuthentication no',
    'UsePAM no',
    `AllowUsers ${REMOTE_USER}`,
    'AllowTcpForwarding yes',
    'X11Forwarding no',
    'PrintMotd no',
    'LogLevel VERBOSE',
    // The remote user's docker CLI talks to the harness engine, as a host's docker CLI talks to its own.
    `SetEnv DOCKER_HOST=${options.dockerHost}`,
    '',
  ].join('\n'), { mode: 0o600 });
  const logFile = join(options.dir, options.logName ?? `sshd-${options.port}.log`);
  const fd = openSync(logFile, 'a');
  const child = spawn(SSHD, ['-D', '-e', '-f', config], { stdio: ['ignore', fd, fd] });
  closeSync(fd);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  await waitForBanner(options.port, 10_000, child, logFile);
  return {
    port: options.port,
    logFile,
    process: child,
    log: () => readFileSync(logFile, 'utf8'),
    acceptedLogins: () => (readFileSync(logFile, 'utf8').match(/Accepted publickey for /g) ?? []).length,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
      await exited;
      clearTimeout(timer);
    },
  };
}

/** Until sshd sends its SSH-2.0 banner, bounded; fails early if sshd exits. */
async function waitForBanner(port: number, timeoutMs: number, child: ChildProcess, logFile: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (let attempt = 0; attempt < 500 && Date.now() < deadline; attempt++) {
    if (child.exitCode !== null) throw new Error(`sshd exited (${child.exitCode}): ${existsSync(logFile) ? readFileSync(logFile, 'utf8') : ''}`);
    if (await banner(port)) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`sshd on 127.0.0.1:${port} sent no banner within ${timeoutMs} ms: ${readFileSync(logFile, 'utf8')}`);
}

function banner(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port, timeout: 1_000 });
    socket.once('data', (data: Buffer) => {
      socket.destroy();
      resolve(data.toString().startsWith('SSH-2.0-'));
    });
    socket.once('error', () => resolve(false));
    socket.once('timeout', () => {
      socket.destroy();
      resolve(false);
    });
  });
}

function run(command: string, args: readonly string[]): { status: number | null; stdout: string; stderr: string } {
  const result = spawnSync(command, [...args], { encoding: 'utf8', timeout: 30_000 });
  return { status: result.status, stdout: result.stdout ?? '', stderr: result.stderr ?? '' };
}

function must(command: string, args: readonly string[]): string {
  const result = run(command, args);
  if (result.status !== 0) throw new Error(`${command} ${args.join(' ')} failed (${String(result.status)}): ${result.stderr}`);
  return result.stdout;
}

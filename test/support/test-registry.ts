import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

const SCRIPT = resolve(__dirname, '../harness/registry.sh');

/**
 * Debian's docker-registry on 127.0.0.1 with htpasswd authentication, started and stopped through
 * test/harness/registry.sh. `kill()` takes it away at once (SIGKILL, connections cut mid-transfer) and
 * `start()` brings it back on the same port and storage.
 */
export class TestRegistry {
  /** `127.0.0.1:PORT`, the registry part of image references. */
  readonly host: string;

  constructor(readonly dir: string, readonly port: number, readonly user: string, readonly password: string) {
    this.host = `127.0.0.1:${port}`;
  }

  async start(): Promise<void> {
    const result = await runScript(['start', this.dir, String(this.port), this.user], this.password);
    if (result.code !== 0) throw new Error(`registry.sh start failed (${String(result.code)}): ${result.stderr}`);
  }

  async stop(): Promise<void> {
    await runScript(['stop', this.dir], '');
  }

  /** SIGKILL: the registry goes away without closing anything. */
  kill(): void {
    const pidFile = join(this.dir, 'registry.pid');
    if (!existsSync(pidFile)) return;
    try {
      process.kill(Number(readFileSync(pidFile, 'utf8').trim()), 'SIGKILL');
    } catch {
      // already gone
    }
  }

  log(): string {
    const file = join(this.dir, 'registry.log');
    return existsSync(file) ? readFileSync(file, 'utf8') : '';
  }

  /** Whether the registry has `repository:tag` (a manifest HEAD with the test credentials). */
  async has(repository: string, tag: string): Promise<boolean> {
    const answer = await fetch(`http://${this.host}/v2/${repository}/manifests/${tag}`, {
      method: 'HEAD',
      headers: {
        authorization: `Basic ${Buffer.from(`${this.user}:${this.password}`).toString('base64')}`,
        accept: 'application/vnd.docker.distribution.manifest.v2+json',
      },
      signal: AbortSignal.timeout(10_000),
    });
    return answer.status === 200;
  }
}

function runScript(args: readonly string[], stdin: string): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn('bash', [SCRIPT, ...args], { stdio: ['pipe', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolvePromise({ code, stderr });
    });
    child.stdin.end(stdin);
  });
}

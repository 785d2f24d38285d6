import { readFileSync, statSync } from 'node:fs';
import { networkInterfaces } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  BASE_IMAGE, DOCKER_HOST, HARNESS_READY, SKIP_REASON, docker, removeDir, runCli, tempDir, userWorkspace,
} from './harness-env';
import { connectOutcome, httpStatus, startTunnel, type Tunnel } from './jupyter-tunnel';

const NAME = 'itest-jupyter';

/** LISTEN sockets of /proc/net/tcp{,6} text: `address:port` with the address as the kernel writes it (hex). */
function listening(procNet: string): { address: string; port: number }[] {
  return procNet.split('\n').flatMap((line) => {
    const fields = line.trim().split(/\s+/);
    if (fields[3] !== '0A' || !fields[1]?.includes(':')) return [];
    const [address, port] = fields[1].split(':');
    return [{ address: address!, port: parseInt(port!, 16) }];
  });
}

describe.skipIf(!HARNESS_READY)(`gpu-env jupyter through an SSH tunnel${HARNESS_READY ? '' : ` (skipped: ${SKIP_REASON})`}`, () => {
  let workspace = '';
  let stateDir = '';
  let env: Record<string, string> = {};
  let first: Tunnel | undefined;
  let second: Tunnel | undefined;

  const inContainer = async (command: string): Promise<string> => {
    const result = await runCli(['exec', NAME, '--', 'sh', '-c', command], env, 60_000);
    expect(result.code, result.stderr).toBe(0);
    return result.stdout;
  };

  beforeAll(async () => {
    workspace = userWorkspace('jupyter-ws');
    stateDir = tempDir('jupyter-state');
    env = { DOCKER_HOST, GPU_ENV_STATE_DIR: stateDir };
    const result = await runCli(['up', '--name', NAME, '--workspace', workspace, '--base-image', BASE_IMAGE], env);
    expect(result.code, result.stderr).toBe(0);
    first = await startTunnel([NAME], env);
  });

  afterAll(async () => {
    await first?.stop();
    await second?.stop();
    await docker().getContainer(`gpu-env-${NAME}`).remove({ force: true }).catch(() => undefined);
    removeDir(stateDir);
    removeDir(workspace);
  });

  it('starts Jupyter and prints a tokenised URL that answers through the tunnel: 200 with the token, 403 without', async () => {
    const tunnel = first!;
    expect(tunnel.stderr()).toMatch(/Starting Jupyter (Lab|Notebook) in gpu-env-itest-jupyter/);
    const status = `http://127.0.0.1:${tunnel.port}/api/status`;
    expect(await httpStatus(status, { Authorization: `token ${tunnel.token}` })).toBe(200);
    expect(await httpStatus(`${status}?token=${tunnel.token}`)).toBe(200);
    expect(await httpStatus(status)).toBe(403);
    expect(await httpStatus(status, { Authorization: `token ${'0'.repeat(64)}` })).toBe(403);
  });

  it('refuses a request whose Host is another site (DNS rebinding), even with the token: Host: evil.example gets 403 (issue 16)', async () => {
    const tunnel = first!;
    const status = `http://127.0.0.1:${tunnel.port}/api/status`;
    const withToken = { Authorization: `token ${tunnel.token}` };
    for (const host of ['evil.example', `evil.example:${tunnel.port}`, `127.0.0.1.evil.example:${tunnel.port}`]) {
      expect(await httpStatus(status, { ...withToken, Host: host }), host).toBe(403);
    }
    // The same request naming this machine is served: the Host header alone made the difference.
    expect(await httpStatus(status, { ...withToken, Host: `localhost:${tunnel.port}` })).toBe(200);
    expect(await httpStatus(status, { ...withToken, Host: `127.0.0.1:${tunnel.port}` })).toBe(200);
  });

  it('keeps the token on the client in a 0600 file in the state folder', () => {
    const file = join(stateDir, 'envs', NAME, 'jupyter_token');
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(readFileSync(file, 'utf8').trim()).toBe(first!.token);
  });

  it('binds Jupyter to 127.0.0.1 in the container and the forwarded port to 127.0.0.1 here', async () => {
    const jupyterPort = Number((await inContainer('cat ~/.gpu-env/jupyter/port')).trim());
    const tcp = listening(await inContainer('cat /proc/net/tcp'));
    const tcp6 = listening(await inContainer('cat /proc/net/tcp6 2>/dev/null || true'));
    expect(tcp).toContainEqual({ address: '0100007F', port: jupyterPort });
    // Every listener but the environment's sshd (published on the engine host's 127.0.0.1 only) is loopback.
    expect(tcp.filter((l) => l.port !== 22 && l.address !== '0100007F')).toEqual([]);
    expect(tcp6.filter((l) => l.port === jupyterPort)).toEqual([]);
    const addresses = Object.values(networkInterfaces()).flat().filter((a) => a && a.family === 'IPv4' && !a.internal).map((a) => a!.address);
    expect(addresses.length).toBeGreaterThan(0);
    for (const address of addresses) expect(await connectOutcome(address, first!.port), `${address}:${first!.port}`).not.toBe('connected');
  });

  it('the token is nowhere but the URL line: not in other output, docker inspect, docker logs, ps, the Jupyter log or its environment', async () => {
    const { token } = first!;
    const otherStdout = first!.stdout().split('\n').filter((line) => line !== first!.url);
    expect(otherStdout.join('\n')).not.toContain(token);
    expect(first!.stderr()).not.toContain(token);
    const inspect = await docker().getContainer(`gpu-env-${NAME}`).inspect();
    expect(JSON.stringify(inspect)).not.toContain(token);
    const logs = await docker().getContainer(`gpu-env-${NAME}`).logs({ stdout: true, stderr: true, tail: 'all' as unknown as number });
    expect(logs.toString()).not.toContain(token);
    const ps = await inContainer('ps -eo args');
    expect(ps).toMatch(/jupyter-(notebook|lab) --config=/);
    expect(ps).not.toContain(token);
    expect(await inContainer('cat ~/.gpu-env/jupyter/jupyter.log')).not.toContain(token);
    expect(await inContainer('cat /proc/$(cat ~/.gpu-env/jupyter/pid)/environ | tr "\\000" "\\n"')).not.toContain(token);
    expect((await inContainer('stat -c %a ~/.gpu-env/jupyter/token')).trim()).toBe('600');
  });

  it('Ctrl-C closes the tunnel (exit 0); a second run reuses the running server, --print-url-only prints the URL alone', async () => {
    const oldPort = first!.port;
    expect(await first!.stop()).toBe(0);
    expect(await connectOutcome('127.0.0.1', oldPort)).not.toBe('connected');
    second = await startTunnel([NAME, '--print-url-only'], env);
    expect(second.token).toBe(first!.token);
    expect(second.stdout()).toBe(`${second.url}\n`);
    expect(second.stderr()).toBe('');
    expect(await httpStatus(`http://127.0.0.1:${second.port}/api/status`, { Authorization: `token ${second.token}` })).toBe(200);
    expect(await second.stop()).toBe(0);
  });
});

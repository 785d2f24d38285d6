import { statSync, writeFileSync, readFileSync } from 'node:fs';
import { connect } from 'node:net';
import { networkInterfaces } from 'node:os';
import { join } from 'node:path';
import { Client } from 'ssh2';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectSsh, HostKeyMismatchError } from '../../src/core/ssh/connection';
import { loadKeys, generateEd25519Pair } from '../../src/core/ssh/keys';
import { environmentPaths } from '../../src/core/state/paths';
import { baseDerivedTag } from '../../src/core/image/recipe';
import {
  BASE_IMAGE, DOCKER_HOST, HARNESS_READY, SKIP_REASON, WORKSPACE_UID, docker, productContainers, removeDir, runCli, runProcess, tempDir, userWorkspace,
} from './harness-env';

interface UpJson {
  name: string;
  container: string;
  state: string;
  image: string;
  gpus: string;
  ssh: { host: string; port: number; user: string; alias: string };
}

const NAME = 'itest-core';

describe.skipIf(!HARNESS_READY)(`core lifecycle on the real engine${HARNESS_READY ? '' : ` (skipped: ${SKIP_REASON})`}`, () => {
  let workspace = '';
  let stateDir = '';
  let env: Record<string, string> = {};
  let first: UpJson;
  let containerId = '';

  beforeAll(async () => {
    workspace = userWorkspace('ws');
    stateDir = tempDir('state');
    env = { DOCKER_HOST, GPU_ENV_STATE_DIR: stateDir };
    const result = await runCli(['up', '--name', NAME, '--workspace', workspace, '--base-image', BASE_IMAGE, '--json'], env);
    expect(result.stderr).toContain('Waiting for SSH');
    expect(result.code, result.stderr).toBe(0);
    first = JSON.parse(result.stdout) as UpJson;
    containerId = (await docker().getContainer(first.container).inspect()).Id;
  });

  afterAll(async () => {
    await docker().getContainer(`gpu-env-${NAME}`).remove({ force: true }).catch(() => undefined);
    removeDir(stateDir);
    removeDir(workspace);
  });

  it('up prints the environment as JSON, built from the recipe, CPU-only with a warning', () => {
    expect(first).toMatchObject({ name: NAME, container: `gpu-env-${NAME}`, state: 'running', gpus: 'none', ssh: { host: '127.0.0.1', user: 'dev', alias: `gpu-env-${NAME}` } });
    expect(first.image).toMatch(new RegExp(`^gpu-env/pytorch-cuda:${baseDerivedTag(BASE_IMAGE)}-[0-9a-f]{8}$`));
    expect(first.ssh.port).toBeGreaterThan(0);
  });

  it('runs as a non-root user whose files belong to the workspace owner on the host', async () => {
    const id = await runCli(['exec', NAME, '--', 'sh', '-c', 'id -u; touch /workspace/made-in-container'], env);
    expect(id.code, id.stderr).toBe(0);
    expect(id.stdout.trim()).toBe(String(WORKSPACE_UID));
    expect(statSync(join(workspace, 'made-in-container')).uid).toBe(statSync(workspace).uid);
  });

  it('hands the keys in on standard input: none of them in the container\'s configuration or logs', async () => {
    const keys = loadKeys(stateDir, NAME);
    const container = docker().getContainer(first.container);
    const configuration = JSON.stringify(await container.inspect());
    const logs = (await container.logs({ stdout: true, stderr: true })).toString('latin1');
    const hostKeyBody = readFileSync(environmentPaths(stateDir, NAME).hostKey, 'utf8').split('\n')[1]!;
    const userKeyBase64 = keys.userPublicKey.split(' ')[1]!;
    for (const text of [configuration, logs]) {
      expect(text).not.toContain(hostKeyBody);
      expect(text).not.toContain(userKeyBase64);
    }
    // Written with its own key files' modes, and the account made straight in the files is whole.
    const inside = await runCli(['exec', NAME, '--', 'sh', '-c', 'stat -c "%a %U %n" /etc/gpu-env/ssh_host_ed25519_key /etc/gpu-env/authorized_keys; ls /etc/gpu-env; getent passwd dev | cut -d: -f6,7; stat -c "%a %U" "$HOME"; ls -A "$HOME"'], env);
    expect(inside.code, inside.stderr).toBe(0);
    const lines = inside.stdout.trim().split('\n');
    expect(lines.slice(0, 2)).toEqual(['600 root /etc/gpu-env/ssh_host_ed25519_key', '644 root /etc/gpu-env/authorized_keys']);
    expect(lines).not.toContain('authorized_keys.new');
    expect(lines).toContain('/home/dev:/bin/bash');
    expect(lines).toContain('700 dev');
    expect(lines).toContain('.bashrc');
  });

  it('exec over ssh2 runs PyTorch 2.6 and returns the exit code', async () => {
    const torch = await runCli(['exec', NAME, '--', 'python3', '-c', 'import torch; print(torch.__version__)'], env);
    expect(torch.code, torch.stderr).toBe(0);
    expect(torch.stdout.trim()).toMatch(/^2\.6\.0/);
    const failing = await runCli(['exec', NAME, '--', 'sh', '-c', 'echo oops >&2; exit 7'], env);
    expect(failing.code).toBe(7);
    expect(failing.stderr).toContain('oops');
  });

  it('the real OpenSSH client connects through the generated config with StrictHostKeyChecking yes', async () => {
    const config = readFileSync(join(stateDir, 'ssh_config'), 'utf8');
    expect(config).toContain('StrictHostKeyChecking yes');
    const printed = await runCli(['ssh-config', NAME], env);
    expect(printed.stdout).toContain(`Host gpu-env-${NAME}`);
    const configFile = join(stateDir, 'printed_config');
    writeFileSync(configFile, printed.stdout);
    const ssh = await runProcess('ssh', ['-F', configFile, '-o', 'BatchMode=yes', `gpu-env-${NAME}`, 'python3 -c "import torch; print(torch.__version__)"'], {});
    expect(ssh.code, ssh.stderr).toBe(0);
    expect(ssh.stdout.trim()).toMatch(/^2\.6\.0/);
  });

  it('refuses password login: the server offers public keys only', async () => {
    const ssh = await runProcess('ssh', [
      '-v', '-p', String(first.ssh.port), '-o', 'BatchMode=yes', '-o', 'PubkeyAuthentication=no', '-o', 'StrictHostKeyChecking=no',
      '-o', 'UserKnownHostsFile=/dev/null', '-o', 'PreferredAuthentications=password,keyboard-interactive', 'dev@127.0.0.1', 'true',
    ], {});
    expect(ssh.code).toBe(255);
    expect(ssh.stderr).toMatch(/Authentications that can continue: publickey\r?\n/);
    const error = await new Promise<Error>((resolve) => {
      const client = new Client();
      client.on('error', resolve).on('ready', () => resolve(new Error('password login was accepted')));
      client.connect({ host: '127.0.0.1', port: first.ssh.port, username: 'dev', password: 'dev', hostVerifier: () => true, readyTimeout: 10_000 });
    });
    expect(error.message).toMatch(/All configured authentication methods failed/);
  });

  it('publishes SSH on 127.0.0.1 only: nothing answers on a non-loopback address', async () => {
    const inspect = await docker().getContainer(containerId).inspect();
    const bindings = inspect.HostConfig.PortBindings as Record<string, { HostIp: string }[]>;
    expect(bindings['22/tcp']).toEqual([{ HostIp: '127.0.0.1', HostPort: '' }]);
    const addresses = Object.values(networkInterfaces()).flat().filter((a) => a && a.family === 'IPv4' && !a.internal).map((a) => a!.address);
    expect(addresses.length).toBeGreaterThan(0);
    for (const address of addresses) {
      const outcome = await new Promise<string>((resolve) => {
        const socket = connect({ host: address, port: first.ssh.port, timeout: 3000 });
        socket.on('connect', () => { socket.destroy(); resolve('connected'); });
        socket.on('error', (e: NodeJS.ErrnoException) => resolve(e.code ?? 'error'));
        socket.on('timeout', () => { socket.destroy(); resolve('timeout'); });
      });
      expect(outcome, `${address}:${first.ssh.port}`).not.toBe('connected');
    }
  });

  it('a second up reuses the running container', async () => {
    const again = await runCli(['up', '--name', NAME, '--workspace', workspace, '--base-image', BASE_IMAGE, '--json'], env);
    expect(again.code, again.stderr).toBe(0);
    expect(again.stderr).not.toContain('Creating');
    expect((await docker().getContainer(`gpu-env-${NAME}`).inspect()).Id).toBe(containerId);
  });

  it('down stops it and up starts the same container again, SSH working', async () => {
    const stopped = await runCli(['down', NAME], env);
    expect(stopped.code, stopped.stderr).toBe(0);
    expect((await docker().getContainer(containerId).inspect()).State.Running).toBe(false);
    const status = await runCli(['status', NAME, '--json'], env);
    expect(JSON.parse(status.stdout)).toMatchObject({ state: 'stopped' });
    const restarted = await runCli(['up', '--name', NAME, '--workspace', workspace, '--base-image', BASE_IMAGE, '--json'], env);
    expect(restarted.code, restarted.stderr).toBe(0);
    expect(restarted.stderr).toContain(`Starting gpu-env-${NAME}`);
    expect((await docker().getContainer(`gpu-env-${NAME}`).inspect()).Id).toBe(containerId);
    const info = JSON.parse(restarted.stdout) as UpJson;
    first = info;
    const echo = await runCli(['exec', NAME, '--', 'echo', 'back'], env);
    expect(echo.stdout.trim()).toBe('back');
  });

  it('refuses a host key other than the pinned one, with both fingerprints', async () => {
    const keys = loadKeys(stateDir, NAME);
    const other = generateEd25519Pair('test');
    const attempt = connectSsh({ host: '127.0.0.1', port: first.ssh.port, user: 'dev', privateKey: keys.userPrivateKey, pinnedHostKey: other.public, label: 'pinned-test' });
    await expect(attempt).rejects.toBeInstanceOf(HostKeyMismatchError);
    await expect(attempt).rejects.toThrow(/expected SHA256:\S+, received SHA256:\S+/);
    const good = await connectSsh({ host: '127.0.0.1', port: first.ssh.port, user: 'dev', privateKey: keys.userPrivateKey, pinnedHostKey: keys.hostPublicKey, label: 'pinned-test' });
    expect((await good.exec('echo pinned')).stdout.trim()).toBe('pinned');
    good.close();
    // OpenSSH with a known_hosts holding another key refuses too.
    const knownHosts = join(stateDir, 'wrong_known_hosts');
    writeFileSync(knownHosts, `gpu-env-${NAME} ${other.public}\n`);
    const ssh = await runProcess('ssh', ['-F', join(stateDir, 'ssh_config'), '-o', `UserKnownHostsFile=${knownHosts}`, '-o', 'BatchMode=yes', `gpu-env-${NAME}`, 'true'], {});
    expect(ssh.code).toBe(255);
    expect(ssh.stderr).toMatch(/HOST IDENTIFICATION HAS CHANGED|Host key verification failed/);
  });

  it('rm leaves no container with the product labels; keys stay until --purge', async () => {
    const removed = await runCli(['rm', NAME], env);
    expect(removed.code, removed.stderr).toBe(0);
    expect(await productContainers()).not.toContain(`gpu-env-${NAME}`);
    expect(statSync(join(stateDir, 'envs', NAME, 'id_ed25519')).mode & 0o777).toBe(0o600);
    const purged = await runCli(['rm', NAME, '--purge'], env);
    expect(purged.code, purged.stderr).toBe(0);
    expect(() => statSync(join(stateDir, 'envs', NAME))).toThrow();
    const missing = await runCli(['status', NAME], env);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain(`no environment named "${NAME}"`);
  });
});

import { spawnSync } from 'node:child_process';
import { appendFileSync, existsSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import { defaultContext, openEnvironmentSession } from '../../src/core/api';
import { connectEngine } from '../../src/core/engine/connect';
import { withDeadline } from '../../src/core/util/abort';
import { closeRemoteHosts } from '../../src/core/remote/host-registry';
import {
  BASE_IMAGE, DOCKER_HOST, HARNESS_READY, SKIP_REASON, docker, productContainers, removeDir, runCli, runProcess, tempDir,
} from './harness-env';
import { httpStatus, startTunnel } from './jupyter-tunnel';
import {
  authorizeKeys, ensureRemoteUser, freePort, removeRemoteUser, generateKey, keygenFingerprint, startSshd, type RemoteUser, type RunningSshd,
} from './remote-sshd';

const NAME = 'itest-remote';
const CLI_TIMEOUT_MS = 240_000;

interface UpJson {
  name: string;
  container: string;
  workspace: string;
  engine: string;
  ssh: { host: string; port: number; user: string; alias: string; jump?: string };
  host: { id: string; label: string; engine: string; kind: string };
}

describe.skipIf(!HARNESS_READY || process.getuid?.() !== 0)(
  `a remote Docker host over SSH (a second sshd on 127.0.0.1)${HARNESS_READY ? '' : ` (skipped: ${SKIP_REASON})`}`,
  () => {
    let dir = '';
    let clientHome = '';
    let stateDir = '';
    let user: RemoteUser;
    let userCreated = false;
    let sshd: RunningSshd;
    let hostKey = '';
    let url = '';
    let env: Record<string, string> = {};
    let remoteWorkspace = '';
    let agentPid: number | undefined;
    let up: UpJson;

    const knownHosts = (): string => join(clientHome, '.ssh', 'known_hosts');
    const cli = (args: readonly string[], extra: Record<string, string> = {}) => runCli(args, { ...env, ...extra }, CLI_TIMEOUT_MS);

    beforeAll(async () => {
      dir = tempDir('remote');
      clientHome = join(dir, 'client-home');
      stateDir = join(dir, 'state');
      mkdirSync(join(clientHome, '.ssh'), { recursive: true, mode: 0o700 });
      const ensured = ensureRemoteUser();
      user = ensured;
      userCreated = ensured.created;
      remoteWorkspace = join(user.home, 'gpu-env', NAME);
      rmSync(remoteWorkspace, { recursive: true, force: true });
      const clientKey = generateKey(join(clientHome, '.ssh', 'id_ed25519'), 'client-default');
      const aliasKey = generateKey(join(clientHome, '.ssh', 'id_alias'), 'client-alias');
      const agentKey = generateKey(join(dir, 'id_agent'), 'client-agent');
      authorizeKeys(user, [clientKey.publicKey, aliasKey.publicKey, agentKey.publicKey]);
      hostKey = generateKey(join(dir, 'host_key'), 'remote-host').privatePath;
      const port = await freePort();
      sshd = await startSshd({ dir, port, hostKey, dockerHost: DOCKER_HOST });
      url = `ssh://${user.name}@127.0.0.1:${port}`;
      writeFileSync(join(clientHome, '.ssh', 'config'), [
        'Host gpu-remote',
        '  HostName 127.0.0.1',
        `  Port ${port}`,
        `  User ${user.name}`,
        '  IdentityFile ~/.ssh/id_alias',
        '  IdentitiesOnly yes',
        '',
        // The same sshd as its own jump host: two hops, each a real SSH login.
        'Host via-jump',
        '  HostName 127.0.0.1',
        `  Port ${port}`,
        `  User ${user.name}`,
        '  IdentityFile ~/.ssh/id_alias',
        '  IdentitiesOnly yes',
        '  ProxyJump gpu-remote',
        '',
      ].join('\n'), { mode: 0o600 });
      // The CLI sees only the throw-away HOME: its ~/.ssh/config, known_hosts and keys; no agent.
      env = { HOME: clientHome, GPU_ENV_STATE_DIR: stateDir, SSH_AUTH_SOCK: '' };
    });

    afterAll(async () => {
      closeRemoteHosts();
      await docker().getContainer(`gpu-env-${NAME}`).remove({ force: true }).catch(() => undefined);
      if (agentPid !== undefined) {
        try {
          process.kill(agentPid, 'SIGTERM');
        } catch {
          /* already gone */
        }
      }
      await sshd?.stop();
      rmSync(remoteWorkspace, { recursive: true, force: true });
      removeDir(dir);
      if (userCreated) removeRemoteUser();
    });

    it('refuses an unknown host key without --accept-new-host-key, showing its SHA-256 fingerprint', async () => {
      const result = await cli(['ls', '--host', url]);
      expect(result.code, result.stderr).toBe(1);
      expect(result.stderr).toContain(keygenFingerprint(`${hostKey}.pub`));
      expect(result.stderr).toContain('--accept-new-host-key');
      expect(result.stderr).toMatch(/not known/);
      expect(existsSync(knownHosts()) ? readFileSync(knownHosts(), 'utf8') : '').toBe('');
      expect(sshd.acceptedLogins()).toBe(0);
    });

    it('accepts it with --accept-new-host-key and adds it to known_hosts, where OpenSSH finds it', async () => {
      const result = await cli(['ls', '--host', url, '--accept-new-host-key']);
      expect(result.code, result.stderr).toBe(0);
      expect(result.stderr).toContain(keygenFingerprint(`${hostKey}.pub`));
      // The "remote" engine is the harness engine, shared with other tests: only ours must not be there yet.
      expect(result.stdout).not.toContain(NAME);
      expect(statSync(knownHosts()).mode & 0o777).toBe(0o600);
      const found = spawnSync('ssh-keygen', ['-F', `[127.0.0.1]:${sshd.port}`, '-f', knownHosts()], { encoding: 'utf8' });
      expect(found.status, found.stderr).toBe(0);
      expect(found.stdout).toContain('ssh-ed25519');
    });

    it('up provisions through the host with exactly ONE SSH connection to it', async () => {
      const before = sshd.acceptedLogins();
      const started = Date.now();
      const result = await cli(['up', '--name', NAME, '--host', url, '--base-image', BASE_IMAGE, '--json']);
      const tookMs = Date.now() - started;
      expect(result.code, result.stderr).toBe(0);
      up = JSON.parse(result.stdout) as UpJson;
      const logins = sshd.acceptedLogins() - before;
      console.log(`remote up: ${tookMs} ms, SSH connections to the host: ${logins}`);
      expect(logins).toBe(1);
      expect(up).toMatchObject({ name: NAME, workspace: remoteWorkspace, engine: url, host: { kind: 'ssh', label: `${user.name}@127.0.0.1:${sshd.port}` } });
      expect(up.ssh.jump).toBe(`gpu-env-host-${up.host.id}`);
      expect(result.stderr).toContain(`Files live on ${user.name}@127.0.0.1:${sshd.port} in ${remoteWorkspace}`);
      expect(statSync(remoteWorkspace).uid).toBe(user.uid);
      const inspect = await docker().getContainer(up.container).inspect();
      expect((inspect.HostConfig.PortBindings as Record<string, { HostIp: string }[]>)['22/tcp']).toEqual([{ HostIp: '127.0.0.1', HostPort: '' }]);
    });

    it('reaches the container through the host with ssh2 (exec), writing into the remote workspace', async () => {
      const session = await openEnvironmentSession(NAME, {
        context: defaultContext({ homeDir: clientHome, stateDir, env: { ...process.env, HOME: clientHome, SSH_AUTH_SOCK: '' }, host: { url, source: '--host' } }),
      });
      try {
        const result = await session.exec('id -u; echo written-in-container > /workspace/from-container.txt; mkdir -p /workspace/.gpu-env/runs');
        expect(result.code, result.stderr).toBe(0);
        expect(result.stdout.trim()).toBe(String(user.uid));
      } finally {
        session.close();
        closeRemoteHosts();
      }
      expect(readFileSync(join(remoteWorkspace, 'from-container.txt'), 'utf8').trim()).toBe('written-in-container');
      expect(statSync(join(remoteWorkspace, 'from-container.txt')).uid).toBe(user.uid);
      const viaCli = await cli(['exec', NAME, '--host', url, '--', 'cat', '/workspace/from-container.txt']);
      expect(viaCli.code, viaCli.stderr).toBe(0);
      expect(viaCli.stdout.trim()).toBe('written-in-container');
    });

    it('the real OpenSSH client gets in with `ssh -F <generated config>` through the jump block', async () => {
      const config = readFileSync(join(stateDir, 'ssh_config'), 'utf8');
      expect(config).toContain(`Host gpu-env-host-${up.host.id}`);
      expect(config).toContain(`ProxyJump gpu-env-host-${up.host.id}`);
      const before = sshd.acceptedLogins();
      const ssh = await runProcess('ssh', ['-F', join(stateDir, 'ssh_config'), '-o', 'BatchMode=yes', `gpu-env-${NAME}`, 'cat /workspace/from-container.txt; id -un'], {}, 60_000);
      expect(ssh.code, ssh.stderr).toBe(0);
      expect(ssh.stdout.trim().split('\n')).toEqual(['written-in-container', 'dev']);
      expect(sshd.acceptedLogins() - before).toBe(1);
      const printed = await cli(['ssh-config', NAME, '--host', url]);
      expect(printed.code, printed.stderr).toBe(0);
      const printedFile = join(dir, 'printed_config');
      writeFileSync(printedFile, printed.stdout);
      const again = await runProcess('ssh', ['-F', printedFile, '-o', 'BatchMode=yes', `gpu-env-${NAME}`, 'true'], {}, 60_000);
      expect(again.code, again.stderr).toBe(0);
    });

    it('gpu-env jupyter works on the remote host: the tunnel goes through the host connection', async () => {
      const tunnel = await startTunnel([NAME, '--host', url], env);
      try {
        expect(await httpStatus(`http://127.0.0.1:${tunnel.port}/api/status`, { Authorization: `token ${tunnel.token}` })).toBe(200);
        expect(await httpStatus(`http://127.0.0.1:${tunnel.port}/api/status`)).toBe(403);
      } finally {
        expect(await tunnel.stop()).toBe(0);
      }
    });

    it('sync copies a local folder into the workspace on the host over its SSH connection, honouring .gitignore; the container sees it', async () => {
      const local = join(dir, 'local-ws');
      mkdirSync(join(local, 'data'), { recursive: true });
      writeFileSync(join(local, '.gitignore'), 'data/\n');
      writeFileSync(join(local, 'data', 'big.bin'), 'ignored');
      writeFileSync(join(local, 'train.py'), 'print(1)\n');
      const first = await cli(['sync', NAME, '--host', url, '--workspace', local, '--json']);
      expect(first.code, first.stderr).toBe(0);
      expect(JSON.parse(first.stdout)).toMatchObject({ files: 2, bytes: 15, unchanged: 0, ignored: 1, destination: `${user.name}@127.0.0.1:${sshd.port}:${remoteWorkspace}` });
      expect(readFileSync(join(remoteWorkspace, 'train.py'), 'utf8')).toBe('print(1)\n');
      expect(statSync(join(remoteWorkspace, 'train.py')).uid).toBe(user.uid);
      expect(existsSync(join(remoteWorkspace, 'data'))).toBe(false);
      const second = await cli(['sync', NAME, '--host', url, '--workspace', local, '--json']);
      expect(JSON.parse(second.stdout)).toMatchObject({ files: 0, bytes: 0, unchanged: 2 });
      const inContainer = await cli(['exec', NAME, '--host', url, '--', 'cat', '/workspace/train.py']);
      expect(inContainer.stdout).toBe('print(1)\n');
    });

    it('takes the host as a Host alias of ~/.ssh/config (plain and ssh://alias), with its IdentityFile', async () => {
      for (const host of ['gpu-remote', 'ssh://gpu-remote']) {
        const result = await cli(['ls', '--host', host, '--json']);
        expect(result.code, `${host}: ${result.stderr}`).toBe(0);
        const infos = JSON.parse(result.stdout) as UpJson[];
        const ours = infos.find((i) => i.name === NAME);
        expect(ours?.host.id).toBe(up.host.id);
      }
      // IdentitiesOnly with IdentityFile ~/.ssh/id_alias: that key, not the default one, logged in.
      expect(sshd.log()).toContain(keygenFingerprint(join(clientHome, '.ssh', 'id_alias.pub')));
      const unknown = await cli(['ls', '--host', 'not-in-ssh-config']);
      expect(unknown.code).toBe(2);
      expect(unknown.stderr).toMatch(/"not-in-ssh-config" is not a Docker engine address, nor a Host alias in .*\.ssh\/config; use unix:\/\/\//);
    });

    it('ls groups environments by host when several hosts are listed', async () => {
      const result = await cli(['ls', '--host', DOCKER_HOST, '--host', url]);
      expect(result.code, result.stderr).toBe(0);
      expect(result.stdout).toMatch(new RegExp(`HOST [^\\n]+\\n[\\s\\S]*\\nHOST ${user.name}@127\\.0\\.0\\.1:${sshd.port} \\(${url.replace(/[.]/g, '\\.')}\\)\\n[^\\n]*NAME[\\s\\S]*${NAME}`));
    });

    it('takes the host from DOCKER_HOST and from a docker context whose endpoint is ssh://', async () => {
      const fromEnv = await cli(['ls', '--json'], { DOCKER_HOST: url });
      expect(fromEnv.code, fromEnv.stderr).toBe(0);
      expect((JSON.parse(fromEnv.stdout) as UpJson[]).find((i) => i.name === NAME)?.engine).toBe(url);
      const contextDir = join(clientHome, '.docker', 'contexts', 'meta', createHash('sha256').update('gpu-remote-ctx').digest('hex'));
      mkdirSync(contextDir, { recursive: true });
      writeFileSync(join(contextDir, 'meta.json'), JSON.stringify({ Name: 'gpu-remote-ctx', Endpoints: { docker: { Host: url, SkipTLSVerify: false } } }));
      writeFileSync(join(clientHome, '.docker', 'config.json'), JSON.stringify({ currentContext: 'gpu-remote-ctx' }));
      try {
        const fromContext = await cli(['ls', '--json'], { DOCKER_HOST: '' });
        expect(fromContext.code, fromContext.stderr).toBe(0);
        expect((JSON.parse(fromContext.stdout) as UpJson[]).map((i) => i.name)).toContain(NAME);
      } finally {
        rmSync(join(clientHome, '.docker'), { recursive: true, force: true });
      }
    });

    it('goes through ProxyJump hops (ssh2 and OpenSSH), one login per hop', async () => {
      const before = sshd.acceptedLogins();
      const listed = await cli(['ls', '--host', 'via-jump', '--json']);
      expect(listed.code, listed.stderr).toBe(0);
      const ours = (JSON.parse(listed.stdout) as UpJson[]).find((i) => i.name === NAME);
      expect(ours?.host.label).toBe(`${user.name}@127.0.0.1:${sshd.port}`);
      expect(ours?.host.id).not.toBe(up.host.id);
      expect(sshd.acceptedLogins() - before).toBe(2);
      const printed = await cli(['ssh-config', NAME, '--host', 'via-jump']);
      expect(printed.code, printed.stderr).toBe(0);
      expect(printed.stdout.match(/^Host gpu-env-host-/gm)).toHaveLength(2);
      const printedFile = join(dir, 'printed_jump_config');
      writeFileSync(printedFile, printed.stdout);
      const ssh = await runProcess('ssh', ['-F', printedFile, '-o', 'BatchMode=yes', `gpu-env-${NAME}`, 'cat /workspace/from-container.txt'], {}, 60_000);
      expect(ssh.code, ssh.stderr).toBe(0);
      expect(ssh.stdout.trim()).toBe('written-in-container');
    });

    it('reconnects on the next call after the host connection dropped', async () => {
      const engine = await connectEngine({ url, source: '--host' }, undefined, { env: { SSH_AUTH_SOCK: '' }, homeDir: clientHome });
      try {
        const connection = engine.remote!.connection;
        const before = sshd.acceptedLogins();
        const client = await connection.client();
        const closed = new Promise<void>((resolve) => client.once('close', () => resolve()));
        client.end();
        await closed;
        await new Promise((resolve) => setImmediate(resolve));
        const containers = await withDeadline('list after reconnect', 30_000, undefined, (abortSignal) => engine.docker.listContainers({ all: true, abortSignal }));
        expect(containers.map((c) => c.Names[0])).toContain(`/gpu-env-${NAME}`);
        expect(connection.connectionsOpened).toBe(2);
        expect(sshd.acceptedLogins() - before).toBe(1);
      } finally {
        closeRemoteHosts();
      }
    });

    it('logs in with a key held by ssh-agent (SSH_AUTH_SOCK) when no key file is there', async () => {
      const agentHome = join(dir, 'agent-home');
      mkdirSync(join(agentHome, '.ssh'), { recursive: true, mode: 0o700 });
      writeFileSync(join(agentHome, '.ssh', 'known_hosts'), readFileSync(knownHosts()));
      const socket = join(dir, 'agent.sock');
      const started = spawnSync('ssh-agent', ['-s', '-a', socket], { encoding: 'utf8', timeout: 10_000 });
      expect(started.status, started.stderr).toBe(0);
      agentPid = Number(/SSH_AGENT_PID=(\d+)/.exec(started.stdout)?.[1]);
      const added = spawnSync('ssh-add', [join(dir, 'id_agent')], { encoding: 'utf8', env: { ...process.env, SSH_AUTH_SOCK: socket }, timeout: 10_000 });
      expect(added.status, added.stderr).toBe(0);
      const result = await cli(['ls', '--host', url, '--json'], { HOME: agentHome, SSH_AUTH_SOCK: socket });
      expect(result.code, result.stderr).toBe(0);
      expect((JSON.parse(result.stdout) as UpJson[]).map((i) => i.name)).toContain(NAME);
      expect(sshd.log()).toMatch(new RegExp(`Accepted publickey for ${user.name} .* ED25519 ${keygenFingerprint(join(dir, 'id_agent.pub')).replace(/[+/]/g, '\\$&')}`));
    });

    it('matches hashed known_hosts entries (ssh-keygen -H) and refuses a key marked @revoked', async () => {
      const hashed = spawnSync('ssh-keygen', ['-H', '-f', knownHosts()], { encoding: 'utf8' });
      expect(hashed.status, hashed.stderr).toBe(0);
      expect(readFileSync(knownHosts(), 'utf8')).toMatch(/^\|1\|/m);
      const ok = await cli(['ls', '--host', url]);
      expect(ok.code, ok.stderr).toBe(0);
      const original = readFileSync(knownHosts(), 'utf8');
      appendFileSync(knownHosts(), `@revoked * ${readFileSync(`${hostKey}.pub`, 'utf8').trim()}\n`);
      const refused = await cli(['ls', '--host', url]);
      expect(refused.code).toBe(1);
      expect(refused.stderr).toMatch(/REFUSING to connect .* is marked @revoked in .*known_hosts line 2/);
      writeFileSync(knownHosts(), original);
    });

    it('rm --purge removes the container and the run files on the host; the user\'s files stay', async () => {
      const removed = await cli(['rm', NAME, '--purge', '--host', url]);
      expect(removed.code, removed.stderr).toBe(0);
      expect(await productContainers()).not.toContain(`gpu-env-${NAME}`);
      expect(existsSync(join(remoteWorkspace, '.gpu-env'))).toBe(false);
      expect(existsSync(join(remoteWorkspace, 'from-container.txt'))).toBe(true);
      expect(readFileSync(join(stateDir, 'ssh_config'), 'utf8')).not.toContain('gpu-env-host-');
    });

    it('refuses a changed host key loudly, with the expected and the received fingerprints', async () => {
      await sshd.stop();
      const newKey = generateKey(join(dir, 'host_key_2'), 'remote-host-reinstalled').privatePath;
      sshd = await startSshd({ dir, port: sshd.port, hostKey: newKey, dockerHost: DOCKER_HOST, logName: 'sshd-reinstalled.log' });
      const before = readFileSync(knownHosts(), 'utf8');
      const result = await cli(['ls', '--host', url, '--accept-new-host-key']);
      expect(result.code).toBe(1);
      expect(result.stderr).toContain('REFUSING to connect');
      expect(result.stderr).toContain('CHANGED');
      expect(result.stderr).toContain(`expected ssh-ed25519 ${keygenFingerprint(`${hostKey}.pub`)}`);
      expect(result.stderr).toContain(`received ssh-ed25519 ${keygenFingerprint(`${newKey}.pub`)}`);
      expect(result.stderr).toContain(`ssh-keygen -R '[127.0.0.1]:${sshd.port}'`);
      expect(readFileSync(knownHosts(), 'utf8')).toBe(before);
      expect(sshd.acceptedLogins()).toBe(0);
    });
  },
);

/**
 * The security profile of an environment, checked on the real engine, the real container and the
 * real OpenSSH binaries (issue 16 defect 15 and the catalogue's cases 20 and 28).
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { execAsRoot, docker, environmentFixture, HARNESS_READY, SKIP_REASON, removeDir, runCli, runProcess, tempDir } from './harness-env';

const NAME = 'itest-security';
const CONTAINER = `gpu-env-${NAME}`;
/** What sshd and the entrypoint need, and nothing else (see src/core/container/spec.ts). */
const KEPT = ['CHOWN', 'DAC_READ_SEARCH', 'SETUID', 'SETGID', 'NET_BIND_SERVICE', 'SYS_CHROOT', 'KILL', 'AUDIT_WRITE'];
/** Linux capability numbers, for reading CapEff masks. */
const CAP_NUMBER: Record<string, number> = { CHOWN: 0, DAC_OVERRIDE: 1, DAC_READ_SEARCH: 2, FOWNER: 3, FSETID: 4, KILL: 5, SETGID: 6, SETUID: 7, SETPCAP: 8, NET_BIND_SERVICE: 10, NET_RAW: 13, SYS_CHROOT: 18, MKNOD: 27, AUDIT_WRITE: 29, SETFCAP: 31 };

function capsOf(mask: string): string[] {
  const value = BigInt(`0x${mask}`);
  return Object.entries(CAP_NUMBER).filter(([, bit]) => (value >> BigInt(bit)) & 1n).map(([name]) => name).sort();
}

describe.skipIf(!HARNESS_READY)(`environment security profile${HARNESS_READY ? '' : ` (skipped: ${SKIP_REASON})`}`, () => {
  const fx = environmentFixture(NAME, 'security');

  it('drops every capability but the few sshd and the entrypoint need; no-new-privileges; not privileged; loopback only', async () => {
    const inspect = await docker().getContainer(CONTAINER).inspect();
    expect(inspect.HostConfig.CapDrop).toEqual(['ALL']);
    expect([...(inspect.HostConfig.CapAdd ?? [])].sort()).toEqual([...KEPT].sort());
    expect(inspect.HostConfig.Privileged).toBe(false);
    expect(inspect.HostConfig.SecurityOpt).toContain('no-new-privileges');
    expect(inspect.HostConfig.NetworkMode).not.toBe('host');
    expect(inspect.HostConfig.PidMode ?? '').not.toBe('host');
    expect(Object.values(inspect.HostConfig.PortBindings ?? {}).flat().map((b) => (b as { HostIp: string }).HostIp)).toEqual(['127.0.0.1']);
    expect((inspect.Mounts ?? []).map((m) => m.Destination)).toEqual(['/workspace']);
    expect((inspect.Config.Env ?? []).filter((e) => /^(SSH_AUTH_SOCK|VSCODE_)/.test(e))).toEqual([]);
  });

  it('the processes really run with that set: sshd\'s bounding set has no MKNOD, DAC_OVERRIDE, NET_RAW', async () => {
    const status = await execAsRoot(CONTAINER, 'grep -E "^Cap(Eff|Bnd):" /proc/1/status; pid=$(pgrep -o sshd); grep -E "^Cap(Eff|Bnd):" /proc/$pid/status');
    const masks = [...status.output.matchAll(/^Cap(Eff|Bnd):\s+([0-9a-f]+)$/gm)].map((m) => capsOf(m[2]!));
    expect(masks.length).toBe(4);
    for (const caps of masks) for (const cap of caps) expect(KEPT).toContain(cap);
    expect(capsOf([...status.output.matchAll(/^CapBnd:\s+([0-9a-f]+)$/gm)].at(-1)![1]!)).toEqual([...KEPT].sort());
    const mknod = await execAsRoot(CONTAINER, 'mknod /tmp/null-copy c 1 3 2>&1; echo exit=$?');
    expect(mknod.output).toMatch(/Operation not permitted[\s\S]*exit=1/);
    // Root in the container reads the user's 0700 workspace (the idle watcher does) but cannot write to it.
    const write = await execAsRoot(CONTAINER, 'ls -a /workspace >/dev/null && echo read=ok; touch /workspace/by-root 2>&1; echo exit=$?');
    expect(write.output).toMatch(/read=ok[\s\S]*Permission denied[\s\S]*exit=1/);
  });

  it('SSH works with that set, as the workspace owner', async () => {
    const exec = await runCli(['exec', NAME, '--', 'sh', '-c', 'id -un; touch /workspace/written-by-dev && ls -n /workspace/written-by-dev'], fx.env, 60_000);
    expect(exec.code, exec.stderr).toBe(0);
    expect(exec.stdout).toMatch(/^dev\n/);
  });

  // ---- sshd hardening, with the real OpenSSH client against the container's real sshd --------
  const agentDirs: string[] = [];
  const agentPids: number[] = [];
  afterAll(() => {
    for (const pid of agentPids) {
      try {
        process.kill(pid, 'SIGTERM');
      } catch {
        // Already gone.
      }
    }
    for (const dir of agentDirs) removeDir(dir);
  });

  /** OpenSSH with the ssh_config `up` wrote (pinned host key, the environment's key); never asks anything. */
  const ssh = (args: readonly string[], env: Record<string, string> = {}) =>
    runProcess('ssh', ['-F', join(fx.stateDir, 'ssh_config'), '-o', 'BatchMode=yes', '-o', 'ConnectTimeout=20', ...args], env, 60_000);

  it('root login with the environment\'s own key is refused by sshd; the same key logs in as the workspace owner', async () => {
    const asOwner = await ssh([CONTAINER, 'id', '-un']);
    expect([asOwner.code, asOwner.stdout], asOwner.stderr).toEqual([0, 'dev\n']);
    for (const args of [['-l', 'root', CONTAINER, 'id -un'], [`root@${CONTAINER}`, 'id -un']]) {
      const asRoot = await ssh(args);
      expect(asRoot.code).toBe(255);
      expect(asRoot.stdout).toBe('');
      expect(asRoot.stderr).toMatch(/root@[\w.-]+: Permission denied \(publickey\)/);
    }
    // Refused by the server, not by the client: sshd says why in the container's log.
    const logs = (await docker().getContainer(CONTAINER).logs({ stdout: true, stderr: true, tail: 200 })).toString();
    expect(logs).toMatch(/User root from [\d.]+ not allowed because not listed in AllowUsers/);
  });

  it('sshd offers public keys only: a client asking for a password or keyboard-interactive gets neither', async () => {
    const result = await ssh(['-v', '-o', 'PubkeyAuthentication=no', '-o', 'PasswordAuthentication=yes', '-o', 'KbdInteractiveAuthentication=yes',
      '-o', 'PreferredAuthentications=keyboard-interactive,password', CONTAINER, 'true']);
    expect(result.code).toBe(255);
    const offered = [...result.stderr.matchAll(/^debug1: Authentications that can continue: (.*)$/gm)].map((m) => m[1]);
    expect(offered.length).toBeGreaterThan(0);
    expect([...new Set(offered)]).toEqual(['publickey']);
    expect(result.stderr).toMatch(/Permission denied \(publickey\)/);
  });

  it('ssh -A with a real agent holding a key: the session gets no agent socket', async () => {
    const dir = tempDir('agent');
    agentDirs.push(dir);
    const socket = join(dir, 'agent.sock');
    const agent = spawnSync('ssh-agent', ['-a', socket, '-s'], { encoding: 'utf8', timeout: 10_000 });
    expect(agent.status, agent.stderr).toBe(0);
    agentPids.push(Number(/SSH_AGENT_PID=(\d+)/.exec(agent.stdout)![1]));
    const key = join(dir, 'agent_key');
    expect(spawnSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', key]).status).toBe(0);
    expect(spawnSync('ssh-add', [key], { env: { ...process.env, SSH_AUTH_SOCK: socket } }).status).toBe(0);
    // The agent is real and holds the key here.
    const here = spawnSync('ssh-add', ['-l'], { encoding: 'utf8', env: { ...process.env, SSH_AUTH_SOCK: socket } });
    expect(here.stdout).toMatch(/ED25519/);

    const session = await ssh(['-A', '-v', CONTAINER, 'printf "[%s]" "$SSH_AUTH_SOCK"; ssh-add -l >/dev/null 2>&1; echo " add=$?"; ls -d /tmp/ssh-* 2>/dev/null | wc -l'], { SSH_AUTH_SOCK: socket });
    expect(session.code, session.stderr).toBe(0);
    // The client asked for forwarding; sshd gave the session none (ssh-add: 2 = no agent to talk to).
    expect(session.stderr).toMatch(/Requesting authentication agent forwarding/);
    expect(session.stdout).toBe('[] add=2\n0\n');
  });

  it('sshd -T (the configuration sshd really runs with): no password, no keyboard-interactive, no root login, no agent forwarding', async () => {
    const result = await execAsRoot(CONTAINER, '/usr/sbin/sshd -T -f /etc/gpu-env/sshd_config');
    expect(result.code, result.output).toBe(0);
    const settings = new Map(result.output.split('\n').filter((l) => l.includes(' ')).map((l) => [l.slice(0, l.indexOf(' ')), l.slice(l.indexOf(' ') + 1)]));
    expect({
      passwordauthentication: settings.get('passwordauthentication'),
      kbdinteractiveauthentication: settings.get('kbdinteractiveauthentication'),
      permitrootlogin: settings.get('permitrootlogin'),
      allowagentforwarding: settings.get('allowagentforwarding'),
      permitemptypasswords: settings.get('permitemptypasswords'),
      pubkeyauthentication: settings.get('pubkeyauthentication'),
      allowusers: settings.get('allowusers'),
      x11forwarding: settings.get('x11forwarding'),
      permituserenvironment: settings.get('permituserenvironment'),
    }).toEqual({
      passwordauthentication: 'no',
      kbdinteractiveauthentication: 'no',
      permitrootlogin: 'no',
      allowagentforwarding: 'no',
      permitemptypasswords: 'no',
      pubkeyauthentication: 'yes',
      allowusers: 'dev',
      x11forwarding: 'no',
      permituserenvironment: 'no',
    });
    // And that is the file the running sshd was started with.
    const running = await execAsRoot(CONTAINER, 'for p in $(pgrep sshd); do tr "\\000" " " < /proc/$p/cmdline; echo; done');
    expect(running.output).toMatch(/\/usr\/sbin\/sshd -D -e -f \/etc\/gpu-env\/sshd_config/);
  });

  it('an interactive session gets its terminal: OpenSSH -tt (what the terminal and Remote - SSH ask) opens a pty', async () => {
    // sshd writes a login record to the kernel's audit log when it opens a pty, and gives up on the
    // session if it may not (AUDIT_WRITE): a set without it let commands run but no terminal open.
    const session = await ssh(['-tt', CONTAINER, 'tty; id -un']);
    expect(session.code, session.stdout + session.stderr).toBe(0);
    expect(session.stdout).toMatch(/^\/dev\/pts\/\d+\r?\ndev\r?\n/);
  });
});


/**
 * The security profile of an environment, checked on the real engine, the real container and the
 * real OpenSSH binaries (issue 16 defect 15 and the catalogue's cases 20 and 28).
 */
import { describe, expect, it } from 'vitest';
import { execAsRoot, docker, environmentFixture, HARNESS_READY, SKIP_REASON, runCli } from './harness-env';

const NAME = 'itest-security';
const CONTAINER = `gpu-env-${NAME}`;
/** What sshd and the entrypoint need, and nothing else (see src/core/container/spec.ts). */
const KEPT = ['CHOWN', 'DAC_READ_SEARCH', 'SETUID', 'SETGID', 'NET_BIND_SERVICE', 'SYS_CHROOT', 'KILL'];
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
});

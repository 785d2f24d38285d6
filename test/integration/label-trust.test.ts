/**
 * Issue 16 defect 9: names and workspaces read from container labels were trusted. On a shared
 * engine, a container named gpu-env-.. labelled name ".." made "Remove and Delete Keys and Runs"
 * delete the whole state folder; a workspace label that is not what the container mounts pointed
 * the purge at someone else's folder. Hostile containers made on the real engine; the extension's
 * Remove calls the same core `list` and `remove`.
 */
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultContext, list, remove } from '../../src/core/api';
import { LABEL } from '../../src/core/container/labels';
import { BASE_IMAGE, DOCKER_HOST, HARNESS_READY, SKIP_REASON, docker, removeDir, tempDir } from './harness-env';

const HOSTILE = ['gpu-env-..', 'gpu-env-evil-ws', 'gpu-env-rel-ws', 'gpu-env-mismatch'];

describe.skipIf(!HARNESS_READY)(`names and paths from labels are validated${HARNESS_READY ? '' : ` (skipped: ${SKIP_REASON})`}`, () => {
  let stateDir = '';
  let victim = '';
  let mounted = '';
  const ctx = () => defaultContext({ stateDir, env: { ...process.env, DOCKER_HOST } });

  async function hostile(name: string, labels: Record<string, string>, mount: string): Promise<void> {
    const container = await docker().createContainer({
      name,
      Image: BASE_IMAGE,
      Cmd: ['sleep', 'infinity'],
      Labels: labels,
      HostConfig: { Mounts: [{ Type: 'bind', Source: mount, Target: '/workspace' }] },
    });
    await container.start();
  }

  beforeAll(async () => {
    stateDir = tempDir('label-trust-state');
    // The user's own environments' keys, which the attacker wants gone.
    mkdirSync(join(stateDir, 'envs', 'mine'), { recursive: true });
    writeFileSync(join(stateDir, 'envs', 'mine', 'id_ed25519'), 'precious key\n');
    writeFileSync(join(stateDir, 'ssh_config'), '# gpu-env:begin mine\nHost gpu-env-mine\n# gpu-env:end mine\n');
    victim = tempDir('label-trust-victim');
    mkdirSync(join(victim, '.gpu-env', 'runs', 'r1'), { recursive: true });
    writeFileSync(join(victim, '.gpu-env', 'runs', 'r1', 'metrics.jsonl'), '{}\n');
    mounted = tempDir('label-trust-mounted');
    await hostile('gpu-env-..', { [LABEL.name]: '..', [LABEL.workspace]: mounted }, mounted);
    await hostile('gpu-env-evil-ws', { [LABEL.name]: 'evil-ws', [LABEL.workspace]: victim }, mounted);
    await hostile('gpu-env-rel-ws', { [LABEL.name]: 'rel-ws', [LABEL.workspace]: `${mounted}/../${victim.split('/').pop()}` }, mounted);
    await hostile('gpu-env-mismatch', { [LABEL.name]: 'other', [LABEL.workspace]: mounted }, mounted);
  });

  afterAll(async () => {
    for (const name of HOSTILE) await docker().getContainer(name).remove({ force: true }).catch(() => undefined);
    removeDir(stateDir);
    removeDir(victim);
    removeDir(mounted);
  });

  it('lists no environment whose label name is not a valid name or not its container\'s', async () => {
    const names = (await list(ctx())).map((info) => info.name);
    expect(names).not.toContain('..');
    expect(names).not.toContain('other');
    expect(names).toEqual(expect.arrayContaining(['evil-ws', 'rel-ws']));
  });

  it('refuses to remove "..", and the state folder stays whole', async () => {
    await expect(remove('..', { purge: true }, ctx())).rejects.toThrow(/"\.\." is not a valid name/);
    expect(existsSync(join(stateDir, 'envs', 'mine', 'id_ed25519'))).toBe(true);
    expect(existsSync(join(stateDir, 'ssh_config'))).toBe(true);
  });

  it('a purge deletes run files only in the folder the container really mounts, not in a folder its label names', async () => {
    const evil = await remove('evil-ws', { purge: true }, ctx());
    expect(evil.removedContainer).toBe(true);
    expect(existsSync(join(victim, '.gpu-env', 'runs', 'r1', 'metrics.jsonl'))).toBe(true);
    expect(evil.purged.some((path) => path.startsWith(victim))).toBe(false);
    const relative = await remove('rel-ws', { purge: true }, ctx());
    expect(relative.removedContainer).toBe(true);
    expect(existsSync(join(victim, '.gpu-env', 'runs', 'r1', 'metrics.jsonl'))).toBe(true);
    expect(existsSync(join(stateDir, 'envs', 'mine', 'id_ed25519'))).toBe(true);
  });
});

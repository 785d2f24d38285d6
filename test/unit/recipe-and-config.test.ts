import { mkdtempSync, readFileSync, writeFileSync, cpSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { baseDerivedTag, recipeFor } from '../../src/core/image/recipe';
import { followEngineStream } from '../../src/core/image/engine-stream';
import { removeHostBlock, writeHostBlock } from '../../src/core/ssh/openssh-config';

const recipeDir = resolve(__dirname, '../../media/recipe');

describe('recipe', () => {
  it('tags gpu-env/pytorch-cuda:<base-derived-tag>-<8 hex>, stable for an unchanged recipe', () => {
    const a = recipeFor(recipeDir, 'pytorch/pytorch:2.6.0-cuda12.4-cudnn9-runtime');
    expect(a.tag).toMatch(/^gpu-env\/pytorch-cuda:pytorch-2\.6\.0-cuda12\.4-cudnn9-runtime-[0-9a-f]{8}$/);
    expect(recipeFor(recipeDir, 'pytorch/pytorch:2.6.0-cuda12.4-cudnn9-runtime').tag).toBe(a.tag);
    expect(recipeFor(recipeDir, 'pytorch/pytorch:2.6.0-cuda12.6-cudnn9-runtime').hash).not.toBe(a.hash);
  });
  it('changes hash when a recipe file changes', () => {
    const copy = mkdtempSync(join(tmpdir(), 'recipe-'));
    cpSync(recipeDir, copy, { recursive: true });
    const before = recipeFor(copy, 'x:1').hash;
    writeFileSync(join(copy, 'install.sh'), `${readFileSync(join(copy, 'install.sh'), 'utf8')}\n# changed\n`);
    expect(recipeFor(copy, 'x:1').hash).not.toBe(before);
  });
  it('derives readable tags', () => {
    expect(baseDerivedTag('ubuntu')).toBe('ubuntu-latest');
    expect(baseDerivedTag('localhost:5000/team/torch:v1')).toBe('torch-v1');
    expect(baseDerivedTag(`torch@sha256:${'a'.repeat(64)}`)).toBe('torch-sha-aaaaaaaaaaaa');
  });
});

describe('followEngineStream', () => {
  it('fails when any message carries errorDetail, even if the stream ends normally', async () => {
    const stream = new PassThrough();
    const done = followEngineStream(stream, 'pull of x', () => {});
    stream.write('{"status":"Pulling fs layer","id":"abc"}\n{"errorDetail":{"message":"manifest unknown"},"error":"manifest unknown"}\n');
    stream.end('{"status":"Done"}\n');
    await expect(done).rejects.toThrow('pull of x failed: manifest unknown');
  });
  it('handles messages split across chunks', async () => {
    const stream = new PassThrough();
    const seen: unknown[] = [];
    const done = followEngineStream(stream, 'build', (m) => seen.push(m));
    stream.write('{"stream":"Step 1/2');
    stream.write(' : FROM x\\n"}\n{"aux":{"ID":"sha256:1"}}');
    stream.end();
    await done;
    expect(seen).toEqual([{ stream: 'Step 1/2 : FROM x\n' }, { aux: { ID: 'sha256:1' } }]);
  });
});

describe('OpenSSH config file', () => {
  it('keeps one block per environment and removes it again', () => {
    const state = mkdtempSync(join(tmpdir(), 'state-'));
    writeHostBlock(state, 'a', { host: '127.0.0.1', port: 1111, user: 'dev' });
    writeHostBlock(state, 'b', { host: '127.0.0.1', port: 2222, user: 'dev' });
    writeHostBlock(state, 'a', { host: '127.0.0.1', port: 3333, user: 'dev' });
    const text = readFileSync(join(state, 'ssh_config'), 'utf8');
    expect(text.match(/^Host gpu-env-a$/gm)).toHaveLength(1);
    expect(text).toContain('Port 3333');
    expect(text).not.toContain('Port 1111');
    expect(text).toMatch(/Host gpu-env-a\n {2}HostName 127\.0\.0\.1\n {2}Port 3333\n {2}User dev\n {2}IdentityFile .*envs\/a\/id_ed25519\n {2}IdentitiesOnly yes\n {2}UserKnownHostsFile .*envs\/a\/known_hosts\n {2}StrictHostKeyChecking yes\n {2}HostKeyAlias gpu-env-a/);
    removeHostBlock(state, 'a');
    const after = readFileSync(join(state, 'ssh_config'), 'utf8');
    expect(after).not.toContain('gpu-env-a');
    expect(after).toContain('Host gpu-env-b');
  });
});

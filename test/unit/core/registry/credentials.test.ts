import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeAuth, registryAuthFor } from '../../../../src/core/registry/credentials';
import { parseHelperAnswer } from '../../../../src/core/registry/credential-helper';
import { parseDockerConfig, type DockerConfig } from '../../../../src/core/registry/docker-config';

const FILE = '/home/u/.docker/config.json';
const PASSWORD = 'pw-8c1f0e-not-in-messages';
const b64 = (text: string): string => Buffer.from(text).toString('base64');
const config = (value: object): DockerConfig => parseDockerConfig(FILE, JSON.stringify(value));

describe('registry credentials as the docker CLI finds them', () => {
  let bin = '';
  let env: NodeJS.ProcessEnv = {};

  /** A credential helper: a real program on PATH speaking the docker-credential-helpers protocol. */
  const helper = (name: string, script: string): void => {
    const path = join(bin, `docker-credential-${name}`);
    writeFileSync(path, `#!/bin/sh\n${script}\n`);
    chmodSync(path, 0o755);
  };

  beforeAll(() => {
    bin = mkdtempSync(join(tmpdir(), 'cred-helpers-'));
    env = { PATH: `${bin}:/usr/bin:/bin` };
    // Records what it was asked (action and server), answers for one server only.
    helper('store', `echo "$1 $(cat)" > "${bin}/asked"; if grep -q 'r.example:5000' "${bin}/asked"; then printf '{"ServerURL":"r.example:5000","Username":"alice","Secret":"${PASSWORD}"}'; else echo "credentials not found in native keychain"; exit 1; fi`);
    helper('token', `cat >/dev/null; printf '{"ServerURL":"x","Username":"<token>","Secret":"refresh-${PASSWORD}"}'`);
    helper('broken', `cat >/dev/null; echo "keychain locked" >&2; exit 3`);
    helper('garbage', `cat >/dev/null; echo 'not json ${PASSWORD}'`);
  });
  afterAll(() => rmSync(bin, { recursive: true, force: true }));

  it('auths: base64 user:password becomes username and password for the registry', async () => {
    const auth = await registryAuthFor('r.example:5000/torch:2.6', config({ auths: { 'r.example:5000': { auth: b64(`bob:${PASSWORD}`) } } }), env);
    expect(auth.authconfig).toEqual({ username: 'bob', password: PASSWORD, serveraddress: 'r.example:5000' });
    expect(auth.source).toBe(`auths["r.example:5000"] in ${FILE}`);
  });

  it('auths: an identity token is sent as identitytoken; Docker Hub uses its v1 key', async () => {
    const auth = await registryAuthFor('pytorch/pytorch:2.6.0', config({ auths: { 'https://index.docker.io/v1/': { auth: b64('bob:'), identitytoken: 'tok' } } }), env);
    expect(auth.authconfig).toEqual({ username: 'bob', identitytoken: 'tok', serveraddress: 'https://index.docker.io/v1/' });
    expect(auth.registry.name).toBe('docker.io');
  });

  it('credHelpers wins over credsStore and auths; the helper is asked `get` with the server on stdin', async () => {
    const auth = await registryAuthFor('r.example:5000/torch:2.6', config({
      credHelpers: { 'r.example:5000': 'store' }, credsStore: 'broken', auths: { 'r.example:5000': { auth: b64('x:y') } },
    }), env);
    expect(auth.authconfig).toEqual({ username: 'alice', password: PASSWORD, serveraddress: 'r.example:5000' });
    expect(auth.source).toBe(`the credential helper docker-credential-store (credHelpers["r.example:5000"] in ${FILE})`);
    expect(readFileSync(join(bin, 'asked'), 'utf8').trim()).toBe('get r.example:5000');
  });

  it('credsStore serves every registry; "credentials not found" means anonymous, not an error', async () => {
    const found = await registryAuthFor('r.example:5000/a', config({ credsStore: 'store' }), env);
    expect(found.authconfig?.username).toBe('alice');
    const none = await registryAuthFor('other.example/a', config({ credsStore: 'store', auths: { 'other.example': { auth: b64('ignored:x') } } }), env);
    expect(none.authconfig).toBeUndefined();
    expect(none.source).toBe(`the credential helper docker-credential-store (credsStore in ${FILE}), which has none for other.example`);
  });

  it('a helper answering the <token> user gives an identity token', async () => {
    const auth = await registryAuthFor('r.example:5000/a', config({ credHelpers: { 'r.example:5000': 'token' } }), env);
    expect(auth.authconfig).toEqual({ identitytoken: `refresh-${PASSWORD}`, serveraddress: 'r.example:5000' });
  });

  it('no entry anywhere: anonymous, and the source says where credentials were looked for', async () => {
    const auth = await registryAuthFor('r.example:5000/a', config({ auths: { 'ghcr.io': { auth: b64('a:b') } } }), env);
    expect(auth).toEqual({
      registry: { name: 'r.example:5000', configKey: 'r.example:5000' },
      source: `${FILE}, which has no auths entry, credHelpers entry or credsStore for r.example:5000`,
    });
    const missing = await registryAuthFor('r.example:5000/a', { file: FILE, exists: false, auths: {}, credHelpers: {}, proxies: {} }, env);
    expect(missing.source).toBe(`${FILE}, which does not exist`);
  });

  it('helper failures name the helper and where it was configured, never the answer', async () => {
    await expect(registryAuthFor('r.example:5000/a', config({ credHelpers: { 'r.example:5000': 'broken' } }), env))
      .rejects.toThrow(`the credential helper docker-credential-broken (credHelpers["r.example:5000"] in ${FILE}) failed (exit 3): keychain locked`);
    await expect(registryAuthFor('r.example:5000/a', config({ credsStore: 'absent' }), env))
      .rejects.toThrow(`the credential helper docker-credential-absent (credsStore in ${FILE}) is not installed: no docker-credential-absent on PATH`);
    const garbage = registryAuthFor('r.example:5000/a', config({ credsStore: 'garbage' }), env);
    await expect(garbage).rejects.toThrow(/answered something that is not JSON$/);
    await expect(garbage).rejects.not.toThrow(PASSWORD);
    await expect(registryAuthFor('r.example:5000/a', config({ credsStore: '../evil' }), env)).rejects.toThrow(/not a program name/);
  });

  it('a bad auths entry is an error naming the entry, not its content', async () => {
    await expect(registryAuthFor('r.example:5000/a', config({ auths: { 'r.example:5000': { auth: b64(PASSWORD) } } }), env))
      .rejects.toThrow(`auths["r.example:5000"] in ${FILE}: "auth" is not base64 of user:password`);
    expect(() => decodeAuth('!!', 'x')).toThrow(/not base64/);
  });

  it('parses helper answers strictly', () => {
    expect(parseHelperAnswer('{"Username":"u","Secret":"s"}')).toEqual({ username: 'u', secret: 's' });
    expect(parseHelperAnswer('{"Username":"u","Secret":""}')).toBeUndefined();
    expect(() => parseHelperAnswer('{"Username":"u"}')).toThrow('JSON without a text Secret');
    expect(() => parseHelperAnswer('[]')).toThrow('JSON without a text Secret');
  });
});

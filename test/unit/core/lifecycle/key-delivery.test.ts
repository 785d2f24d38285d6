import { generateEd25519Pair } from '../../../../src/core/ssh/keys';
import { describe, expect, it } from 'vitest';
import { keysOnStdin } from '../../../../src/core/lifecycle/key-delivery';

const host = generateEd25519Pair('gpu-env-x-host');
const user = generateEd25519Pair('gpu-env-x');

describe('keysOnStdin', () => {
  it('is the authorised key line, then the host key, as the entrypoint reads them', () => {
    const text = keysOnStdin({ userPublicKey: `${user.public}\n`, hostPrivateKey: host.private.trimEnd() });
    const [line, ...rest] = text.split('\n');
    expect(line).toBe(user.public.trim());
    expect(rest.join('\n')).toBe(`${host.private.trimEnd()}\n`);
  });

  it('refuses what would make the entrypoint read something else', () => {
    expect(() => keysOnStdin({ userPublicKey: 'ssh-ed25519 AAAA a\nssh-ed25519 BBBB b', hostPrivateKey: host.private })).toThrow(/one line/);
    expect(() => keysOnStdin({ userPublicKey: '  ', hostPrivateKey: host.private })).toThrow(/one line/);
    expect(() => keysOnStdin({ userPublicKey: user.public, hostPrivateKey: 'not a key' })).toThrow(/PEM/);
  });
});

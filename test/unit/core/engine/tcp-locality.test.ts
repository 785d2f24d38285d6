import { hostname, networkInterfaces } from 'node:os';
import { describe, expect, it } from 'vitest';
import { connectEngine } from '../../../../src/core/engine/connect';
import { addressesAreThisMachine, assertTcpEngineIsLocal, thisMachineAddresses } from '../../../../src/core/engine/tcp-locality';
import { isUsageError } from '../../../../src/core/errors';

const via = (url: string) => ({ url, source: '--host' as const });

describe('tcp:// engines: only on this machine (issue 16 defect 8)', () => {
  it('loopback, mapped loopback and this machine\'s interface addresses are this machine; others and none are not', () => {
    const mine = new Set(['127.0.0.1', '::1', '10.1.2.3', 'fe80::1']);
    expect(addressesAreThisMachine(['127.0.0.1'], mine)).toBe(true);
    expect(addressesAreThisMachine(['127.8.9.10', '::1', '::ffff:127.0.0.1'], mine)).toBe(true);
    expect(addressesAreThisMachine(['10.1.2.3', 'FE80::1%eth0'], mine)).toBe(true);
    expect(addressesAreThisMachine(['10.1.2.3', '10.1.2.4'], mine)).toBe(false);
    expect(addressesAreThisMachine(['192.0.2.10'], mine)).toBe(false);
    expect(addressesAreThisMachine([], mine)).toBe(false);
  });

  it('knows the addresses of every interface of this machine', () => {
    const addresses = thisMachineAddresses();
    for (const entry of Object.values(networkInterfaces()).flat()) if (entry && !entry.address.includes('%')) expect(addresses.has(entry.address.toLowerCase())).toBe(true);
  });

  it('accepts 127.0.0.1, [::1], localhost and this machine\'s name', async () => {
    for (const url of ['tcp://127.0.0.1:2375', 'tcp://[::1]:2376', 'tcp://localhost:2375', `tcp://${hostname()}:2375`]) await expect(assertTcpEngineIsLocal(via(url))).resolves.toBeUndefined();
  });

  it('refuses another machine with a usage error naming the address, where it came from, and ssh:// instead', async () => {
    const refused = await assertTcpEngineIsLocal(via('tcp://192.0.2.10:2376')).then(() => undefined, (error: unknown) => error);
    expect(isUsageError(refused)).toBe(true);
    expect((refused as Error).message).toBe(
      'the Docker engine at tcp://192.0.2.10:2376 (from --host) is on another machine (192.0.2.10), which gpu-env cannot use over tcp://: '
      + 'an environment\'s SSH port is published on that machine\'s loopback only, and the workspace folder would be looked for there. '
      + 'Use ssh://[user@]192.0.2.10 instead (key-based SSH to that machine, the workspace a folder there), or a unix:// or tcp:// engine on this machine',
    );
    await expect(assertTcpEngineIsLocal(via('tcp://[2001:db8::5]:2375'))).rejects.toThrow(/Use ssh:\/\/\[user@\]\[2001:db8::5\] instead/);
  });

  it('connectEngine refuses it before dialling (no network needed for the answer)', async () => {
    await expect(connectEngine({ url: 'tcp://192.0.2.10:2375', source: 'DOCKER_HOST' })).rejects.toThrow(/^the Docker engine at tcp:\/\/192\.0\.2\.10:2375 \(from DOCKER_HOST\) is on another machine/);
  });

  it('a name that cannot be looked up is left to the engine ping, which says it is not reachable', async () => {
    await expect(assertTcpEngineIsLocal(via('tcp://no-such-host.invalid:2375'))).resolves.toBeUndefined();
  });
});

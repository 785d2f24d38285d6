/**
 * Whether a tcp:// engine runs on this machine. Only then can gpu-env use it: an environment's sshd
 * is published on the engine machine's loopback (never on a network address), and the workspace is a
 * folder of this machine bind-mounted by path. A tcp:// engine on another machine would publish the
 * port on its own loopback, out of reach, and mount whatever folder has that path there. gpu-env has
 * no login to that machine to tunnel through or to prepare a folder with: an ssh:// address gives it
 * both (the docker CLI's own SSH transport), and does not expose a root-equivalent API on the network.
 */
import { lookup } from 'node:dns/promises';
import { hostname, networkInterfaces } from 'node:os';
import { isIP } from 'node:net';
import { usageError } from '../errors';
import { withDeadline } from '../util/abort';
import { describeEndpoint, type EngineEndpoint } from './resolve';

const LOOKUP_TIMEOUT_MS = 5_000;

/** The addresses this machine answers on: loopback and every interface's. */
export function thisMachineAddresses(): Set<string> {
  const addresses = new Set<string>(['127.0.0.1', '::1']);
  for (const list of Object.values(networkInterfaces())) {
    for (const entry of list ?? []) addresses.add(normalise(entry.address));
  }
  return addresses;
}

/** Whether every address the host name stands for is this machine's (`addresses`: thisMachineAddresses()). */
export function addressesAreThisMachine(resolved: readonly string[], addresses: ReadonlySet<string>): boolean {
  return resolved.length > 0 && resolved.every((address) => isLoopback(address) || addresses.has(normalise(address)));
}

/**
 * Refuses a tcp:// engine on another machine, saying why and what to use instead. Host names are
 * looked up (bounded in time); one that cannot be is left to the engine ping, which names the failure.
 */
export async function assertTcpEngineIsLocal(endpoint: EngineEndpoint, signal?: AbortSignal): Promise<void> {
  const host = new URL(endpoint.url).hostname.replace(/^\[(.*)\]$/, '$1');
  let resolved: string[];
  if (isIP(host) !== 0) resolved = [host];
  else if (host === 'localhost' || host === hostname()) return;
  else {
    try {
      const answers = await withDeadline(`look up ${host}`, LOOKUP_TIMEOUT_MS, signal, () => lookup(host, { all: true }));
      resolved = answers.map((a) => a.address);
    } catch (error) {
      if ((error as Error).name === 'CancelledError') throw error;
      return;
    }
  }
  if (addressesAreThisMachine(resolved, thisMachineAddresses())) return;
  throw usageError(
    `the Docker engine at ${describeEndpoint(endpoint)} is on another machine (${resolved.join(', ')}), which gpu-env cannot use over tcp://: `
    + 'an environment\'s SSH port is published on that machine\'s loopback only, and the workspace folder would be looked for there. '
    + `Use ssh://[user@]${host.includes(':') ? `[${host}]` : host} instead (key-based SSH to that machine, the workspace a folder there), `
    + 'or a unix:// or tcp:// engine on this machine',
  );
}

function isLoopback(address: string): boolean {
  const plain = normalise(address);
  return plain === '::1' || /^127\./.test(plain);
}

/** IPv4-mapped IPv6 (::ffff:10.0.0.5) as IPv4; lower case; no zone. */
function normalise(address: string): string {
  const lower = address.toLowerCase().replace(/%.*$/, '');
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/.exec(lower);
  return mapped ? mapped[1]! : lower;
}

import { GpuEnvError } from '../errors';
import { fingerprint } from '../ssh/keys';
import { appendKnownHost, checkHostKey, keyTypeOf, knownHostName, knownHostsLine, readKnownHosts, type KnownHostEntry } from './known-hosts';
import type { ResolvedSshHost } from './resolve-host';
import { describeSshHost } from './target';

/** What the user is asked when a host's key is not in known_hosts yet. */
export interface HostKeyQuestion {
  /** The host as people know it, e.g. `me@gpu-box:2222`. */
  readonly host: string;
  /** The name the key is filed under in known_hosts, e.g. `[10.0.0.5]:2222`. */
  readonly knownHostsName: string;
  readonly keyType: string;
  /** `SHA256:…`, as `ssh-keygen -lf` prints it on the host. */
  readonly fingerprint: string;
  /** Where the key is added when accepted. */
  readonly knownHostsFile: string;
  /** Types of other keys already known for this host, when there are some. */
  readonly otherKnownTypes: readonly string[];
}

/** Resolves true to trust the key (it is then added to known_hosts), false to refuse. */
export type ConfirmHostKey = (question: HostKeyQuestion) => Promise<boolean>;

export interface HostKeyPolicy {
  readonly confirm?: ConfirmHostKey;
  /** Told when an accepted key could not be written to known_hosts. */
  readonly warn?: (message: string) => void;
}

export class HostKeyChangedError extends GpuEnvError {
  constructor(readonly host: string, readonly knownHostsName: string, readonly expected: readonly string[], readonly received: string, where: string) {
    super([
      `REFUSING to connect to ${host}: its host key has CHANGED.`,
      `  expected ${expected.join(' or ')} (${where})`,
      `  received ${received}`,
      'Someone may be intercepting the connection, or the host was reinstalled. If you know the new key is right,',
      `remove the old one with \`ssh-keygen -R '${knownHostsName}'\` and connect again.`,
    ].join('\n'));
    this.name = 'HostKeyChangedError';
  }
}

export class HostKeyRevokedError extends GpuEnvError {
  constructor(host: string, received: string, entry: KnownHostEntry) {
    super(`REFUSING to connect to ${host}: its host key ${received} is marked @revoked in ${entry.file} line ${entry.line}.`);
    this.name = 'HostKeyRevokedError';
  }
}

export class HostKeyNotTrustedError extends GpuEnvError {
  constructor(readonly question: HostKeyQuestion) {
    super(`the host key of ${question.host} is not known (${question.keyType} ${question.fingerprint}) and was not accepted; nothing was added to ${question.knownHostsFile}`);
    this.name = 'HostKeyNotTrustedError';
  }
}

/** Every host-key refusal: none of them is worth retrying. */
export function isHostKeyError(error: unknown): boolean {
  return error instanceof HostKeyChangedError || error instanceof HostKeyRevokedError || error instanceof HostKeyNotTrustedError;
}

/** The name the host's key is filed under, as OpenSSH computes it. */
export function knownHostsNameOf(hop: ResolvedSshHost): string {
  return hop.hostKeyAlias ? hop.hostKeyAlias.toLowerCase() : knownHostName(hop.hostName, hop.port);
}

/**
 * Checks `key` against the user's and the system's known_hosts. Known: fine. Changed or revoked:
 * refused, loudly. Unknown: the user is asked once; a yes adds the key to their known_hosts so that
 * OpenSSH (Remote-SSH, `ssh -F`) trusts it as well.
 */
export async function verifyHostKey(hop: ResolvedSshHost, key: Buffer, policy: HostKeyPolicy): Promise<void> {
  const name = knownHostsNameOf(hop);
  const host = describeSshHost(hop);
  const received = `${keyTypeOf(key) ?? 'unknown-type'} ${fingerprint(key)}`;
  const verdict = checkHostKey(readKnownHosts([...hop.userKnownHostsFiles, ...hop.globalKnownHostsFiles]), name, key);
  switch (verdict.kind) {
    case 'known':
      return;
    case 'revoked':
      throw new HostKeyRevokedError(host, received, verdict.entry);
    case 'changed': {
      const first = verdict.expected[0]!;
      throw new HostKeyChangedError(host, name, verdict.expected.map((e) => `${e.keyType} ${fingerprint(e.key)}`), received, `${first.file} line ${first.line}`);
    }
    case 'unknown':
      if (acceptedThisProcess.has(acceptedKey(name, key))) return;
      return askAndRemember(hop, key, name, verdict.otherTypes, policy);
  }
}

async function askAndRemember(hop: ResolvedSshHost, key: Buffer, name: string, otherTypes: readonly string[], policy: HostKeyPolicy): Promise<void> {
  const file = hop.userKnownHostsFiles[0]!;
  const question: HostKeyQuestion = {
    host: describeSshHost(hop),
    knownHostsName: name,
    keyType: keyTypeOf(key) ?? 'unknown-type',
    fingerprint: fingerprint(key),
    knownHostsFile: file,
    otherKnownTypes: otherTypes,
  };
  const accepted = policy.confirm ? await policy.confirm(question) : false;
  if (!accepted) throw new HostKeyNotTrustedError(question);
  try {
    appendKnownHost(file, knownHostsLine(name, key, hop.hashKnownHosts));
  } catch (error) {
    // The connection may go on (the user said yes); the next one will ask again.
    policy.warn?.(`could not add the host key of ${question.host} to ${file}: ${(error as Error).message}`);
    acceptedThisProcess.add(acceptedKey(name, key));
  }
}

/** Keys accepted while known_hosts could not be written: still trusted until the process ends. */
const acceptedThisProcess = new Set<string>();

function acceptedKey(name: string, key: Buffer): string {
  return `${name} ${key.toString('base64')}`;
}

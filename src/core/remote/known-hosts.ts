import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { appendFileSync, chmodSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import { dirname } from 'node:path';

/**
 * known_hosts as OpenSSH reads it (sshd(8) "SSH_KNOWN_HOSTS FILE FORMAT"): `[@marker] hosts keytype
 * base64key [comment]`, hosts either a comma list of patterns (`*`, `?`, `!negation`, `[host]:port`)
 * or one hashed name `|1|base64 salt|base64 HMAC-SHA1(salt, name)`.
 */
export interface KnownHostEntry {
  readonly file: string;
  /** 1-based, for messages that point at the line. */
  readonly line: number;
  readonly marker?: 'revoked' | 'cert-authority';
  readonly hosts: HostMatcher;
  readonly keyType: string;
  readonly key: Buffer;
}

type HostMatcher =
  | { readonly kind: 'patterns'; readonly patterns: readonly string[] }
  | { readonly kind: 'hashed'; readonly salt: Buffer; readonly hash: Buffer };

export type HostKeyVerdict =
  /** The key is listed for this host. */
  | { readonly kind: 'known'; readonly entry: KnownHostEntry }
  /** The key is listed as @revoked: never accepted. */
  | { readonly kind: 'revoked'; readonly entry: KnownHostEntry }
  /** The host is listed with other key(s) of the same type: the key changed. */
  | { readonly kind: 'changed'; readonly expected: readonly KnownHostEntry[] }
  /** Nothing for this key type; `otherTypes` lists the types known for the host, if any. */
  | { readonly kind: 'unknown'; readonly otherTypes: readonly string[] };

/** The name a host is filed under: `host` on port 22, `[host]:port` otherwise (HostKeyAlias as is). */
export function knownHostName(host: string, port: number): string {
  const name = host.toLowerCase();
  return port === 22 ? name : `[${name}]:${port}`;
}

export function parseKnownHosts(text: string, file: string): KnownHostEntry[] {
  const entries: KnownHostEntry[] = [];
  text.split(/\r?\n/).forEach((raw, index) => {
    const entry = parseLine(raw.trim(), file, index + 1);
    if (entry) entries.push(entry);
  });
  return entries;
}

/** Entries of every readable file, in order; files that do not exist are skipped as OpenSSH does. */
export function readKnownHosts(files: readonly string[]): KnownHostEntry[] {
  return files.flatMap((file) => (existsSync(file) ? parseKnownHosts(readFileSync(file, 'utf8'), file) : []));
}

function parseLine(line: string, file: string, lineNumber: number): KnownHostEntry | undefined {
  if (line === '' || line.startsWith('#')) return undefined;
  const fields = line.split(/\s+/);
  let marker: KnownHostEntry['marker'];
  if (fields[0]!.startsWith('@')) {
    const name = fields.shift()!;
    if (name === '@revoked') marker = 'revoked';
    else if (name === '@cert-authority') marker = 'cert-authority';
    else return undefined; // an unknown marker: OpenSSH ignores the line
  }
  const [hosts, keyType, base64] = fields;
  if (hosts === undefined || keyType === undefined || base64 === undefined) return undefined;
  const matcher = hostMatcher(hosts);
  const key = decodeKey(base64, keyType);
  if (!matcher || !key) return undefined;
  return { file, line: lineNumber, ...(marker ? { marker } : {}), hosts: matcher, keyType, key };
}

function hostMatcher(field: string): HostMatcher | undefined {
  if (!field.startsWith('|')) return { kind: 'patterns', patterns: field.split(',').filter((p) => p !== '').map((p) => p.toLowerCase()) };
  const parts = field.split('|');
  if (parts.length !== 4 || parts[1] !== '1') return undefined;
  const salt = Buffer.from(parts[2]!, 'base64');
  const hash = Buffer.from(parts[3]!, 'base64');
  return salt.length > 0 && hash.length === 20 ? { kind: 'hashed', salt, hash } : undefined;
}

/** The key blob, if it decodes and names the same type as the line (a torn line is ignored). */
function decodeKey(base64: string, keyType: string): Buffer | undefined {
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(base64)) return undefined;
  const blob = Buffer.from(base64, 'base64');
  return keyTypeOf(blob) === keyType ? blob : undefined;
}

/** The type name at the start of an SSH public key blob (`ssh-ed25519`, `ssh-rsa`, …). */
export function keyTypeOf(blob: Buffer): string | undefined {
  if (blob.length < 4) return undefined;
  const length = blob.readUInt32BE(0);
  if (length === 0 || length > 64 || 4 + length > blob.length) return undefined;
  return blob.subarray(4, 4 + length).toString('latin1');
}

export function entryMatchesHost(entry: KnownHostEntry, hostName: string): boolean {
  const name = hostName.toLowerCase();
  if (entry.hosts.kind === 'hashed') {
    const digest = createHmac('sha1', entry.hosts.salt).update(name).digest();
    return timingSafeEqual(digest, entry.hosts.hash);
  }
  let matched = false;
  for (const pattern of entry.hosts.patterns) {
    const negated = pattern.startsWith('!');
    if (!globMatches(negated ? pattern.slice(1) : pattern, name)) continue;
    if (negated) return false; // a matching negation rules the line out, whatever else matches
    matched = true;
  }
  return matched;
}

function globMatches(pattern: string, text: string): boolean {
  const regex = pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.');
  return new RegExp(`^${regex}$`).test(text);
}

/**
 * What OpenSSH would conclude about `key` offered by `hostName`: a revoked key is refused even when
 * also listed; a listed key is known; another key of the same type means it changed. Certificate
 * authorities are skipped (gpu-env does not verify host certificates, so they prove nothing here).
 */
export function checkHostKey(entries: readonly KnownHostEntry[], hostName: string, key: Buffer): HostKeyVerdict {
  const revoked = entries.find((e) => e.marker === 'revoked' && e.key.equals(key) && entryMatchesHost(e, hostName));
  if (revoked) return { kind: 'revoked', entry: revoked };
  const forHost = entries.filter((e) => e.marker === undefined && entryMatchesHost(e, hostName));
  const known = forHost.find((e) => e.key.equals(key));
  if (known) return { kind: 'known', entry: known };
  const type = keyTypeOf(key);
  const sameType = forHost.filter((e) => e.keyType === type);
  if (sameType.length > 0) return { kind: 'changed', expected: sameType };
  return { kind: 'unknown', otherTypes: [...new Set(forHost.map((e) => e.keyType))] };
}

/** Key types listed for the host (not revoked ones), so the handshake can ask for those first. */
export function knownKeyTypes(entries: readonly KnownHostEntry[], hostName: string): string[] {
  return [...new Set(entries.filter((e) => e.marker === undefined && entryMatchesHost(e, hostName)).map((e) => e.keyType))];
}

/** `|1|salt|hash` for a name, as `ssh-keygen -H` writes it. */
export function hashHostName(hostName: string, salt: Buffer = randomBytes(20)): string {
  const hash = createHmac('sha1', salt).update(hostName.toLowerCase()).digest();
  return `|1|${salt.toString('base64')}|${hash.toString('base64')}`;
}

export function knownHostsLine(hostName: string, key: Buffer, hashed: boolean): string {
  const type = keyTypeOf(key);
  if (!type) throw new Error('not an SSH public key blob');
  return `${hashed ? hashHostName(hostName) : hostName} ${type} ${key.toString('base64')}`;
}

/** Appends one line, creating the file (0600) and its folder (0700) if needed; keeps an existing mode. */
export function appendKnownHost(file: string, line: string): void {
  mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
  const existed = existsSync(file);
  const text = existed ? readFileSync(file, 'utf8') : '';
  const separator = text === '' || text.endsWith('\n') ? '' : '\n';
  appendFileSync(file, `${separator}${line}\n`, { mode: 0o600 });
  if (!existed) chmodSync(file, 0o600);
}

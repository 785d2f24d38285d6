import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { utils } from 'ssh2';
import { GpuEnvError } from '../errors';
import { environmentPaths, hostAlias } from '../state/paths';
import { createFileExclusive, writeFileAtomic } from '../util/files';

export interface EnvironmentKeys {
  /** OpenSSH private key the client logs in with. */
  readonly userPrivateKey: string;
  readonly userPublicKey: string;
  /** The container's host key: generated here so the client can pin it before the first connection. */
  readonly hostPrivateKey: string;
  readonly hostPublicKey: string;
  /** 64 hex characters; the container's runner seals run.json with it (see gpu_env_run.py). */
  readonly runKey: string;
}

/**
 * Loads the environment's keys, generating missing ones (ed25519, files mode 0600). Safe when
 * several processes create the same environment at once: each private key is created exclusively
 * (one process wins, the others read its key), and each .pub is derived from its private key.
 */
export function ensureKeys(stateDir: string, name: string): EnvironmentKeys {
  const paths = environmentPaths(stateDir, name);
  mkdirSync(paths.dir, { recursive: true, mode: 0o700 });
  const user = ensurePair(paths.userKey, paths.userPublicKey, `gpu-env-${name}`);
  const host = ensurePair(paths.hostKey, paths.hostPublicKey, `gpu-env-${name}-host`);
  const knownHost = `${hostAlias(name)} ${host.public}\n`;
  // Rewritten (and synced) only when it changed: every `up` of a new container passes here.
  if (!existsSync(paths.knownHosts) || readFileSync(paths.knownHosts, 'utf8') !== knownHost) writeFileAtomic(paths.knownHosts, knownHost, 0o600);
  const runKey = ensureRunKey(stateDir, name);
  return { userPrivateKey: user.private, userPublicKey: user.public, hostPrivateKey: host.private, hostPublicKey: host.public, runKey };
}

/** The environment's run key, made (exclusively, like the keys: one process wins) if missing. */
export function ensureRunKey(stateDir: string, name: string): string {
  const paths = environmentPaths(stateDir, name);
  mkdirSync(paths.dir, { recursive: true, mode: 0o700 });
  // Made once: an exclusive create writes and syncs a temporary file even when the key is there.
  if (!existsSync(paths.runKey)) createFileExclusive(paths.runKey, `${randomBytes(32).toString('hex')}\n`, 0o600);
  return readFileSync(paths.runKey, 'utf8').trim();
}

/** Loads keys that must already exist (connecting to an environment made earlier). */
export function loadKeys(stateDir: string, name: string): EnvironmentKeys {
  const paths = environmentPaths(stateDir, name);
  for (const file of [paths.userKey, paths.hostPublicKey]) {
    if (!existsSync(file)) {
      throw new GpuEnvError(`no SSH keys for environment "${name}" in ${paths.dir}; it was created with another state folder, or purged: recreate it with \`gpu-env rm ${name}\` then \`gpu-env up --name ${name}\``);
    }
  }
  const userPrivateKey = readFileSync(paths.userKey, 'utf8');
  return {
    userPrivateKey,
    userPublicKey: publicKeyLine(userPrivateKey, paths.userKey),
    hostPrivateKey: '',
    runKey: existsSync(paths.runKey) ? readFileSync(paths.runKey, 'utf8').trim() : '',
    // The container was given the host private key: pin what it derives to, whatever the .pub says.
    hostPublicKey: existsSync(paths.hostKey) ? publicKeyLine(readFileSync(paths.hostKey, 'utf8'), paths.hostKey) : readFileSync(paths.hostPublicKey, 'utf8').trim(),
  };
}

/**
 * The private key is the truth: created exclusively (a process that loses the race reads the
 * winner's), and the .pub is rewritten from it whenever it differs (repairing a pair that an older
 * gpu-env's race left mismatched).
 */
function ensurePair(privatePath: string, publicPath: string, comment: string): { private: string; public: string } {
  if (!existsSync(privatePath)) {
    const pair = generateEd25519Pair(comment);
    createFileExclusive(privatePath, pair.private, 0o600);
  }
  const privateKey = readFileSync(privatePath, 'utf8');
  const publicLine = publicKeyLine(privateKey, privatePath);
  const onDisk = existsSync(publicPath) ? readFileSync(publicPath, 'utf8').trim() : '';
  if (onDisk !== publicLine) writeFileAtomic(publicPath, `${publicLine}\n`, 0o600);
  return { private: privateKey, public: publicLine };
}

/** `ssh-ed25519 AAAA… comment` of an OpenSSH private key. */
function publicKeyLine(privateKey: string, file: string): string {
  const parsed = utils.parseKey(privateKey);
  const key = parsed instanceof Error ? undefined : Array.isArray(parsed) ? parsed[0] : parsed;
  if (!key) throw new GpuEnvError(`${file} is not a readable OpenSSH private key${parsed instanceof Error ? ` (${parsed.message})` : ''}; remove the environment's keys with \`gpu-env rm --purge\` and start it again`);
  return `${key.type} ${key.getPublicSSH().toString('base64')}${key.comment ? ` ${key.comment}` : ''}`;
}

/** The raw public key blob of an OpenSSH public key line, for exact comparison. */
export function publicKeyBlob(publicKeyLine: string): Buffer {
  const parsed = utils.parseKey(publicKeyLine);
  if (parsed instanceof Error) throw new GpuEnvError(`invalid public key: ${parsed.message}`);
  const key = Array.isArray(parsed) ? parsed[0] : parsed;
  if (!key) throw new GpuEnvError('invalid public key: empty');
  return key.getPublicSSH();
}

/** `SHA256:…` as OpenSSH prints it. */
export function fingerprint(blob: Buffer): string {
  return `SHA256:${createHash('sha256').update(blob).digest('base64').replace(/=+$/, '')}`;
}

/** ssh-ed25519 public key blob: string "ssh-ed25519" (4 + 11 bytes), string key (4 + 32 bytes). */
const ED25519_BLOB_BYTES = 51;

/**
 * A new ed25519 pair in OpenSSH format: `private` (PEM-like text) and `public` (one line). ssh2's
 * generator drops a leading zero byte of the public key in about 1 pair in 250, which neither ssh2
 * nor OpenSSH can read back: such a pair is checked for and made again (bounded).
 */
export function generateEd25519Pair(comment: string): { private: string; public: string } {
  for (let attempt = 0; attempt < 32; attempt++) {
    const pair = utils.generateKeyPairSync('ed25519', { comment });
    const parsed = utils.parseKey(pair.private);
    const key = parsed instanceof Error ? undefined : Array.isArray(parsed) ? parsed[0] : parsed;
    const blob = key?.getPublicSSH();
    if (blob?.length === ED25519_BLOB_BYTES && pair.public.split(' ')[1] === blob.toString('base64')) return { private: pair.private, public: pair.public.trim() };
  }
  throw new GpuEnvError('could not generate a readable ed25519 key pair in 32 attempts');
}

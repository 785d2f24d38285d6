import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { utils } from 'ssh2';
import { GpuEnvError } from '../errors';
import { environmentPaths, hostAlias } from '../state/paths';
import { writeFileAtomic } from '../util/files';

export interface EnvironmentKeys {
  /** OpenSSH private key the client logs in with. */
  readonly userPrivateKey: string;
  readonly userPublicKey: string;
  /** The container's host key: generated here so the client can pin it before the first connection. */
  readonly hostPrivateKey: string;
  readonly hostPublicKey: string;
}

/** Loads the environment's keys, generating missing ones (ed25519, files mode 0600). */
export function ensureKeys(stateDir: string, name: string): EnvironmentKeys {
  const paths = environmentPaths(stateDir, name);
  mkdirSync(paths.dir, { recursive: true, mode: 0o700 });
  const user = ensurePair(paths.userKey, paths.userPublicKey, `gpu-env-${name}`);
  const host = ensurePair(paths.hostKey, paths.hostPublicKey, `gpu-env-${name}-host`);
  writeFileAtomic(paths.knownHosts, `${hostAlias(name)} ${host.public}\n`, 0o600);
  return { userPrivateKey: user.private, userPublicKey: user.public, hostPrivateKey: host.private, hostPublicKey: host.public };
}

/** Loads keys that must already exist (connecting to an environment made earlier). */
export function loadKeys(stateDir: string, name: string): EnvironmentKeys {
  const paths = environmentPaths(stateDir, name);
  for (const file of [paths.userKey, paths.hostPublicKey]) {
    if (!existsSync(file)) {
      throw new GpuEnvError(`no SSH keys for environment "${name}" in ${paths.dir}; it was created with another state folder, or purged: recreate it with \`gpu-env rm ${name}\` then \`gpu-env up --name ${name}\``);
    }
  }
  return {
    userPrivateKey: readFileSync(paths.userKey, 'utf8'),
    userPublicKey: readFileSync(paths.userPublicKey, 'utf8').trim(),
    hostPrivateKey: '',
    hostPublicKey: readFileSync(paths.hostPublicKey, 'utf8').trim(),
  };
}

function ensurePair(privatePath: string, publicPath: string, comment: string): { private: string; public: string } {
  if (existsSync(privatePath) && existsSync(publicPath)) {
    return { private: readFileSync(privatePath, 'utf8'), public: readFileSync(publicPath, 'utf8').trim() };
  }
  const pair = utils.generateKeyPairSync('ed25519', { comment });
  writeFileAtomic(privatePath, pair.private, 0o600);
  writeFileAtomic(publicPath, `${pair.public.trim()}\n`, 0o600);
  return { private: pair.private, public: pair.public.trim() };
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

import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { OpenSSHAgent, utils, type AnyAuthMethod, type IdentityCallback, type ParsedKey } from 'ssh2';
import { GpuEnvError } from '../errors';
import { DEFAULT_IDENTITY_FILES, type ResolvedSshHost } from './resolve-host';
import { describeSshHost } from './target';

/** The login methods for one host, in OpenSSH's order: the agent's keys, then identity files. */
export interface AuthPlan {
  readonly methods: readonly AnyAuthMethod[];
  /** What is offered, for an error that says what was tried (paths and "ssh-agent", never key material). */
  readonly offered: readonly string[];
  /** Identity files that could not be used, with why. */
  readonly skipped: readonly string[];
}

export function authPlan(hop: ResolvedSshHost, env: NodeJS.ProcessEnv, homeDir: string): AuthPlan {
  const files = hop.identityFiles.length > 0 ? hop.identityFiles : DEFAULT_IDENTITY_FILES.map((name) => join(homeDir, '.ssh', name));
  const keys: { file: string; key: ParsedKey }[] = [];
  const publicOnly: Buffer[] = [];
  const skipped: string[] = [];
  for (const file of files.filter((f) => existsSync(f))) {
    const loaded = loadIdentity(file);
    if ('key' in loaded) keys.push({ file, key: loaded.key });
    else {
      skipped.push(`${file} (${loaded.reason})`);
      if (loaded.publicKey) publicOnly.push(loaded.publicKey);
    }
  }
  const socket = agentSocket(hop, env);
  const methods: AnyAuthMethod[] = [];
  const offered: string[] = [];
  if (socket) {
    // IdentitiesOnly: only agent keys matching an IdentityFile (OpenSSH's rule), e.g. encrypted ones loaded with ssh-add.
    const allowed = [...keys.map((k) => k.key.getPublicSSH()), ...publicOnly];
    methods.push({ type: 'agent', username: hop.user, agent: hop.identitiesOnly ? new IdentityFileAgent(socket, allowed) : socket });
    offered.push(hop.identitiesOnly ? 'ssh-agent (keys of IdentityFile only)' : 'ssh-agent');
  }
  for (const { file, key } of keys) {
    methods.push({ type: 'publickey', username: hop.user, key });
    offered.push(file);
  }
  if (methods.length === 0) {
    throw new GpuEnvError(`no SSH identity to log in to ${describeSshHost(hop)}: no ssh-agent (SSH_AUTH_SOCK is not set) and no usable key among ${files.join(', ')}${skipped.length > 0 ? ` (${skipped.join('; ')})` : ''}; create one with ssh-keygen, load one with ssh-add, or set IdentityFile in ~/.ssh/config`);
  }
  return { methods, offered, skipped };
}

function agentSocket(hop: ResolvedSshHost, env: NodeJS.ProcessEnv): string | undefined {
  const configured = hop.identityAgent;
  if (configured !== undefined && configured.toLowerCase() === 'none') return undefined;
  const socket = configured === undefined || configured === 'SSH_AUTH_SOCK' ? env.SSH_AUTH_SOCK : configured;
  return socket !== undefined && socket !== '' && existsSync(socket) ? socket : undefined;
}

type LoadedIdentity = { readonly key: ParsedKey } | { readonly reason: string; readonly publicKey?: Buffer };

function loadIdentity(file: string): LoadedIdentity {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    return { reason: `unreadable: ${(error as NodeJS.ErrnoException).code ?? 'error'}` };
  }
  const parsed = utils.parseKey(text);
  const key = Array.isArray(parsed) ? parsed[0] : parsed;
  if (key instanceof Error || key === undefined) {
    const encrypted = key instanceof Error && /passphrase|encrypted/i.test(key.message);
    const publicKey = publicKeyBeside(file);
    return { reason: encrypted ? 'encrypted: load it with ssh-add' : 'not a private key ssh2 can read', ...(publicKey ? { publicKey } : {}) };
  }
  return { key };
}

/** `file.pub`, so an encrypted key held by the agent can still be picked under IdentitiesOnly. */
function publicKeyBeside(file: string): Buffer | undefined {
  const path = `${file}.pub`;
  if (!existsSync(path)) return undefined;
  const parsed = utils.parseKey(readFileSync(path, 'utf8'));
  const key = Array.isArray(parsed) ? parsed[0] : parsed;
  return key instanceof Error || key === undefined ? undefined : key.getPublicSSH();
}

/** An ssh-agent that offers only the keys that IdentityFile names (IdentitiesOnly yes). */
class IdentityFileAgent extends OpenSSHAgent {
  constructor(socketPath: string, private readonly allowed: readonly Buffer[]) {
    super(socketPath);
  }

  override getIdentities(callback: IdentityCallback<ParsedKey>): void {
    super.getIdentities((error, keys) => {
      if (error || !keys) return callback(error, keys);
      callback(undefined, keys.filter((key) => 'getPublicSSH' in key && this.allowed.some((blob) => blob.equals(key.getPublicSSH()))));
    });
  }
}

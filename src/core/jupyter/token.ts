import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { environmentPaths } from '../state/paths';
import { writeFileAtomic } from '../util/files';

/**
 * Where a front end keeps each environment's Jupyter token: the CLI in a 0600 file in its state
 * folder, the extension in VS Code's SecretStorage. Keyed by environment name.
 */
export interface TokenStore {
  get(name: string): Promise<string | undefined>;
  set(name: string, token: string): Promise<void>;
}

export const TOKEN_BYTES = 32;

/** 32 random bytes from the OS CSPRNG, as 64 hex characters (what Jupyter accepts in URLs and headers). */
export function generateJupyterToken(): string {
  return randomBytes(TOKEN_BYTES).toString('hex');
}

/** A token this product made (or adopted): long hex only, so it is safe on a URL and in a config file. */
export function isWellFormedToken(token: string): boolean {
  return /^[0-9a-f]{64,256}$/.test(token);
}

/** The CLI's store: `envs/NAME/jupyter_token` in the state folder, mode 0600, beside the SSH keys. */
export class FileTokenStore implements TokenStore {
  constructor(private readonly stateDir: string) {}

  path(name: string): string {
    return join(environmentPaths(this.stateDir, name).dir, 'jupyter_token');
  }

  async get(name: string): Promise<string | undefined> {
    const file = this.path(name);
    if (!existsSync(file)) return undefined;
    const token = readFileSync(file, 'utf8').trim();
    return token === '' ? undefined : token;
  }

  async set(name: string, token: string): Promise<void> {
    writeFileAtomic(this.path(name), `${token}\n`, 0o600);
  }
}

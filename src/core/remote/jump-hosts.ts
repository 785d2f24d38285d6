import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { jumpAlias, type JumpHost } from '../ssh/openssh-config';
import { hostId } from './host-connection';
import { DEFAULT_IDENTITY_FILES, type ResolvedSshHost } from './resolve-host';

/**
 * The generated-config blocks for a host path, first hop first; the last one is the Docker host,
 * whose alias environments use as ProxyJump. Identity files are the configured ones, or OpenSSH's
 * defaults that exist, written as absolute paths (OpenSSH expands `~` from the passwd entry, not HOME).
 */
export function jumpHostsFor(chain: readonly ResolvedSshHost[], homeDir: string): JumpHost[] {
  return chain.map((hop, index) => {
    const via = index > 0 ? jumpAlias(hostId(chain.slice(0, index))) : undefined;
    const identityFiles = hop.identityFiles.length > 0
      ? hop.identityFiles
      : DEFAULT_IDENTITY_FILES.map((name) => join(homeDir, '.ssh', name)).filter((file) => existsSync(file));
    return {
      alias: jumpAlias(hostId(chain.slice(0, index + 1))),
      hostName: hop.hostName,
      port: hop.port,
      user: hop.user,
      identityFiles,
      identitiesOnly: hop.identitiesOnly,
      userKnownHostsFiles: hop.userKnownHostsFiles,
      globalKnownHostsFiles: hop.globalKnownHostsFiles,
      ...(hop.hostKeyAlias ? { hostKeyAlias: hop.hostKeyAlias } : {}),
      ...(via ? { via } : {}),
    };
  });
}

/** Resolved SSH hops (what resolve-host gives for a Host), with test defaults that each test overrides. */
import type { ResolvedSshHost } from '../../src/core/remote/resolve-host';

/** me@10.0.0.5:22 (alias gpu) with the usual known_hosts files. */
export function resolvedHop(overrides: Partial<ResolvedSshHost> = {}): ResolvedSshHost {
  return {
    alias: 'gpu', hostName: '10.0.0.5', port: 22, user: 'me', identityFiles: [], identitiesOnly: false,
    userKnownHostsFiles: ['/home/me/.ssh/known_hosts'], globalKnownHostsFiles: ['/etc/ssh/ssh_known_hosts'], hashKnownHosts: false, proxyJump: [], ...overrides,
  };
}

/** me@10.0.0.5:2222 whose only known_hosts file is `knownHosts`: for host key checks. */
export function hopWithKnownHosts(knownHosts: string, overrides: Partial<ResolvedSshHost> = {}): ResolvedSshHost {
  return resolvedHop({ port: 2222, userKnownHostsFiles: [knownHosts], globalKnownHostsFiles: [], ...overrides });
}

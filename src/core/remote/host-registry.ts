import { DialStdioAgent } from './dial-stdio-agent';
import { HostConnection, chainKey, type HostConnectionOptions } from './host-connection';

/**
 * One connection per remote host for the whole process (CLI run or extension host): every engine
 * opened for the same host reuses it, and its keep-alive engine channels with it.
 */
interface SharedHost {
  readonly connection: HostConnection;
  readonly agent: DialStdioAgent;
}

const shared = new Map<string, SharedHost>();

export function sharedHost(options: HostConnectionOptions): SharedHost {
  const key = chainKey(options.chain);
  const existing = shared.get(key);
  if (existing && !existing.connection.closed) {
    existing.connection.usePolicy(options.policy);
    return existing;
  }
  const connection = new HostConnection(options);
  const host = { connection, agent: new DialStdioAgent(connection) };
  shared.set(key, host);
  return host;
}

/** Closes every host connection (extension deactivation, the end of a test). */
export function closeRemoteHosts(): void {
  for (const host of shared.values()) {
    host.agent.destroy();
    host.connection.close();
  }
  shared.clear();
}

import { Agent, type ClientRequestArgs } from 'node:http';
import type { Duplex } from 'node:stream';
import type { ClientChannel } from 'ssh2';
import { channelAsSocket } from './channel-socket';
import type { HostConnection } from './host-connection';

/** The remote docker CLI relays its stdin/stdout to the engine the host's own docker CLI uses. */
export const DIAL_STDIO_COMMAND = 'docker system dial-stdio';

/**
 * Below sshd's default MaxSessions (10), so exec'd commands and a terminal still fit beside the
 * engine's connections on the one SSH connection.
 */
export const MAX_ENGINE_CHANNELS = 6;
const MAX_IDLE_CHANNELS = 2;
/** Enough to show why dial-stdio failed, not a whole flood. */
const STDERR_KEPT_BYTES = 2_048;

/**
 * An http.Agent whose "sockets" are `docker system dial-stdio` channels on the host's one SSH
 * connection, kept alive between requests so a burst of API calls does not start a process each.
 * Given to dockerode as `agent`, so docker-modem never opens SSH connections of its own.
 */
export class DialStdioAgent extends Agent {
  private lastStderr = '';
  private readonly channels = new Set<ClientChannel>();

  constructor(private readonly host: HostConnection) {
    super({ keepAlive: true, maxSockets: MAX_ENGINE_CHANNELS, maxFreeSockets: MAX_IDLE_CHANNELS });
    // Idle channels of a dropped connection would be handed to the next request and hang it.
    host.onDrop(() => {
      for (const channel of [...this.channels]) channel.destroy();
    });
  }

  /** What the last dial-stdio process wrote to stderr (e.g. "permission denied … docker.sock"). */
  get lastError(): string {
    return this.lastStderr.trim();
  }

  override createConnection(_options: ClientRequestArgs, callback?: (error: Error | null, stream: Duplex) => void): Duplex | null | undefined {
    this.host.openExec(DIAL_STDIO_COMMAND).then(
      (channel) => callback?.(null, this.asSocket(channel)),
      (error: Error) => callback?.(error, undefined as unknown as Duplex),
    );
    return undefined;
  }

  private asSocket(channel: ClientChannel): Duplex {
    this.channels.add(channel);
    channel.once('close', () => this.channels.delete(channel));
    channel.stderr.on('data', (chunk: Buffer) => {
      this.lastStderr = (this.lastStderr + chunk.toString()).slice(-STDERR_KEPT_BYTES);
    });
    const socket = channelAsSocket(channel);
    // dial-stdio exits when the engine closed its side. An idle channel is then useless: retire it
    // now; one still carrying a response is retired when the agent gets it back.
    channel.once('exit', () => {
      if (isIdle(socket)) socket.destroy();
      else socket.once('free', () => socket.destroy());
    });
    return socket;
  }
}

/** node:http marks the socket of a request in flight with `_httpMessage`; a free keep-alive socket has none. */
function isIdle(socket: Duplex): boolean {
  return !(socket as Duplex & { _httpMessage?: unknown })._httpMessage;
}

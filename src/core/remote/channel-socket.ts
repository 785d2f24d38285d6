import type { Duplex } from 'node:stream';

/**
 * node:http calls these net.Socket methods on whatever stream carries a request; an SSH channel has
 * no TCP options (SSH keepalives cover the connection), so they do nothing, and `destroySoon` closes
 * it. Returns the same stream, decorated.
 */
export function channelAsSocket<T extends Duplex>(channel: T): T {
  const same = (): T => channel;
  return Object.assign(channel, {
    setNoDelay: same,
    setKeepAlive: same,
    setTimeout: same,
    ref: same,
    unref: same,
    destroySoon: () => channel.destroy(),
  });
}

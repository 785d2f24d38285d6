import { request } from 'node:http';
import type { Duplex } from 'node:stream';
import { channelAsSocket } from '../remote/channel-socket';

/**
 * GET `path` over an already open stream (a forwarded SSH channel) and resolve its status code; the
 * token goes in the Authorization header, never in a URL that could be logged. Bounded by `timeoutMs`.
 */
export function httpStatusOver(stream: Duplex, path: string, token: string | undefined, timeoutMs: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const socket = channelAsSocket(stream);
    const req = request({
      host: '127.0.0.1',
      path,
      method: 'GET',
      // No `agent`: only then does node:http use createConnection (agent: false would make a TCP agent).
      createConnection: () => socket as never,
      headers: { Connection: 'close', ...(token ? { Authorization: `token ${token}` } : {}) },
    });
    const timer = setTimeout(() => req.destroy(new Error(`no HTTP answer within ${timeoutMs} ms`)), timeoutMs);
    req.on('response', (res) => {
      res.resume();
      clearTimeout(timer);
      resolve(res.statusCode ?? 0);
      res.on('end', () => socket.destroy());
    });
    req.on('error', (error) => {
      clearTimeout(timer);
      socket.destroy();
      reject(error);
    });
    req.end();
  });
}

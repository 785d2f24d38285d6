import { createServer, request, type IncomingHttpHeaders, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * Real HTTP servers the image build talks to, each keeping a record of what it was asked, so a test
 * can tell which road the build's packages took:
 * - a package mirror: `/debian/…` relayed to a real Debian mirror, `/pypi/simple/…` an index that has
 *   no projects (404, as any index answers for a project it lacks);
 * - a forward proxy that wants Basic credentials, as company proxies do.
 * They listen on the address given (the test engine's bridge gateway, which the build's containers
 * reach) and are closed by `close()`.
 */
export interface RecordedRequest {
  readonly method: string;
  /** The path (mirror) or absolute URL (proxy) asked for. */
  readonly url: string;
  readonly status: number;
  /** Proxy only: whether the request carried the expected Proxy-Authorization. */
  readonly authorized?: boolean;
}

export interface RecordingServer {
  readonly url: string;
  readonly requests: RecordedRequest[];
  close(): Promise<void>;
}

const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'proxy-authorization', 'proxy-connection', 'te', 'trailer', 'transfer-encoding', 'upgrade', 'host']);

function forwardHeaders(headers: IncomingHttpHeaders): IncomingHttpHeaders {
  return Object.fromEntries(Object.entries(headers).filter(([name]) => !HOP_BY_HOP.has(name.toLowerCase())));
}

/** Sends `req` on to `target` and the answer back; a failure upstream is a 502. */
function relay(req: IncomingMessage, res: ServerResponse, target: URL, record: (status: number) => void): void {
  const upstream = request(
    { host: target.hostname, port: target.port || 80, path: `${target.pathname}${target.search}`, method: req.method, headers: { ...forwardHeaders(req.headers), host: target.host }, timeout: 60_000 },
    (answer) => {
      record(answer.statusCode ?? 0);
      res.writeHead(answer.statusCode ?? 502, forwardHeaders(answer.headers));
      answer.pipe(res);
    },
  );
  upstream.on('timeout', () => upstream.destroy(new Error('upstream timeout')));
  upstream.on('error', () => {
    record(502);
    if (!res.headersSent) res.writeHead(502);
    res.end();
  });
  req.pipe(upstream);
}

function listen(server: Server, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, host, () => resolve((server.address() as AddressInfo).port));
  });
}

function closer(server: Server): () => Promise<void> {
  return () => new Promise((resolve) => {
    server.closeAllConnections();
    server.close(() => resolve());
  });
}

/** `/debian/…` → `debianUpstream/…`; `/pypi/simple/…` → 404; anything else 404. */
export async function startPackageMirror(host: string, debianUpstream: string): Promise<RecordingServer> {
  const requests: RecordedRequest[] = [];
  const upstream = debianUpstream.replace(/\/+$/, '');
  const server = createServer((req, res) => {
    const path = req.url ?? '/';
    const record = (status: number): void => void requests.push({ method: req.method ?? 'GET', url: path, status });
    if (path.startsWith('/debian/')) return relay(req, res, new URL(`${upstream}${path.slice('/debian'.length)}`), record);
    record(404);
    res.writeHead(404, { 'content-type': 'text/plain' });
    res.end('not here\n');
  });
  const port = await listen(server, host);
  return { url: `http://${host}:${port}`, requests, close: closer(server) };
}

/** A forward proxy for plain HTTP that answers 407 unless given `user:password` (Basic). */
export async function startForwardProxy(host: string, user: string, password: string): Promise<RecordingServer> {
  const requests: RecordedRequest[] = [];
  const expected = `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;
  const server = createServer((req, res) => {
    const url = req.url ?? '';
    const authorized = req.headers['proxy-authorization'] === expected;
    const record = (status: number): void => void requests.push({ method: req.method ?? 'GET', url, status, authorized });
    if (!authorized) {
      record(407);
      res.writeHead(407, { 'proxy-authenticate': 'Basic realm="gpu-env-test"' });
      return void res.end();
    }
    let target: URL;
    try {
      target = new URL(url);
    } catch {
      record(400);
      res.writeHead(400);
      return void res.end();
    }
    relay(req, res, target, record);
  });
  // HTTPS through the proxy (CONNECT) is not needed by the tests' plain-HTTP mirror and index.
  server.on('connect', (_req, socket) => socket.end('HTTP/1.1 405 Method Not Allowed\r\n\r\n'));
  const port = await listen(server, host);
  return { url: `http://${host}:${port}`, requests, close: closer(server) };
}

// A service-worker scope of its own for each kind of webview in code-server, as desktop VS Code
// (vscode-webview://<id>) and vscode.dev (<id>.vscode-cdn.net) give each its own origin.
//
// Why: code-server tells the workbench to load every webview from one path of the workbench's own
// origin (`webviewEndpoint: "stable-<commit>/static/out/vs/workbench/contrib/webview/browser/pre"`).
// Each webview's host frame (pre/index.html) registers the webview service worker under that one
// scope with a script URL of its own (`service-worker.js?…&id=<webview id>`; the worker installs
// with skipWaiting and claims every frame of the scope), then posts `version` to whichever worker
// controls it and waits for the answer before it loads the content. When two webviews load at the
// same time (the GPU Monitor view and the dashboard; a reload restoring both), the second
// registration replaces the first worker while the first frame's `version` message is on its way
// to it: the replaced worker is stopped, the answer never comes, and that webview stays blank for
// good ("Found unexpected service worker controller … Waiting for controllerchange" is the last
// thing it logs). Reproduced with four panels opened at once, 12 rounds: 2 rounds left panels
// blank for 30 s.
//
// How: the browser reaches code-server through a small proxy on 127.0.0.1 (a port of its own) that
// passes every request and WebSocket through unchanged, with two exceptions:
// - the workbench page: in its configuration (the `vscode-workbench-web-configuration` meta tag)
//   `webviewEndpoint` is dropped and the product's `webviewContentExternalBaseUrlTemplate` (what
//   VS Code uses when no endpoint is given, with `{{uuid}}` = the webview's origin id, one per
//   webview type) is set to `http://<host>/e2e-webview/{{uuid}}/<the same pre/ path>/`;
// - `/e2e-webview/<id>/<path>` is served as `/<path>`: the same files from the same code-server.
// So each kind of webview registers its worker in a scope of its own and no webview can replace
// another's worker. The webviews stay on the workbench's origin, as code-server has them (same
// Content-Security-Policy, same storage, no third-party frames).
import * as http from 'node:http';
import * as net from 'node:net';

const CONFIG_META = /(<meta\s+id="vscode-workbench-web-configuration"\s+data-settings=")([^"]*)(")/;
/** Path prefix of the per-webview scopes: /e2e-webview/<origin id>/… */
export const WEBVIEW_PREFIX = '/e2e-webview/';

function htmlUnescape(s: string): string {
  return s
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&');
}

function htmlEscapeAttr(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/**
 * The workbench page with each webview type's frames under `/e2e-webview/{{uuid}}/`, or an Error
 * saying what was not found (e.g. after a code-server upgrade).
 */
export function scopeWebviewsPerType(html: string, pageUrl: string): string | Error {
  const m = CONFIG_META.exec(html);
  if (!m) return new Error('the workbench page has no vscode-workbench-web-configuration meta tag');
  let config: { webviewEndpoint?: unknown; productConfiguration?: Record<string, unknown> };
  try {
    config = JSON.parse(htmlUnescape(m[2]!)) as typeof config;
  } catch (e) {
    return new Error(`the workbench configuration is not JSON: ${(e as Error).message}`);
  }
  if (typeof config.webviewEndpoint !== 'string' || !/\/webview\/browser\/pre\/?$/.test(config.webviewEndpoint)) {
    return new Error(`unexpected webviewEndpoint in the workbench configuration: ${JSON.stringify(config.webviewEndpoint)}`);
  }
  const page = new URL(pageUrl);
  const prePath = new URL(config.webviewEndpoint.replace(/\/?$/, '/'), page).pathname;
  delete config.webviewEndpoint;
  config.productConfiguration = {
    ...(config.productConfiguration ?? {}),
    webviewContentExternalBaseUrlTemplate: `${page.origin}${WEBVIEW_PREFIX}{{uuid}}${prePath}`,
  };
  return html.replace(CONFIG_META, (_all, a: string, _b: string, c: string) => `${a}${htmlEscapeAttr(JSON.stringify(config))}${c}`);
}

const HOST_FRAME = /^\/e2e-webview\/([a-z0-9]+)\/(.*\/webview\/browser\/pre\/index\.html)\?(.*)$/;

/**
 * A webview's host frame `/e2e-webview/<type id>/…/pre/index.html?id=<webview id>&…` moves to
 * `/e2e-webview/<type id>-<webview id>/…` (same query): a scope per webview, so two webviews of
 * one type (two panels, a panel restored while it is opened again) do not share a worker either.
 * Undefined when `url` is no such frame or is already there.
 */
export function perWebviewLocation(url: string): string | undefined {
  const m = HOST_FRAME.exec(url);
  if (!m) return undefined;
  const id = new URLSearchParams(m[3]).get('id');
  if (!id || !/^[A-Za-z0-9-]{1,64}$/.test(id)) return undefined;
  return `${WEBVIEW_PREFIX}${m[1]}-${id}/${m[2]}?${m[3]}`;
}

/** `/e2e-webview/<id>/rest?q` → `/rest?q`; anything else unchanged. */
export function upstreamPath(url: string): string {
  if (!url.startsWith(WEBVIEW_PREFIX)) return url;
  const rest = url.slice(WEBVIEW_PREFIX.length);
  const slash = rest.indexOf('/');
  return slash < 0 ? '/' : rest.slice(slash);
}

export interface WebviewScopeProxy {
  /** http://127.0.0.1:<port>/ */
  readonly url: string;
  readonly port: number;
  close(): Promise<void>;
}

/**
 * Starts the proxy in front of code-server at `target` (http://127.0.0.1:<port>/). A workbench
 * page that cannot be rewritten is answered with 502 and the reason, so a journey fails at once
 * instead of running with webviews that share one worker scope.
 */
export async function startWebviewScopeProxy(target: string): Promise<WebviewScopeProxy> {
  const upstream = new URL(target);
  const sockets = new Set<net.Socket>();
  const server = http.createServer((req, res) => {
    const moved = req.method === 'GET' ? perWebviewLocation(req.url ?? '/') : undefined;
    if (moved) {
      res.writeHead(307, { location: moved, 'cache-control': 'no-store' });
      res.end();
      return;
    }
    const t0 = Date.now();
    if (process.env.GPU_ENV_E2E_PROXY_LOG) {
      res.on('close', () => {
        const ms = Date.now() - t0;
        if (ms > 2_000 || !res.writableFinished) console.log(`[proxy] ${req.method} ${req.url} ${res.statusCode} ${ms} ms finished=${res.writableFinished} dest=${req.headers['sec-fetch-dest']}`);
      });
    }
    const isDocument = req.headers['sec-fetch-dest'] === 'document';
    const headers = { ...req.headers };
    // The page is read and rewritten here, so it must come uncompressed.
    if (isDocument) headers['accept-encoding'] = 'identity';
    const up = http.request(
      // A fresh connection per request (agent: false): a pooled keep-alive socket that code-server
      // closes as it is reused would fail the request.
      { host: upstream.hostname, port: upstream.port, method: req.method, path: upstreamPath(req.url ?? '/'), headers, agent: false },
      (upRes) => {
        const type = String(upRes.headers['content-type'] ?? '');
        if (!isDocument || upRes.statusCode !== 200 || !type.startsWith('text/html')) {
          res.writeHead(upRes.statusCode ?? 502, upRes.headers);
          upRes.pipe(res);
          return;
        }
        const chunks: Buffer[] = [];
        upRes.on('data', (c: Buffer) => chunks.push(c));
        upRes.on('error', () => res.destroy());
        upRes.on('end', () => {
          const html = Buffer.concat(chunks).toString('utf8');
          const out = CONFIG_META.test(html) ? scopeWebviewsPerType(html, `http://${req.headers.host ?? upstream.host}${req.url ?? '/'}`) : html;
          if (out instanceof Error) {
            res.writeHead(502, { 'content-type': 'text/plain; charset=utf-8' });
            res.end(`e2e webview-scope proxy: could not give each webview type its own worker scope: ${out.message}\n`);
            return;
          }
          const outHeaders = { ...upRes.headers };
          delete outHeaders['content-length'];
          delete outHeaders['transfer-encoding'];
          res.writeHead(200, { ...outHeaders, 'content-length': Buffer.byteLength(out) });
          res.end(out);
        });
      },
    );
    up.on('error', (e) => {
      if (process.env.GPU_ENV_E2E_PROXY_LOG) console.log(`[proxy] upstream error ${req.method} ${req.url}: ${e.message}`);
      if (!res.headersSent) res.writeHead(502, { 'content-type': 'text/plain; charset=utf-8' });
      res.end(`e2e webview-scope proxy: ${e.message}\n`);
    });
    req.pipe(up);
  });
  // WebSockets (the workbench's connections to the server): the raw bytes both ways.
  server.on('upgrade', (req: http.IncomingMessage, client: net.Socket, head: Buffer) => {
    const up = net.connect(Number(upstream.port), upstream.hostname, () => {
      const lines = [`${req.method} ${upstreamPath(req.url ?? '/')} HTTP/1.1`];
      for (let i = 0; i < req.rawHeaders.length; i += 2) lines.push(`${req.rawHeaders[i]}: ${req.rawHeaders[i + 1]}`);
      up.write(`${lines.join('\r\n')}\r\n\r\n`);
      if (head.length > 0) up.write(head);
      client.pipe(up).pipe(client);
    });
    for (const s of [up, client]) {
      sockets.add(s);
      s.on('close', () => sockets.delete(s));
      s.on('error', () => {
        up.destroy();
        client.destroy();
      });
    }
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const port = (server.address() as net.AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}/`,
    port,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
        setTimeout(resolve, 2_000).unref();
      }),
  };
}

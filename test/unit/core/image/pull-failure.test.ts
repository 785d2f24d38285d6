import { describe, expect, it } from 'vitest';
import { classifyEngineFailure, engineMessage, noSpaceMessage } from '../../../../src/core/image/pull-failure';

describe('what a failed pull or build means', () => {
  // The engine's words, as Docker 20.10-27 print them for each case.
  it.each([
    ['Head "http://127.0.0.1:5000/v2/torch/manifests/2.6": no basic auth credentials', undefined, 'auth'],
    ['Get "https://ghcr.io/v2/org/x/manifests/1": unauthorized: authentication required', undefined, 'auth'],
    ["pull access denied for pytorch/nope, repository does not exist or may require 'docker login': denied: requested access to the resource is denied", undefined, 'auth'],
    ['anything', 401, 'auth'],
    ['manifest for 127.0.0.1:5000/missing:1 not found: manifest unknown: manifest unknown', 404, 'not-found'],
    ['manifest for 127.0.0.1:5000/missing:1 not found: manifest unknown: manifest unknown', undefined, 'not-found'],
    ['failed to register layer: write /var/lib/docker/overlay2/x/diff/usr/lib/libtorch.so: no space left on device', undefined, 'no-space'],
    ['read tcp 127.0.0.1:40122->127.0.0.1:5000: read: connection reset by peer', undefined, 'transient'],
    ['unexpected EOF', undefined, 'transient'],
    ['Get "http://127.0.0.1:5000/v2/": dial tcp 127.0.0.1:5000: connect: connection refused', undefined, 'transient'],
    ['Get "https://registry-1.docker.io/v2/": net/http: TLS handshake timeout', undefined, 'transient'],
    ['received unexpected HTTP status: 503 Service Unavailable', undefined, 'transient'],
    ['toomanyrequests: You have reached your pull rate limit', undefined, 'other'],
    ['invalid reference format', undefined, 'other'],
  ] as const)('%s (HTTP %s) → %s', (text, status, kind) => {
    expect(classifyEngineFailure(text, status)).toBe(kind);
  });

  it("takes the engine's words from docker-modem's error, without its HTTP prefix", () => {
    const withJson = Object.assign(new Error('(HTTP code 500) server error - Head x: no basic auth credentials '), { json: { message: 'Head x: no basic auth credentials' } });
    expect(engineMessage(withJson)).toBe('Head x: no basic auth credentials');
    expect(engineMessage(new Error('(HTTP code 404) unexpected - manifest unknown '))).toBe('manifest unknown');
    expect(engineMessage('plain')).toBe('plain');
  });

  it('a full disk names the data root and what to do', () => {
    expect(noSpaceMessage('pull of x', 'write /d: no space left on device', '/var/lib/docker')).toBe(
      "pull of x failed: no space left on device in the engine's data root /var/lib/docker. Free space there (`docker system df` shows what uses it; `docker system prune` removes stopped containers, unused images and build cache), or move the engine's data root to a larger disk, then try again. (The engine said: write /d: no space left on device)",
    );
    expect(noSpaceMessage('build of y', 'z', undefined)).toContain("in the engine's data root (see `docker info`, Docker Root Dir)");
  });
});

import { describe, expect, it } from 'vitest';
import { buildArgsFor, chooseProxies, redactUrl } from '../../../../src/core/image/build-args';

const FILE = '/home/u/.docker/config.json';

describe('build arguments: proxies as docker build passes them, mirrors for the install step', () => {
  it("the config's proxies for this engine, else its default, in both spellings", () => {
    const proxies = { default: { httpProxy: 'http://proxy:3128', noProxy: 'localhost,.corp' }, 'tcp://gpu:2376': { httpsProxy: 'http://other:8080' } };
    expect(chooseProxies(proxies, FILE, 'unix:///var/run/docker.sock', true, {})).toEqual({
      args: { HTTP_PROXY: 'http://proxy:3128', http_proxy: 'http://proxy:3128', NO_PROXY: 'localhost,.corp', no_proxy: 'localhost,.corp' },
      source: `proxies["default"] in ${FILE}`,
      warnings: [],
    });
    expect(chooseProxies(proxies, FILE, 'tcp://gpu:2376', false, {})).toEqual({
      args: { HTTPS_PROXY: 'http://other:8080', https_proxy: 'http://other:8080' },
      source: `proxies["tcp://gpu:2376"] in ${FILE}`,
      warnings: [],
    });
  });

  it('without config proxies, a local engine gets the environment proxies; a loopback one is skipped with a warning', () => {
    const env = { HTTPS_PROXY: 'http://user:secret@127.0.0.1:7890', http_proxy: 'http://10.0.0.2:3128', NO_PROXY: 'localhost' };
    const choice = chooseProxies({}, FILE, 'unix:///var/run/docker.sock', true, env);
    expect(choice.args).toEqual({ HTTP_PROXY: 'http://10.0.0.2:3128', http_proxy: 'http://10.0.0.2:3128', NO_PROXY: 'localhost', no_proxy: 'localhost' });
    expect(choice.source).toBe('the environment (HTTP_PROXY, HTTPS_PROXY, NO_PROXY)');
    expect(choice.warnings).toEqual([
      `HTTPS_PROXY points at this machine's loopback (http://***@127.0.0.1:7890), which the build's containers cannot reach; not used for the build. Set proxies in ${FILE} to an address the engine's containers reach`,
    ]);
    expect(JSON.stringify(choice)).not.toContain('secret');
  });

  it("an engine on another machine does not get this machine's environment proxies", () => {
    expect(chooseProxies({}, FILE, 'ssh://gpu-host', false, { HTTP_PROXY: 'http://10.0.0.2:3128' })).toEqual({ args: {}, warnings: [] });
  });

  it('redacts credentials in URLs', () => {
    expect(redactUrl('http://u:p@h:1')).toBe('http://***@h:1');
    expect(redactUrl('u:p@h:1')).toBe('***@h:1');
    expect(redactUrl('http://h:1/a@b')).toBe('http://h:1/a@b');
    expect(redactUrl('http://h:1')).toBe('http://h:1');
  });

  it('mirror and index go in as GPU_ENV_ arguments only when set', () => {
    expect(buildArgsFor({ proxies: {} })).toEqual({});
    expect(buildArgsFor({ proxies: { HTTP_PROXY: 'x', http_proxy: 'x' }, aptMirror: 'http://m/debian', pipIndexUrl: 'http://m/simple' })).toEqual({
      HTTP_PROXY: 'x', http_proxy: 'x', GPU_ENV_APT_MIRROR: 'http://m/debian', GPU_ENV_PIP_INDEX_URL: 'http://m/simple',
    });
  });
});

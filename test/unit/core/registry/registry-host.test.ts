import { describe, expect, it } from 'vitest';
import { DOCKER_HUB_KEY, entryForRegistry, hostnameOfKey, registryOf } from '../../../../src/core/registry/registry-host';

describe('the registry of an image reference', () => {
  it.each([
    ['pytorch/pytorch:2.6.0-cuda12.4-cudnn9-runtime', 'docker.io', DOCKER_HUB_KEY],
    ['ubuntu', 'docker.io', DOCKER_HUB_KEY],
    ['docker.io/library/ubuntu:24.04', 'docker.io', DOCKER_HUB_KEY],
    ['index.docker.io/pytorch/pytorch', 'docker.io', DOCKER_HUB_KEY],
    ['ghcr.io/org/torch:2.6', 'ghcr.io', 'ghcr.io'],
    ['127.0.0.1:5000/torch:2.6', '127.0.0.1:5000', '127.0.0.1:5000'],
    ['localhost/torch', 'localhost', 'localhost'],
    ['registry:5000/torch@sha256:' + 'a'.repeat(64), 'registry:5000', 'registry:5000'],
    ['myorg/torch:2.6', 'docker.io', DOCKER_HUB_KEY],
  ])('%s is in %s (config key %s)', (ref, name, configKey) => {
    expect(registryOf(ref)).toEqual({ name, configKey });
  });

  it('config keys written with a scheme or path match by host name, the exact key first', () => {
    expect(hostnameOfKey('https://ghcr.io/v1/')).toBe('ghcr.io');
    expect(hostnameOfKey('http://127.0.0.1:5000')).toBe('127.0.0.1:5000');
    const auths = { 'https://ghcr.io/v1/': 'by-host', 'other.io': 'other' };
    expect(entryForRegistry(auths, registryOf('ghcr.io/x'))).toEqual({ key: 'https://ghcr.io/v1/', value: 'by-host' });
    expect(entryForRegistry({ ...auths, 'ghcr.io': 'exact' }, registryOf('ghcr.io/x'))).toEqual({ key: 'ghcr.io', value: 'exact' });
    expect(entryForRegistry(auths, registryOf('quay.io/x'))).toBeUndefined();
    expect(entryForRegistry({ [DOCKER_HUB_KEY]: 'hub' }, registryOf('pytorch/pytorch'))).toEqual({ key: DOCKER_HUB_KEY, value: 'hub' });
  });
});

import { describe, expect, it } from 'vitest';
import { localApi } from '../../../src/core/local-api';
import { coreContext } from '../../../src/vscode/services';
import { fakeServices } from '../../support/extension-fakes';

describe('coreContext', () => {
  it('takes the engine from gpuEnv.engineHost, validated', () => {
    expect(coreContext(localApi, fakeServices({ settings: { engineHost: 'unix:///tmp/gdt/docker.sock' } })).host).toEqual({ url: 'unix:///tmp/gdt/docker.sock', source: 'setting' });
    expect(coreContext(localApi, fakeServices()).host).toBeUndefined();
    expect(() => coreContext(localApi, fakeServices({ settings: { engineHost: 'docker.example' } }))).toThrow(/^gpuEnv\.engineHost: "docker\.example" is not a Docker engine address/);
  });
});

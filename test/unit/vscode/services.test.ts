import { describe, expect, it } from 'vitest';
import { coreContext } from '../../../src/vscode/services';
import { fakeServices } from '../../support/extension-fakes';

describe('coreContext', () => {
  it('takes the engine from gpuEnv.engineHost, validated', () => {
    expect(coreContext(fakeServices({ settings: { engineHost: 'unix:///tmp/gdt/docker.sock' } })).host).toEqual({ url: 'unix:///tmp/gdt/docker.sock', source: 'setting' });
    expect(coreContext(fakeServices()).host).toBeUndefined();
    expect(() => coreContext(fakeServices({ settings: { engineHost: 'docker.example' } }))).toThrow(/^gpuEnv\.engineHost: "docker\.example" is not a Docker engine address/);
  });
});

import { tmpdir } from 'node:os';
import { describe, expect, it } from 'vitest';
import { connectEngine } from '../../../../src/core/engine/connect';
import { resolveEngine } from '../../../../src/core/engine/resolve';

describe('connectEngine', () => {
  it('says which endpoint it tried and how it was chosen', async () => {
    const endpoint = resolveEngine({ env: { DOCKER_HOST: 'unix:///tmp/gpu-env-no-engine-here.sock' }, homeDir: tmpdir() });
    await expect(connectEngine(endpoint)).rejects.toThrow(/^Docker engine not reachable at unix:\/\/\/tmp\/gpu-env-no-engine-here\.sock \(from DOCKER_HOST\): is it running\?/);
  });
});

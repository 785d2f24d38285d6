import { describe, expect, it } from 'vitest';
import { engineReachableCheck } from '../../../../../src/core/doctor/checks/engine-reachable';

describe('engine reachable check', () => {
  it('a tcp:// engine on another machine fails with the refusal and ssh:// as the fix (issue 16 defect 8)', async () => {
    const result = await engineReachableCheck.run({ endpoint: { url: 'tcp://192.0.2.10:2376', source: 'DOCKER_HOST' } }, new AbortController().signal);
    expect(result).toMatchObject({ status: 'fail', detail: expect.stringContaining('is on another machine (192.0.2.10)'), fix: expect.stringMatching(/^Reach that machine's engine over SSH instead: --host ssh:\/\//) });
  });
});

import { describe, expect, it } from 'vitest';
import { runCheck, type Check } from '../../../../src/core/doctor/check';
import { CancelledError, sleep } from '../../../../src/core/util/abort';

function check(run: Check<null>['run'], timeoutMs = 1_000): Check<null> {
  return { id: 'shm', title: 'Test check', timeoutMs, fixWhenBroken: 'Try again.', run };
}

describe('runCheck', () => {
  it('turns a hang into a failure that names the limit, within the limit', async () => {
    const started = Date.now();
    const { check: result } = await runCheck(check((_s, signal) => sleep(60_000, signal).then(() => ({ status: 'ok', detail: 'never' })), 200), null, undefined);
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(result).toMatchObject({ status: 'fail', detail: 'The check could not complete: Test check timed out after 200 ms.', fix: 'Try again.' });
  });

  it('turns a thrown error into a failure of this check alone', async () => {
    const { check: result } = await runCheck(check(async () => { throw new Error('engine said 500'); }), null, undefined, 'doc1');
    expect(result).toMatchObject({ id: 'shm', status: 'fail', detail: 'The check could not complete: engine said 500.', environment: 'doc1' });
  });

  it("lets the user's cancel through", async () => {
    const controller = new AbortController();
    const pending = runCheck(check((_s, signal) => sleep(60_000, signal).then(() => ({ status: 'ok', detail: 'never' }))), null, controller.signal);
    controller.abort();
    await expect(pending).rejects.toBeInstanceOf(CancelledError);
  });

  it('drops a fix from an ok result', async () => {
    const { check: result } = await runCheck(check(async () => ({ status: 'ok', detail: 'fine', fix: 'nothing' })), null, undefined);
    expect(result.fix).toBeUndefined();
  });
});

import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { SyncReport } from '../../../../src/core/sync/push';
import { watchAndPush } from '../../../../src/core/sync/watch-push';
import type { WorkspaceAccess } from '../../../../src/core/targets/workspace-access';
import { LocalSession, waitFor } from '../../../support/local-process-session';

/** sync's commands run by a real shell on this machine, into a folder standing for the remote workspace. */
function localAccess(session: LocalSession, path: string): WorkspaceAccess {
  return { path, where: 'this machine', exec: (command, options) => session.exec(command, options), spawn: (command) => session.spawn(command) };
}

describe('sync --watch', () => {
  let root = '';
  const sessions: LocalSession[] = [];
  afterEach(() => {
    for (const session of sessions.splice(0)) session.close();
    rmSync(root, { recursive: true, force: true });
  });

  it('copies a change made the moment the first round reports: the watcher is armed before that round', async () => {
    root = mkdtempSync(join(tmpdir(), 'gpu-env-watch-'));
    const local = join(root, 'local');
    const remote = join(root, 'remote');
    mkdirSync(local);
    mkdirSync(remote);
    writeFileSync(join(local, 'train.py'), 'print("train")\n');
    const session = new LocalSession();
    sessions.push(session);
    const reports: SyncReport[] = [];
    const errors: string[] = [];
    const controller = new AbortController();
    const watching = watchAndPush(local, localAccess(session, remote), {
      signal: controller.signal,
      debounceMs: 50,
      onError: (message) => errors.push(message),
      onReport: (report) => {
        reports.push(report);
        // What a user (or the integration test) does on seeing the first report.
        if (reports.length === 1) writeFileSync(join(local, 'late.py'), 'print("late")\n');
      },
    });
    try {
      await waitFor(() => existsSync(join(remote, 'late.py')), 'the change to be copied', 20_000);
    } finally {
      controller.abort();
      await watching;
    }
    expect(errors).toEqual([]);
    expect(readFileSync(join(remote, 'late.py'), 'utf8')).toBe('print("late")\n');
    expect(reports[0]).toMatchObject({ files: 1, unchanged: 0 });
    expect(reports.at(-1)).toMatchObject({ files: 1, unchanged: 1 });
  });
});

import { appendFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { DashboardFeed } from '../../../../src/vscode/dashboard/dashboard-feed';
import { localApi } from '../../../../src/core/local-api';
import { MetricsFollowers } from '../../../../src/vscode/dashboard/metrics-followers';
import { RecordingLog, settle } from '../../../support/extension-fakes';
import { LocalSession, waitFor } from '../../../support/local-process-session';

const ID = '20260101-100000-aaaa';

describe('dashboard metrics followers', () => {
  const dirs: string[] = [];
  afterEach(() => {
    for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  });
  const line = (step: number): string => `{"v":1,"time":${1000 + step},"step":${step},"split":"train","loss":${1 / (step + 1)}}\n`;

  it('tails the shown runs over the environment\'s session, and continues without repeats when shown again', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'gpu-env-followers-'));
    dirs.push(dir);
    const path = join(dir, 'metrics.jsonl');
    writeFileSync(path, line(0) + line(1));
    const session = new LocalSession();
    const feed = new DashboardFeed();
    const ingested: number[] = [];
    let holds = 0;
    const followers = new MetricsFollowers({
      core: async () => localApi,
      locate: (id) => (id === ID ? { environment: 'exp', path } : undefined),
      connect: async () => session,
      hold: () => {
        holds++;
        return { dispose: () => void holds-- };
      },
      feed: {
        ingestLines: (id, lines) => {
          for (const l of lines) if (l.kind === 'point') ingested.push(l.step);
          feed.ingestLines(id, lines);
        },
        beginHistory: (id) => feed.beginHistory(id),
        resetRun: (id) => feed.resetRun(id),
      },
      log: new RecordingLog(),
    });
    followers.setRuns([ID, '20260101-000000-ffff']);
    expect(followers.followed()).toEqual([ID]); // the other is not listed yet
    await waitFor(() => ingested.length === 2, 'the first lines');
    expect(holds).toBe(1);
    followers.setRuns([]);
    await waitFor(() => holds === 0, 'the tail to stop');
    appendFileSync(path, line(2));
    followers.setRuns([ID]);
    await waitFor(() => ingested.length === 3, 'the new line');
    await settle();
    expect(ingested).toEqual([0, 1, 2]);
    followers.dispose();
    await waitFor(() => holds === 0, 'the tail to stop again');
    session.close();
  });
});

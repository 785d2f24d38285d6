/**
 * `gpu-env runs` against run folders a careless or hostile program left in the workspace, on a
 * real environment and the real runner (issue 16 defects 5 and 11): a bad metrics line does not
 * hide the other runs, and escapes in folder names and labels never reach the terminal raw.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { defaultContext, openEnvironmentSession } from '../../src/core/api';
import { RunsClient, readShippedAssets } from '../../src/core/runs/index';
import { DOCKER_HOST, HARNESS_READY, SKIP_REASON, environmentFixture, runCli } from './harness-env';

const NAME = 'itest-hostile-runs';
const ESCAPE_ID = '20260101-000000-\x1b]0;owned\x07\x1b[2J';

describe.skipIf(!HARNESS_READY)(`gpu-env runs with hostile run folders${HARNESS_READY ? '' : ` (skipped: ${SKIP_REASON})`}`, () => {
  const fx = environmentFixture(NAME, 'hostile-runs');

  function runFolder(id: string, label: string, metrics: string): void {
    const dir = join(fx.workspace, '.gpu-env', 'runs', id);
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'run.json'), JSON.stringify({ id, label, command: ['python3', 'x.py'], autoResume: false, createdAt: 1 }));
    writeFileSync(join(dir, 'status.json'), JSON.stringify({ state: 'succeeded', exitCode: 0, attempt: 1, updatedAt: 2 }));
    writeFileSync(join(dir, 'metrics.jsonl'), metrics);
  }

  it('lists every run, each cell free of terminal control characters', async () => {
    const session = await openEnvironmentSession(NAME, { context: defaultContext({ stateDir: fx.stateDir, env: { ...process.env, DOCKER_HOST } }) });
    try {
      await new RunsClient(session).install(readShippedAssets(join(__dirname, '..', '..')));
    } finally {
      session.close();
    }
    runFolder('20260101-000001-good', 'plain', '{"v":1,"time":2.0,"step":10,"epoch":1,"split":"train","loss":0.5}\n');
    runFolder(ESCAPE_ID, '\x1b[31mred\x1b]8;;http://evil.example\x07link\u202etxt', '');
    runFolder('20260101-000002-badmetrics', 'bad', `{"v":1,"time":3.0,"step":11,"epoch":1,"split":"train","loss":1e999}\n${'['.repeat(30_000)}\n`);

    const text = await runCli(['runs', NAME], fx.env, 60_000);
    expect(text.code, text.stderr).toBe(0);
    // eslint-disable-next-line no-control-regex -- no control byte may reach the terminal
    expect(text.stdout).not.toMatch(/[\x00-\x09\x0b-\x1f\x7f-\x9f\u202e]/);
    expect(text.stdout).toContain('20260101-000000-\\x1b]0;owned\\x07\\x1b[2J');
    expect(text.stdout).toContain('\\x1b[31mred\\x1b]8;;http://evil.example\\x07link\\u202etxt');
    expect(text.stdout).toMatch(/20260101-000001-good\s+succeeded\s+plain\s+1\.00\s+10\s+0\.5000/);
    expect(text.stdout).toMatch(/20260101-000002-badmetrics\s+succeeded\s+bad\s+1\.00\s+11\s+Infinity/);

    const json = await runCli(['runs', NAME, '--json'], fx.env, 60_000);
    expect(json.code, json.stderr).toBe(0);
    const ids = (JSON.parse(json.stdout) as { id: string }[]).map((run) => run.id);
    expect(ids).toEqual(expect.arrayContaining(['20260101-000001-good', ESCAPE_ID, '20260101-000002-badmetrics']));
  });
});

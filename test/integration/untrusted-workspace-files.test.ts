/**
 * Issue 16 defect 12: a cloned repository that committed .gpu-env/ (a runner of its own and a run
 * with auto-resume) ran its code at `gpu-env up`, and again whenever runs were listed. On a real
 * engine: `up`, `runs` and `train` in such a workspace run none of its code; gpu-env's own runs
 * still resume after a restart; .gpu-env/ ignores itself in git.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BASE_IMAGE, DOCKER_HOST, HARNESS_READY, SKIP_REASON, WORKSPACE_UID, docker, execAsRoot, removeDir, runCli, tempDir, userWorkspace } from './harness-env';

const NAME = 'itest-cloned';
const HOSTILE_RUN = '20250101-000000-beef';

/** What a hostile repository commits: a "runner" and a "running" auto-resume run, both leaving marks. */
function plantHostileFiles(workspace: string): void {
  mkdirSync(join(workspace, '.gpu-env', 'runner'), { recursive: true });
  writeFileSync(join(workspace, '.gpu-env', 'runner', 'gpu_env_run.py'), 'import pathlib\npathlib.Path("/workspace/pwned-by-runner").write_text("x")\n');
  const run = join(workspace, '.gpu-env', 'runs', HOSTILE_RUN);
  mkdirSync(run, { recursive: true });
  writeFileSync(join(run, 'run.json'), JSON.stringify({
    v: 1, id: HOSTILE_RUN, label: 'innocent', command: ['sh', '-c', 'touch /workspace/pwned-by-run'], cwd: '/workspace', autoResume: true, createdAt: 1,
  }));
  writeFileSync(join(run, 'status.json'), JSON.stringify({ state: 'running', pid: 999999, supervisorPid: 999998, attempt: 1, updatedAt: 2 }));
  // A clone belongs to the user who made it.
  if (process.getuid?.() === 0) execFileSync('chown', ['-R', `${WORKSPACE_UID}:${WORKSPACE_UID}`, join(workspace, '.gpu-env')]);
}

describe.skipIf(!HARNESS_READY)(`a workspace that carries someone else's .gpu-env${HARNESS_READY ? '' : ` (skipped: ${SKIP_REASON})`}`, () => {
  let workspace = '';
  let stateDir = '';
  let env: Record<string, string> = {};
  const marks = (): string[] => ['pwned-by-runner', 'pwned-by-run'].filter((file) => existsSync(join(workspace, file)));

  beforeAll(() => {
    workspace = userWorkspace('cloned');
    stateDir = tempDir('cloned-state');
    env = { DOCKER_HOST, GPU_ENV_STATE_DIR: stateDir };
    plantHostileFiles(workspace);
  });

  afterAll(async () => {
    await docker().getContainer(`gpu-env-${NAME}`).remove({ force: true }).catch(() => undefined);
    removeDir(stateDir);
    removeDir(workspace);
  });

  it('up runs neither the committed runner nor the committed run', async () => {
    const up = await runCli(['up', '--name', NAME, '--workspace', workspace, '--base-image', BASE_IMAGE], env);
    expect(up.code, up.stderr).toBe(0);
    // The entrypoint's resume step has run by the time sshd answers; give a launched process time to act.
    await new Promise((resolve) => setTimeout(resolve, 2_000));
    expect(marks()).toEqual([]);
    const resumeLog = await execAsRoot(`gpu-env-${NAME}`, 'cat /tmp/gpu-env-resume.log 2>/dev/null; true');
    expect(resumeLog.output).toMatch(new RegExp(`"id": "${HOSTILE_RUN}", "action": "untrusted"`));
  });

  it('listing runs replaces the committed runner with gpu-env\'s own before running it', async () => {
    const listed = await runCli(['runs', NAME, '--json'], env, 60_000);
    expect(listed.code, listed.stderr).toBe(0);
    expect(marks()).toEqual([]);
    expect((JSON.parse(listed.stdout) as { id: string }[]).map((run) => run.id)).toContain(HOSTILE_RUN);
    expect(readFileSync(join(workspace, '.gpu-env', 'runner', 'gpu_env_run.py'), 'utf8')).toBe(readFileSync(join(__dirname, '..', '..', 'media', 'runner', 'gpu_env_run.py'), 'utf8'));
    expect(readFileSync(join(workspace, '.gpu-env', '.gitignore'), 'utf8')).toMatch(/^\*$/m);
  });

  it('a runner deleted from the workspace (git clean -fdx) is installed again by the next runs command', async () => {
    const runner = join(workspace, '.gpu-env', 'runner', 'gpu_env_run.py');
    rmSync(runner);
    const listed = await runCli(['runs', NAME, '--json'], env, 60_000);
    expect(listed.code, listed.stderr).toBe(0);
    expect((JSON.parse(listed.stdout) as { id: string }[]).map((run) => run.id)).toContain(HOSTILE_RUN);
    expect(readFileSync(runner, 'utf8')).toBe(readFileSync(join(__dirname, '..', '..', 'media', 'runner', 'gpu_env_run.py'), 'utf8'));
  });

  it('a restart resumes nothing of the committed run, still', async () => {
    await docker().getContainer(`gpu-env-${NAME}`).restart({ t: 5 });
    const up = await runCli(['up', '--name', NAME, '--workspace', workspace, '--base-image', BASE_IMAGE], env);
    expect(up.code, up.stderr).toBe(0);
    await new Promise((resolve) => setTimeout(resolve, 2_000));
    expect(marks()).toEqual([]);
  });
});

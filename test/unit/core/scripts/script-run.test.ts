import { describe, expect, it } from 'vitest';
import type { ExecResult, SshSession } from '../../../../src/core/ssh/session';
import { scriptArgv, startScriptRun, validateScriptPath } from '../../../../src/core/scripts/script-run';
import { ASSETS } from '../../../support/runs-fakes';

describe('running the user\'s own script', () => {
  it('accepts .py files under /workspace only', () => {
    expect(scriptArgv('/workspace/a b/train.py')).toEqual(['python3', '/workspace/a b/train.py']);
    for (const bad of ['/etc/passwd.py', '/workspace/../etc/x.py', '/workspace/x.sh', 'train.py', '/workspace/a\nb.py']) expect(() => validateScriptPath(bad), bad).toThrow(/is not a \.py file under \/workspace/);
  });

  it('installs the runner and starts the script detached, without auto-resume, labelled by its name', async () => {
    const commands: string[] = [];
    const session: SshSession = {
      closed: new Promise(() => undefined),
      close: () => undefined,
      spawn: () => Promise.reject(new Error('not used')),
      exec: async (command): Promise<ExecResult> => {
        commands.push(command);
        const stdout = command.includes(' start ') ? '{"state":"running","pid":7,"attempt":1}\n' : '';
        return { code: 0, signal: null, stdout, stderr: '' };
      },
    };
    const started = await startScriptRun(session, ASSETS, { script: '/workspace/exp/my train.py', environment: 'exp' }, undefined, () => new Date(Date.UTC(2026, 0, 2, 3, 4, 5)));
    expect(started.id).toMatch(/^20260102-030405-[0-9a-f]{4}$/);
    expect(started.status.state).toBe('running');
    const start = commands.find((c) => c.includes(' start '))!;
    expect(start).toContain(`'--label=my train.py' --environment=exp -- python3 '/workspace/exp/my train.py'`);
    expect(start).not.toContain('--auto-resume');
    expect(commands[0]).toContain('/workspace/.gpu-env/runner/gpu_env_run.py');
  });
});

import type { CoreContext } from '../../lifecycle/context';
import type { EnvironmentInfo } from '../../lifecycle/environment-info';
import { openEnvironmentSession } from '../../lifecycle/session';
import { containerName } from '../../container/labels';
import { messageOf } from '../../errors';
import type { SshSession } from '../../ssh/session';
import { recreateCommands } from '../format';
import type { Check, CheckResult } from '../check';

export interface SshTarget {
  readonly ctx: CoreContext;
  readonly info: EnvironmentInfo;
}

/** Opens the one SSH session the in-container checks share; the doctor closes it at the end. */
export const sshSessionCheck: Check<SshTarget, SshSession> = {
  id: 'ssh',
  title: 'SSH into the environment',
  timeoutMs: 30_000,
  fixWhenBroken: 'Try `gpu-env exec NAME -- true`; if it hangs too, restart the environment with `gpu-env down NAME` then `gpu-env up --name NAME`.',
  async run({ ctx, info }, signal) {
    let session: SshSession;
    try {
      session = await openEnvironmentSession(info.name, { ...ctx, signal });
    } catch (error) {
      return sshFailure(info, error);
    }
    if (signal.aborted) {
      // Connected just as the deadline passed: nobody would close it otherwise.
      session.close();
      throw new Error('SSH connected only after the time limit');
    }
    return {
      status: 'ok',
      detail: `Connected as ${info.ssh.user}@${info.ssh.host}:${info.ssh.port ?? '?'} with the host key pinned for ${info.ssh.alias}.`,
      value: session,
    };
  },
};

function sshFailure(info: EnvironmentInfo, error: unknown): CheckResult<SshSession> {
  const message = messageOf(error);
  const detail = `SSH to ${info.ssh.alias} failed: ${message}`;
  if (/no SSH keys/i.test(message)) {
    return { status: 'fail', detail, fix: `Run the doctor with the state folder the environment was created with (GPU_ENV_STATE_DIR or XDG_CONFIG_HOME), or recreate it: ${recreateCommands(info)}.` };
  }
  if (error instanceof Error && error.name === 'HostKeyMismatchError') {
    return { status: 'fail', detail, fix: `Something other than this environment's sshd answered on its port. Recreate it: ${recreateCommands(info)}.` };
  }
  return { status: 'fail', detail, fix: `Read \`docker logs ${containerName(info.name)}\`; restart the environment with \`gpu-env down ${info.name}\` then \`gpu-env up --name ${info.name}\`.` };
}

import type Docker from 'dockerode';
import { containerName } from '../../container/labels';
import { environmentInfo, inspectEnvironment, type EnvironmentInfo } from '../../lifecycle/environment-info';
import type { EngineFacts } from '../engine-facts';
import type { Check } from '../check';

export interface EnvironmentTarget {
  readonly facts: EngineFacts;
  readonly name: string;
}

/** Finds the environment's container; hands its info on when it runs, since only then can SSH reach it. */
export const environmentStateCheck: Check<EnvironmentTarget, EnvironmentInfo> = {
  id: 'environment',
  title: 'Environment container running',
  timeoutMs: 15_000,
  fixWhenBroken: 'List the environments with `gpu-env ls` and run the doctor again.',
  async run({ facts, name }, signal) {
    const engineUrl = facts.engine.endpoint.url;
    const inspect = await inspectEnvironment(facts.engine.docker, name, signal);
    if (!inspect) {
      return {
        status: 'fail',
        detail: `There is no environment named "${name}" on ${engineUrl}.`,
        fix: `List the environments with \`gpu-env ls\`, or create this one with \`gpu-env up --name ${name} --workspace DIR\`.`,
      };
    }
    const info = environmentInfo(inspect, engineUrl);
    const what = `${info.container} (image ${info.image}, GPUs: ${info.gpus})`;
    const oom = oomKilledFinding(inspect, name);
    if (info.state !== 'running' && oom) return { status: 'fail', detail: `${what} ${oom.detail}`, fix: oom.fix };
    switch (info.state) {
      case 'running':
        return { status: 'ok', detail: `${what} is running.`, value: info };
      case 'creating':
      case 'pending':
        return { status: 'warn', detail: `${what} is starting or restarting (${info.status}); its in-container checks were not run.`, fix: `Run \`gpu-env doctor ${name}\` again in a moment; if it keeps restarting, read \`docker logs ${containerName(name)}\`.` };
      case 'stopped':
        return { status: 'warn', detail: `${what} is stopped, so nothing inside it was checked.`, fix: `Start it with \`gpu-env up --name ${name}\`, then run \`gpu-env doctor ${name}\` again.` };
      case 'error':
        return {
          status: 'fail',
          detail: `${what} exited with code ${inspect.State.ExitCode}${inspect.State.Error ? ` (${inspect.State.Error})` : ''}.`,
          fix: `Read why in \`docker logs ${containerName(name)}\`, then start it again with \`gpu-env up --name ${name}\`.`,
        };
    }
  },
};

type OomInspect = { readonly State: Pick<Docker.ContainerInspectInfo['State'], 'OOMKilled' | 'ExitCode'>; readonly HostConfig: Pick<Docker.ContainerInspectInfo['HostConfig'], 'Memory'> };

/**
 * A container the kernel's OOM killer ended (State.OOMKilled, exit 137): host memory ran out, as
 * for a run the runner reports (src/core/runs/failure.ts, host-oom), with the same fix.
 */
export function oomKilledFinding(inspect: OomInspect, name: string): { readonly detail: string; readonly fix: string } | undefined {
  if (inspect.State.OOMKilled !== true) return undefined;
  const limit = inspect.HostConfig.Memory ? `its limit of ${formatMiB(inspect.HostConfig.Memory)}` : "the machine's RAM";
  return {
    detail: `was killed by the kernel's out-of-memory killer (exit ${inspect.State.ExitCode}): host memory ran out (${limit}).`,
    fix: `Use a smaller --batch-size, or recreate it with a larger memory limit: \`gpu-env up --name ${name} --memory 32g --recreate\` (keys, workspace and runs stay).`,
  };
}

function formatMiB(bytes: number): string {
  const mib = bytes / 2 ** 20;
  return mib >= 1024 && mib % 1024 === 0 ? `${mib / 1024} GiB` : `${Math.round(mib)} MiB`;
}

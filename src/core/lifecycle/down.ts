import { GpuEnvError } from '../errors';
import { withDeadline } from '../util/abort';
import type { CoreContext } from './context';
import { openEngine } from './engine';
import { environmentInfoOn, inspectEnvironment, type EnvironmentInfo } from './environment-info';
import { LABEL } from '../container/labels';
import { putFiles } from './container-files';
import { IDLE_STATE_DIR } from './idle-files';

export const STOP_GRACE_S = 10;

/** Stops the environment's container; files, keys and the container itself stay. */
export async function down(name: string, ctx: CoreContext): Promise<EnvironmentInfo> {
  const engine = await openEngine(ctx);
  const inspect = await inspectEnvironment(engine.docker, name, ctx.signal);
  if (!inspect) throw new GpuEnvError(`no environment named "${name}" on ${engine.endpoint.url}; list them with \`gpu-env ls\``);
  if (inspect.State.Running) {
    ctx.progress({ kind: 'step', step: 'stop', message: `Stopping ${inspect.Name.slice(1)}` });
    // With idle stop the restart policy is on-failure: marked, the stop ends with exit code 0 and the
    // environment stays stopped across an engine restart, as `down` promises.
    if (inspect.Config.Labels?.[LABEL.idleStop] !== undefined) {
      await putFiles(engine.docker.getContainer(inspect.Id), IDLE_STATE_DIR, [{ name: 'down-requested', content: '', mode: 0o644 }], ctx.signal);
    }
    await withDeadline('container stop', (STOP_GRACE_S + 30) * 1000, ctx.signal, (s) => engine.docker.getContainer(inspect.Id).stop({ t: STOP_GRACE_S, abortSignal: s }));
  }
  const after = await inspectEnvironment(engine.docker, name, ctx.signal);
  return environmentInfoOn(engine, after ?? inspect);
}

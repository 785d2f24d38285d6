import { GpuEnvError } from '../errors';
import { isValidName } from '../validate';
import { withDeadline } from '../util/abort';
import { LABEL } from '../container/labels';
import type { CoreContext } from './context';
import { openEngine } from './engine';
import { environmentInfoOn, inspectEnvironment, type EnvironmentInfo } from './environment-info';

/** Every environment on the engine, found by the product's label. */
export async function list(ctx: CoreContext): Promise<EnvironmentInfo[]> {
  const engine = await openEngine(ctx);
  const summaries = await withDeadline('container list', 30_000, ctx.signal, (s) =>
    engine.docker.listContainers({ all: true, filters: { label: [LABEL.name] }, abortSignal: s }),
  );
  const infos: EnvironmentInfo[] = [];
  for (const summary of summaries) {
    const name = summary.Labels[LABEL.name];
    // A label that is not a valid name (".." on a shared engine) is not one of our environments.
    if (!name || !isValidName(name)) continue;
    const inspect = await inspectEnvironment(engine.docker, name, ctx.signal);
    if (inspect) infos.push(environmentInfoOn(engine, inspect));
  }
  return infos.sort((a, b) => a.name.localeCompare(b.name));
}

export async function status(name: string, ctx: CoreContext): Promise<EnvironmentInfo> {
  const engine = await openEngine(ctx);
  const inspect = await inspectEnvironment(engine.docker, name, ctx.signal);
  if (!inspect) throw new GpuEnvError(`no environment named "${name}" on ${engine.endpoint.url}; list them with \`gpu-env ls\``);
  return environmentInfoOn(engine, inspect);
}

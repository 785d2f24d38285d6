import { GpuEnvError, usageError } from '../errors';
import { withDeadline } from '../util/abort';
import type { CoreContext } from './context';
import { openEngine } from './engine';
import { inspectEnvironment } from './environment-info';
import { demuxText } from '../engine/demux';

export const MAX_LOG_LINES = 100_000;

/** The last `tail` lines of the environment container's output (`docker logs`), stdout and stderr interleaved. */
export async function logs(name: string, options: { tail: number }, ctx: CoreContext): Promise<string> {
  if (!Number.isInteger(options.tail) || options.tail < 1 || options.tail > MAX_LOG_LINES) {
    throw usageError(`tail: ${String(options.tail)} is not accepted; use a whole number of lines from 1 to ${MAX_LOG_LINES}`);
  }
  const engine = await openEngine(ctx);
  const inspect = await inspectEnvironment(engine.docker, name, ctx.signal);
  if (!inspect) throw new GpuEnvError(`no environment named "${name}" on ${engine.endpoint.url}; list them with \`gpu-env ls\``);
  const output = await withDeadline('container logs', 30_000, ctx.signal, (signal) =>
    engine.docker.getContainer(inspect.Id).logs({ stdout: true, stderr: true, tail: options.tail, follow: false, abortSignal: signal }),
  );
  return demuxText(output);
}

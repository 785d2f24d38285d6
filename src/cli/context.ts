import { defaultContext, type CoreContext } from '../core/environments';
import type { ProgressSink } from '../core/progress';
import type { CliIo } from './command';

/** The core context for a CLI invocation: state dir from XDG, engine from --host or the environment. */
export function cliContext(io: CliIo, host: string | undefined, progress?: ProgressSink): CoreContext {
  return defaultContext({
    env: io.env,
    signal: io.signal,
    ...(progress ? { progress } : {}),
    ...(host ? { host: { url: host, source: '--host' } } : {}),
  });
}

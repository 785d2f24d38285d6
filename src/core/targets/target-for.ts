import type { CoreContext } from '../lifecycle/context';
import { slurmTarget } from '../slurm/slurm-target';
import { dockerTarget } from './docker-target';
import type { EnvironmentTarget } from './environment-target';

/**
 * The target the context names: `--host`/the engine setting decide it (`slurm://…`: a Slurm cluster);
 * without one, the Docker engine the docker CLI would use.
 */
export function targetFor(ctx: Pick<CoreContext, 'host'>): EnvironmentTarget {
  return ctx.host?.url.trim().startsWith('slurm://') ? slurmTarget : dockerTarget;
}

/**
 * The GPUs a new environment gets on a shared engine: `--gpus N` chooses N that no running
 * container holds, least used first by a fresh sample (exit 2 naming the holders when fewer are
 * free); GPUs named explicitly are taken as asked, with a warning for each one another running
 * container holds too.
 */
import { claimCovers } from '../gpu/gpu-claims';
import { chooseFreeGpus } from '../gpu/choose-gpus';
import { holderName } from '../gpu/gpu-holders';
import { planGpus, type EngineGpuSupport, type GpuPlan } from '../container/gpu-support';
import type { Engine } from '../engine/connect';
import { formatPercent } from '../gpu/format';
import type { GpuRequest } from '../validate';
import type { CoreContext } from './context';
import { gpuHoldersOn, runningGpuClaims } from './gpus';

export interface GpuChoice {
  readonly plan: GpuPlan;
  /** N of `--gpus N`, recorded on the container with the GPUs chosen. */
  readonly count?: number;
  readonly warnings: readonly string[];
}

export async function chooseGpus(engine: Engine, request: GpuRequest, support: EngineGpuSupport, image: string, field: string, ctx: CoreContext): Promise<GpuChoice> {
  if (request.kind === 'count') {
    const report = await gpuHoldersOn(engine, ctx, image);
    const chosen = chooseFreeGpus(report.gpus, request.count, field, report.host.label);
    const ids = chosen.map((gpu) => gpu.index).sort((a, b) => a - b).map(String);
    ctx.progress({
      kind: 'step', step: 'create',
      message: `Chose GPU${ids.length === 1 ? '' : 's'} ${ids.join(', ')} of ${report.gpus.length}: held by no running environment, least used first (${chosen.map((gpu) => `GPU ${gpu.index} ${formatPercent(gpu.utilizationGpuPercent)}`).join(', ')})`,
    });
    return { plan: planGpus({ kind: 'devices', ids }, support, engine.endpoint.url, field), count: request.count, warnings: [] };
  }
  const plan = planGpus(request, support, engine.endpoint.url, field);
  if (request.kind !== 'devices') return { plan, warnings: [] };
  const claims = await runningGpuClaims(engine.docker, ctx.signal);
  const warnings = request.ids.flatMap((id) => {
    const gpu = /^\d+$/.test(id) ? { index: Number(id), uuid: null } : { index: -1, uuid: id };
    const holders = claims.filter((claim) => claimCovers(claim, gpu)).map((claim) => holderName({ ...claim }));
    return holders.length === 0 ? [] : [`GPU ${id} is held by ${holders.join(', ')} too: the environments will share its memory and time (${field} N picks free GPUs)`];
  });
  for (const message of warnings) ctx.progress({ kind: 'warning', message });
  return { plan, warnings };
}

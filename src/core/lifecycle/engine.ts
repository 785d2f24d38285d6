import { connectEngine, type Engine } from '../engine/connect';
import { resolveEngine } from '../engine/resolve';
import type { CoreContext } from './context';

export async function openEngine(ctx: CoreContext): Promise<Engine> {
  ctx.progress({ kind: 'step', step: 'engine', message: 'Resolving Docker engine' });
  const endpoint = resolveEngine({ ...(ctx.host ? { explicit: ctx.host } : {}), env: ctx.env, homeDir: ctx.homeDir });
  return connectEngine(endpoint, ctx.signal, {
    env: ctx.env,
    homeDir: ctx.homeDir,
    ...(ctx.confirmHostKey ? { confirmHostKey: ctx.confirmHostKey } : {}),
    warn: (message) => ctx.progress({ kind: 'warning', message }),
    onStep: (message) => ctx.progress({ kind: 'step', step: 'engine', message }),
  });
}

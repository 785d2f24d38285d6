import { GpuEnvError } from '../errors';
import { jumpHostsFor } from '../remote/jump-hosts';
import { renderHostBlock, renderJumpBlock } from '../ssh/openssh-config';
import type { CoreContext } from './context';
import { openEngine } from './engine';
import { environmentInfoOn, inspectEnvironment } from './environment-info';

/**
 * The OpenSSH config for environment NAME, usable on its own with `ssh -F`: for an environment on a
 * remote host, the host's block (and its ProxyJump hops) comes first, then the environment's.
 */
export async function environmentSshConfig(name: string, ctx: CoreContext): Promise<string> {
  const engine = await openEngine(ctx);
  const inspect = await inspectEnvironment(engine.docker, name, ctx.signal);
  if (!inspect) throw new GpuEnvError(`no environment named "${name}" on ${engine.endpoint.url}; list them with \`gpu-env ls\``);
  const info = environmentInfoOn(engine, inspect);
  if (info.ssh.port === null) throw new GpuEnvError(`environment "${name}" is ${info.state}: its SSH port is chosen when it starts; run \`gpu-env up --name ${name}\` first`);
  const jumps = engine.remote ? jumpHostsFor(engine.remote.chain, ctx.homeDir).map(renderJumpBlock) : [];
  const block = renderHostBlock(ctx.stateDir, name, { host: info.ssh.host, port: info.ssh.port, user: info.ssh.user, ...(info.ssh.jump ? { jump: info.ssh.jump } : {}) });
  return [...jumps, block].join('\n');
}

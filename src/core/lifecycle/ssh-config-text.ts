import { GpuEnvError } from '../errors';
import { jumpHostsFor } from '../remote/jump-hosts';
import { renderHostBlock, renderJumpBlock, writeHostBlock } from '../ssh/openssh-config';
import type { CoreContext } from './context';
import { openEngine } from './engine';
import { environmentInfoOn, inspectEnvironment } from './environment-info';

/**
 * The OpenSSH config for environment NAME, usable on its own with `ssh -F`: for an environment on a
 * remote host, the host's block (and its ProxyJump hops) comes first, then the environment's. The
 * environment's block in gpu-env's own ssh_config is rewritten to match.
 */
export async function environmentSshConfig(name: string, ctx: CoreContext): Promise<string> {
  const engine = await openEngine(ctx);
  const inspect = await inspectEnvironment(engine.docker, name, ctx.signal);
  if (!inspect) throw new GpuEnvError(`no environment named "${name}" on ${engine.endpoint.url}; list them with \`gpu-env ls\``);
  const info = environmentInfoOn(engine, inspect);
  if (info.ssh.port === null) throw new GpuEnvError(`environment "${name}" is ${info.state}: its SSH port is chosen when it starts; run \`gpu-env up --name ${name}\` first`);
  const hosts = engine.remote ? jumpHostsFor(engine.remote.chain, ctx.homeDir) : [];
  const endpoint = { host: info.ssh.host, port: info.ssh.port, user: info.ssh.user, ...(info.ssh.jump ? { jump: info.ssh.jump } : {}) };
  // The file Remote-SSH reads is kept in step: the port changes with every start.
  writeHostBlock(ctx.stateDir, name, endpoint, hosts);
  return [...hosts.map(renderJumpBlock), renderHostBlock(ctx.stateDir, name, endpoint)].join('\n');
}

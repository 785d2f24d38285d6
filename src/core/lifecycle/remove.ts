import { existsSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { GpuEnvError } from '../errors';
import { removeHostBlock } from '../ssh/openssh-config';
import { environmentPaths } from '../state/paths';
import { withDeadline } from '../util/abort';
import { trustedWorkspace } from '../container/trusted-labels';
import { validateName } from '../validate';
import type { CoreContext } from './context';
import { openEngine } from './engine';
import { inspectEnvironment } from './environment-info';
import { removeRemoteRunFiles } from '../remote/remote-workspace';

export interface RemoveResult {
  readonly removedContainer: boolean;
  readonly purged: readonly string[];
}

/**
 * Removes the container. Keys and run files stay (a later `up` reuses them) unless `purge`, which
 * also deletes the keys, the SSH config block and the workspace's `.gpu-env` run folder. The user's
 * own workspace files are never touched.
 */
export async function remove(name: string, options: { purge: boolean }, ctx: CoreContext): Promise<RemoveResult> {
  // The extension passes names it read from labels: checked like the CLI's NAME before any path is made of it.
  validateName('environment name', name);
  const engine = await openEngine(ctx);
  const inspect = await inspectEnvironment(engine.docker, name, ctx.signal);
  const keysDir = environmentPaths(ctx.stateDir, name).dir;
  if (!inspect && !(options.purge && existsSync(keysDir))) {
    throw new GpuEnvError(`no environment named "${name}" on ${engine.endpoint.url}; list them with \`gpu-env ls\``);
  }
  if (inspect) {
    ctx.progress({ kind: 'step', step: 'remove', message: `Removing ${inspect.Name.slice(1)}` });
    await withDeadline('container remove', 60_000, ctx.signal, (s) => engine.docker.getContainer(inspect.Id).remove({ force: true, v: true, abortSignal: s }));
  }
  const purged: string[] = [];
  if (options.purge) {
    removeHostBlock(ctx.stateDir, name);
    if (existsSync(keysDir)) {
      rmSync(keysDir, { recursive: true, force: true });
      purged.push(keysDir);
    }
    // Only the folder the container really mounts, named by an absolute normalised label, is purged.
    const workspace = inspect ? trustedWorkspace(inspect) : undefined;
    const runs = workspace ? join(workspace, '.gpu-env') : undefined;
    if (engine.remote) {
      // The workspace is a folder on the remote host: its run files are removed there.
      if (workspace && (await removeRemoteRunFiles(engine.remote.connection, workspace, ctx.signal))) purged.push(`${engine.remote.label}:${runs!}`);
    } else if (runs && existsSync(runs)) {
      rmSync(runs, { recursive: true, force: true });
      purged.push(runs);
    }
  }
  return { removedContainer: inspect !== undefined, purged };
}

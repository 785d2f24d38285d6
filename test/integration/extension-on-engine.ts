/**
 * The built extension (dist/extension.js) activated against the `vscode` stand-in, set up for the
 * harness engine (or another): a user's workspace, its own state folder and HOME, the engine, base image and
 * environment name as settings. `close` disposes it, forgets the bundle (a later file must load it
 * against its own instance of the mock), removes the environment's container and the folders, and
 * puts the environment variables back.
 */
import type Docker from 'dockerode';
import { join } from 'node:path';
import { BASE_IMAGE, DOCKER_HOST, docker, removeDir, tempDir, userWorkspace } from './harness-env';
import { BUNDLE, requireBundle, ROOT } from '../support/extension-bundle';
import { extensionContext, installVsCodeMock, state, type ExtensionModule, type TreeProviderLike } from '../support/vscode-module-mock';

export { BUNDLE };

export interface ExtensionOnEngine {
  readonly workspace: string;
  readonly stateDir: string;
  readonly home: string;
  readonly context: ReturnType<typeof extensionContext>;
  close(): Promise<void>;
}

/** An engine the extension is pointed at: the harness engine unless told otherwise. */
export interface TestEngine {
  readonly host: string;
  readonly docker: () => Docker;
}

export function activateExtensionOnEngine(name: string, prefix: string, engine: TestEngine = { host: DOCKER_HOST, docker }): ExtensionOnEngine {
  const saved = { HOME: process.env.HOME, DOCKER_HOST: process.env.DOCKER_HOST, GPU_ENV_STATE_DIR: process.env.GPU_ENV_STATE_DIR };
  const workspace = userWorkspace(`${prefix}-ws`);
  const stateDir = tempDir(`${prefix}-state`);
  const home = tempDir(`${prefix}-home`);
  Object.assign(process.env, { HOME: home, DOCKER_HOST: engine.host, GPU_ENV_STATE_DIR: stateDir });
  state.settings = { 'gpuEnv.engineHost': engine.host, 'gpuEnv.baseImage': BASE_IMAGE, 'gpuEnv.environmentName': name };
  state.folders = [workspace];
  installVsCodeMock();
  const context = extensionContext(join(home, 'global-storage'), ROOT);
  requireBundle<ExtensionModule>().activate(context);
  return {
    workspace,
    stateDir,
    home,
    context,
    close: async () => {
      for (const subscription of context.subscriptions) subscription.dispose();
      delete require.cache[require.resolve(BUNDLE)];
      await engine.docker().getContainer(`gpu-env-${name}`).remove({ force: true }).catch(() => undefined);
      for (const [key, value] of Object.entries(saved)) {
        if (value === undefined) delete process.env[key];
        else process.env[key] = value;
      }
      for (const dir of [workspace, stateDir, home]) removeDir(dir);
    },
  };
}

export type RunRowItem = ReturnType<TreeProviderLike['getTreeItem']>;

/** The run rows under the environment's row in the Runs view, as VS Code would ask for them. */
export async function runRows(tree: TreeProviderLike, name: string): Promise<Array<{ node: unknown; item: RunRowItem }>> {
  const environments = await tree.getChildren();
  const rows: Array<{ node: unknown; item: RunRowItem }> = [];
  for (const environment of environments) {
    if (tree.getTreeItem(environment).label !== name) continue;
    for (const node of await (tree as unknown as { getChildren(e: unknown): Promise<unknown[]> }).getChildren(environment)) {
      const item = tree.getTreeItem(node) as RunRowItem;
      if (item.contextValue?.startsWith('run.')) rows.push({ node, item });
    }
  }
  return rows;
}

import type Docker from 'dockerode';
import { pack } from 'tar-fs';
import { GpuEnvError, messageOf } from '../errors';
import type { ProgressSink } from '../progress';
import { buildArgsFor, type BuildSettings } from './build-args';
import { followEngineStream } from './engine-stream';
import { inspectImage, pullImage, type PullOptions } from './pull';
import { classifyEngineFailure, engineMessage, noSpaceMessage } from './pull-failure';
import type { Recipe } from './recipe';

export const RECIPE_LABEL = 'dev.gpu-env.recipe';
/** The ID of the base the image was built on, so that a refreshed base (`--pull`) rebuilds it. */
export const BASE_ID_LABEL = 'dev.gpu-env.base-image-id';
/** install.sh marks what `up` should show as a warning with this prefix. */
const RECIPE_WARNING = /^gpu-env warning: (.+)$/;
// eslint-disable-next-line no-control-regex -- the escape character is what is matched
const ANSI_COLOUR = /\x1b\[[0-9;]*m/g;

export interface ImageOptions {
  /** Pull the base (or ready image) even when the engine has it (`--pull`). */
  readonly pull: boolean;
  readonly pullOptions: PullOptions;
}

export interface ImageResult {
  readonly image: string;
  /** What the recipe build reported as warnings (e.g. no Jupyter); empty when nothing was built. */
  readonly warnings: readonly string[];
}

/**
 * Makes sure the recipe's image exists: reuses it when the tag is there (with `pull`: only if it was
 * built on the base the registry has now), else pulls a missing base and builds.
 */
export async function ensureRecipeImage(
  docker: Docker,
  recipe: Recipe,
  settings: BuildSettings & { readonly proxySource?: string },
  options: ImageOptions,
  progress: ProgressSink,
  signal?: AbortSignal,
): Promise<ImageResult> {
  const built = await inspectImage(docker, recipe.tag, signal);
  if (built && !options.pull) {
    progress({ kind: 'step', step: 'build', message: `Image ${recipe.tag} is up to date` });
    return { image: recipe.tag, warnings: [] };
  }
  let base = options.pull ? undefined : await inspectImage(docker, recipe.baseImage, signal);
  if (!base) {
    await pullImage(docker, recipe.baseImage, progress, signal, options.pullOptions);
    base = await inspectImage(docker, recipe.baseImage, signal);
    if (!base) throw new GpuEnvError(`the pull of ${recipe.baseImage} ended, but the engine does not have the image`);
  }
  if (built && built.Config?.Labels?.[BASE_ID_LABEL] === base.Id) {
    progress({ kind: 'step', step: 'build', message: `Image ${recipe.tag} is up to date (built on the current ${recipe.baseImage})` });
    return { image: recipe.tag, warnings: [] };
  }
  progress({ kind: 'step', step: 'build', message: `Building ${recipe.tag} from ${recipe.baseImage}` });
  for (const line of describeSettings(settings)) progress({ kind: 'log', step: 'build', line });
  let stream: NodeJS.ReadableStream;
  try {
    stream = (await docker.buildImage(pack(recipe.dir) as unknown as NodeJS.ReadableStream, {
      t: recipe.tag,
      buildargs: { ...buildArgsFor(settings), BASE_IMAGE: recipe.baseImage },
      labels: { [RECIPE_LABEL]: recipe.hash, [BASE_ID_LABEL]: base.Id },
      rm: true,
      forcerm: true,
      abortSignal: signal,
    })) as NodeJS.ReadableStream;
  } catch (error) {
    throw buildFailure(recipe, engineMessage(error), options.pullOptions.dataRoot, error);
  }
  const warnings: string[] = [];
  try {
    await followEngineStream(stream, `build of ${recipe.tag}`, (message) => {
      // The classic builder colours a step's stderr (ESC[91m … ESC[0m).
      for (const text of (message.stream ?? '').replace(ANSI_COLOUR, '').split('\n')) {
        const line = text.trimEnd();
        if (line === '') continue;
        progress({ kind: 'log', step: 'build', line });
        const warning = RECIPE_WARNING.exec(line)?.[1];
        if (warning !== undefined && !warnings.includes(warning)) {
          warnings.push(warning);
          progress({ kind: 'warning', message: warning });
        }
      }
    });
  } catch (error) {
    if (signal?.aborted) throw error;
    throw buildFailure(recipe, messageOf(error).replace(/^build of \S+ failed: /, ''), options.pullOptions.dataRoot, error);
  }
  return { image: recipe.tag, warnings };
}

/** A ready image given with --image: used as it is, pulled when missing (or always, with `pull`). */
export async function ensureReadyImage(docker: Docker, ref: string, options: ImageOptions, progress: ProgressSink, signal?: AbortSignal): Promise<ImageResult> {
  if (options.pull || !(await inspectImage(docker, ref, signal))) await pullImage(docker, ref, progress, signal, options.pullOptions);
  return { image: ref, warnings: [] };
}

/** For --verbose: where the build's packages come from. Proxy URLs are not shown (they may hold a password). */
function describeSettings(settings: BuildSettings & { readonly proxySource?: string }): string[] {
  return [
    ...(settings.proxySource ? [`build proxies from ${settings.proxySource}`] : []),
    ...(settings.aptMirror ? [`apt mirror for the install step: ${settings.aptMirror}`] : []),
    ...(settings.pipIndexUrl ? [`pip index for JupyterLab: ${settings.pipIndexUrl}`] : []),
  ];
}

function buildFailure(recipe: Recipe, engineSaid: string, dataRoot: string | undefined, cause: unknown): GpuEnvError {
  const what = `build of ${recipe.tag}`;
  if (classifyEngineFailure(engineSaid) === 'no-space') return new GpuEnvError(noSpaceMessage(what, engineSaid, dataRoot), 'failure', { cause });
  return new GpuEnvError(`${what} failed: ${engineSaid.trim()}`, 'failure', { cause });
}

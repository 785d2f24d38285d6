import type Docker from 'dockerode';
import { pack } from 'tar-fs';
import { GpuEnvError, messageOf } from '../errors';
import type { ProgressSink } from '../progress';
import { followEngineStream } from './engine-stream';
import { imageExists, pullImage } from './pull';
import type { Recipe } from './recipe';

export const RECIPE_LABEL = 'dev.gpu-env.recipe';

/**
 * Makes sure the recipe's image exists: reuses it when the tag is there, else pulls a missing base
 * and builds. Returns the image reference to run.
 */
export async function ensureRecipeImage(docker: Docker, recipe: Recipe, progress: ProgressSink, signal?: AbortSignal): Promise<string> {
  if (await imageExists(docker, recipe.tag, signal)) {
    progress({ kind: 'step', step: 'build', message: `Image ${recipe.tag} is up to date` });
    return recipe.tag;
  }
  if (!(await imageExists(docker, recipe.baseImage, signal))) await pullImage(docker, recipe.baseImage, progress, signal);
  progress({ kind: 'step', step: 'build', message: `Building ${recipe.tag} from ${recipe.baseImage}` });
  let stream: NodeJS.ReadableStream;
  try {
    stream = (await docker.buildImage(pack(recipe.dir) as unknown as NodeJS.ReadableStream, {
      t: recipe.tag,
      buildargs: { BASE_IMAGE: recipe.baseImage },
      labels: { [RECIPE_LABEL]: recipe.hash },
      rm: true,
      forcerm: true,
      abortSignal: signal,
    })) as NodeJS.ReadableStream;
  } catch (error) {
    throw new GpuEnvError(`cannot build ${recipe.tag}: ${messageOf(error)}`, 'failure', { cause: error });
  }
  await followEngineStream(stream, `build of ${recipe.tag}`, (message) => {
    const text = message.stream?.trimEnd();
    if (text) progress({ kind: 'log', step: 'build', line: text });
  });
  return recipe.tag;
}

/** A ready image given with --image: used as it is, pulled when missing. */
export async function ensureReadyImage(docker: Docker, ref: string, progress: ProgressSink, signal?: AbortSignal): Promise<string> {
  if (!(await imageExists(docker, ref, signal))) await pullImage(docker, ref, progress, signal);
  return ref;
}

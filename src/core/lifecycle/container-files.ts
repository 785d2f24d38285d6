import type Docker from 'dockerode';
import { pack } from 'tar-stream';
import { statusCode } from '../image/pull';

export interface ContainerFile {
  readonly name: string;
  readonly content: string | Buffer;
  readonly mode: number;
  /** Owner group inside the container (default root's). */
  readonly gid?: number;
}

/**
 * Copies files into a created (not yet started) container. Keys travel this way, never as
 * environment variables or labels, so `docker inspect` shows no secret.
 */
export async function putFiles(container: Docker.Container, directory: string, files: readonly ContainerFile[], signal?: AbortSignal): Promise<void> {
  const archive = pack();
  const base = directory.replace(/^\/+/, '').replace(/\/+$/, '');
  const paths = files.map((file) => [base, file.name].filter((part) => part !== '').join('/'));
  // Every folder on the way (root's, 0755), once, parents first; names may hold sub-folders.
  const folders = new Set<string>();
  for (const path of paths) {
    const parts = path.split('/').slice(0, -1);
    for (let i = 1; i <= parts.length; i++) folders.add(parts.slice(0, i).join('/'));
  }
  for (const folder of [...folders].sort()) archive.entry({ name: `${folder}/`, type: 'directory', mode: 0o755, uid: 0, gid: 0 });
  files.forEach((file, i) => archive.entry({ name: paths[i]!, mode: file.mode, uid: 0, gid: file.gid ?? 0 }, file.content));
  archive.finalize();
  await container.putArchive(archive as unknown as NodeJS.ReadableStream, { path: '/', abortSignal: signal });
}

/** Whether a path exists in a container's file system (works before the container starts). */
export async function containerHasPath(container: Docker.Container, path: string, signal?: AbortSignal): Promise<boolean> {
  try {
    await container.infoArchive({ path, abortSignal: signal });
    return true;
  } catch (error) {
    if (statusCode(error) === 404) return false;
    throw error;
  }
}

import type Docker from 'dockerode';
import { pack } from 'tar-stream';
import { statusCode } from '../image/pull';

export interface ContainerFile {
  readonly name: string;
  readonly content: string;
  readonly mode: number;
}

/**
 * Copies files into a created (not yet started) container. Keys travel this way, never as
 * environment variables or labels, so `docker inspect` shows no secret.
 */
export async function putFiles(container: Docker.Container, directory: string, files: readonly ContainerFile[], signal?: AbortSignal): Promise<void> {
  const archive = pack();
  const dirName = directory.replace(/^\/+/, '').replace(/\/+$/, '');
  const parts = dirName.split('/');
  for (let i = 1; i <= parts.length; i++) {
    archive.entry({ name: `${parts.slice(0, i).join('/')}/`, type: 'directory', mode: 0o755, uid: 0, gid: 0 });
  }
  for (const file of files) {
    archive.entry({ name: `${dirName}/${file.name}`, mode: file.mode, uid: 0, gid: 0 }, file.content);
  }
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

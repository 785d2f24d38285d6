import type Docker from 'dockerode';

/**
 * dockerode passes `abortSignal` through to every request, but its type definitions omit it on a
 * few calls. These views add it, so the calls stay typed without casts at each call site.
 */
interface WithAbort {
  readonly abortSignal?: AbortSignal;
}

interface AbortableDocker {
  ping(options: WithAbort): Promise<unknown>;
  info(options: WithAbort): Promise<unknown>;
  getEvents(options: Docker.GetEventsOptions & WithAbort): Promise<NodeJS.ReadableStream>;
}

interface AbortableImage {
  inspect(options: WithAbort): Promise<Docker.ImageInspectInfo>;
}

export function abortableDocker(docker: Docker): AbortableDocker {
  return docker as unknown as AbortableDocker;
}

export function abortableImage(image: Docker.Image): AbortableImage {
  return image as unknown as AbortableImage;
}

/**
 * What went wrong in a pull or build, from the engine's words: a registry refusing credentials, an
 * image that is not there, a full disk, or a network hiccup worth another try.
 */
export type EngineFailureKind = 'auth' | 'not-found' | 'no-space' | 'transient' | 'other';

// Docker Hub answers "pull access denied …, repository does not exist or may require 'docker login'"
// for both a private and a missing repository, so the refusal is tested first.
const AUTH = /unauthorized|authentication required|no basic auth credentials|access denied|denied: |incorrect username or password|insufficient_scope|requested access to the resource is denied/i;
const NO_SPACE = /no space left on device/i;
const NOT_FOUND = /manifest unknown|manifest for .* not found|not found: manifest|name unknown|repository does not exist|no such image|: not found$/i;
// Connections that dropped or never opened, and registries that said "try later".
const TRANSIENT =
  /connection reset|connection refused|unexpected EOF|\bEOF\b|i\/o timeout|timeout|TLS handshake|broken pipe|no route to host|network is unreachable|temporary failure in name resolution|server misbehaving|context deadline exceeded|request canceled|stream error|\b50[234]\b|service unavailable|bad gateway|gateway time-?out|too many requests|\b429\b/i;

export function classifyEngineFailure(text: string, statusCode?: number): EngineFailureKind {
  if (statusCode === 401 || AUTH.test(text)) return 'auth';
  if (NO_SPACE.test(text)) return 'no-space';
  if (statusCode === 404 || NOT_FOUND.test(text)) return 'not-found';
  if (TRANSIENT.test(text)) return 'transient';
  return 'other';
}

/** The engine's own words from a docker-modem error: its JSON `message`, without "(HTTP code 500) server error - ". */
export function engineMessage(error: unknown): string {
  const json = (error as { json?: unknown }).json;
  if (typeof json === 'object' && json !== null && typeof (json as { message?: unknown }).message === 'string') {
    return ((json as { message: string }).message).trim();
  }
  const message = error instanceof Error ? error.message : String(error);
  return message.replace(/^\(HTTP code \d+\)\s*[^-]*-\s*/, '').trim();
}

/** The message for a full disk, naming where the engine keeps its data. */
export function noSpaceMessage(what: string, engineSaid: string, dataRoot: string | undefined): string {
  const where = dataRoot ? `the engine's data root ${dataRoot}` : "the engine's data root (see `docker info`, Docker Root Dir)";
  return `${what} failed: no space left on device in ${where}. Free space there (\`docker system df\` shows what uses it; \`docker system prune\` removes stopped containers, unused images and build cache), or move the engine's data root to a larger disk, then try again. (The engine said: ${engineSaid})`;
}

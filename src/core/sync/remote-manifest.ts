import { GpuEnvError } from '../errors';
import { shellQuote } from '../runs/shell';
import type { WorkspaceAccess } from '../targets/workspace-access';
import { withDeadline } from '../util/abort';
import { ALWAYS_EXCLUDED } from './local-files';

/** Size and whole-second mtime of each regular file in the remote workspace, by relative path. */
export type RemoteManifest = ReadonlyMap<string, { readonly size: number; readonly mtime: number }>;

export const MANIFEST_TIMEOUT_MS = 120_000;

/** GNU find, NUL-separated so that any file name survives; gpu-env's own folders are left out. */
export function manifestCommand(workspace: string): string {
  const prune = ALWAYS_EXCLUDED.map((name) => `-path ./${name}`).join(' -o ');
  return `mkdir -p -- ${shellQuote(workspace)} && cd -- ${shellQuote(workspace)} && find . \\( ${prune} \\) -prune -o -type f -printf '%s %T@ %P\\0'`;
}

export function parseManifest(output: string): Map<string, { size: number; mtime: number }> {
  const manifest = new Map<string, { size: number; mtime: number }>();
  for (const record of output.split('\0')) {
    const match = /^(\d+) (\d+)(?:\.\d+)? (.+)$/s.exec(record);
    if (match) manifest.set(match[3]!, { size: Number(match[1]), mtime: Number(match[2]) });
  }
  return manifest;
}

export async function readRemoteManifest(access: WorkspaceAccess, signal?: AbortSignal): Promise<RemoteManifest> {
  const result = await withDeadline(`listing ${access.path} on ${access.where}`, MANIFEST_TIMEOUT_MS, signal, (s) => access.exec(manifestCommand(access.path), { signal: s }));
  if (result.code !== 0) throw new GpuEnvError(`cannot list ${access.path} on ${access.where} (exit ${String(result.code)}): ${result.stderr.trim()}`);
  return parseManifest(result.stdout);
}

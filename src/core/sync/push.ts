import { createReadStream } from 'node:fs';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { pack } from 'tar-stream';
import { GpuEnvError, messageOf } from '../errors';
import { shellQuote } from '../runs/shell';
import type { WorkspaceAccess } from '../targets/workspace-access';
import { withDeadline } from '../util/abort';
import { listLocalFiles, type LocalFile } from './local-files';
import { readRemoteManifest, type RemoteManifest } from './remote-manifest';

/** What one `sync` did. */
export interface SyncReport {
  /** Files sent (new or changed). */
  readonly files: number;
  readonly bytes: number;
  /** Files already there with the same size and modification time. */
  readonly unchanged: number;
  /** Paths left out by .gitignore. */
  readonly ignored: number;
  /** Links and special files, not copied. */
  readonly skipped: number;
  readonly durationMs: number;
  /** `me@login:/home/me/gpu-env/exp`. */
  readonly destination: string;
}

export const SEND_TIMEOUT_MS = 60 * 60_000;

/** Which local files the remote side lacks or has in another version (size or whole-second mtime differ). */
export function changedFiles(local: readonly LocalFile[], remote: RemoteManifest): LocalFile[] {
  return local.filter((file) => {
    const there = remote.get(file.path);
    return !there || there.size !== file.size || there.mtime !== file.mtime;
  });
}

/**
 * Copies the local workspace to the environment's workspace: lists both sides, then sends only new
 * and changed files as one tar stream into `tar -x` there, keeping modification times so the next
 * sync sees them as unchanged. Nothing is deleted on the other side.
 */
export async function pushWorkspace(localRoot: string, access: WorkspaceAccess, signal?: AbortSignal): Promise<SyncReport> {
  const started = Date.now();
  const listing = listLocalFiles(localRoot);
  const remote = await readRemoteManifest(access, signal);
  const send = changedFiles(listing.files, remote);
  const bytes = send.reduce((sum, file) => sum + file.size, 0);
  if (send.length > 0) await sendFiles(localRoot, send, access, signal);
  return {
    files: send.length,
    bytes,
    unchanged: listing.files.length - send.length,
    ignored: listing.ignored,
    skipped: listing.skipped,
    durationMs: Date.now() - started,
    destination: `${access.where}:${access.path}`,
  };
}

async function sendFiles(localRoot: string, files: readonly LocalFile[], access: WorkspaceAccess, signal?: AbortSignal): Promise<void> {
  await withDeadline(`copying ${files.length} files to ${access.where}`, SEND_TIMEOUT_MS, signal, async (s) => {
    const remote = await access.spawn(`mkdir -p -- ${shellQuote(access.path)} && tar -x -f - --no-same-owner -C ${shellQuote(access.path)}`, s);
    const stderr: Buffer[] = [];
    remote.stderr.on('data', (chunk: Buffer) => stderr.push(chunk));
    remote.stdout.resume();
    const archive = pack();
    const feeding = (async () => {
      for (const file of files) {
        const entry = archive.entry({ name: file.path, size: file.size, mode: file.mode, mtime: new Date(file.mtime * 1000), type: 'file' });
        await pipeline(createReadStream(join(localRoot, file.path)), entry);
      }
      archive.finalize();
    })();
    try {
      await Promise.all([feeding, pipeline(archive, remote.stdin)]);
    } catch (error) {
      remote.close();
      throw new GpuEnvError(`copying to ${access.where} failed: ${messageOf(error)}`, 'failure', { cause: error });
    }
    const exit = await remote.exit;
    if (exit.code !== 0) throw new GpuEnvError(`tar on ${access.where} failed (exit ${String(exit.code)}): ${Buffer.concat(stderr).toString().trim()}`);
  });
}

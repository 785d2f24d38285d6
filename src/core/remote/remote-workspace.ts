import { GpuEnvError, usageError } from '../errors';
import { withDeadline } from '../util/abort';
import type { HostConnection } from './host-connection';

/** A folder on the remote host, as the engine there will bind-mount it. */
export interface RemoteFolder {
  readonly path: string;
  readonly uid: number;
  readonly gid: number;
}

export const REMOTE_WORKSPACE_TIMEOUT_MS = 30_000;

/** Where an environment's files live on a remote host unless the user says otherwise. */
export function defaultRemoteWorkspace(name: string): string {
  return `~/gpu-env/${name}`;
}

/** An absolute path, `~` or `~/…` (the remote user's home); one line, no NUL. */
export function validateRemoteWorkspace(field: string, value: string): string {
  const path = value.trim();
  const shapeOk = path === '~' || path.startsWith('~/') || path.startsWith('/');
  if (!shapeOk || /[\0\r\n]/.test(path) || path.length > 4096) {
    throw usageError(`${field}: "${value}" is not a folder on the remote host; use an absolute path such as /data/me/project, or ~/project for one in the remote user's home`);
  }
  return path;
}

/**
 * Creates the folder over the host's SSH connection (mkdir -p) and reads its real path and owner;
 * the container user gets that owner's UID/GID so files written in the container belong to them.
 */
export async function ensureRemoteWorkspace(connection: HostConnection, path: string, signal?: AbortSignal): Promise<RemoteFolder> {
  // The script goes on stdin to `sh -s`, so the remote login shell (bash, zsh, fish…) does not matter.
  const script = ['set -e', `dir=${shellPath(path)}`, 'mkdir -p -- "$dir"', 'cd -- "$dir"', 'pwd -P', "stat -c '%u %g' ."].join('\n');
  const result = await withDeadline(`creating ${path} on ${connection.label}`, REMOTE_WORKSPACE_TIMEOUT_MS, signal, (s) => connection.exec('sh -s', { stdin: `${script}\n`, signal: s }));
  const [realPath, owner] = result.stdout.trim().split('\n');
  const [uid, gid] = (owner ?? '').split(' ').map(Number);
  if (result.code !== 0 || !realPath || !Number.isInteger(uid) || !Number.isInteger(gid)) {
    throw new GpuEnvError(`cannot create the workspace ${path} on ${connection.label}: ${result.stderr.trim() || `exit ${String(result.code)}`}`);
  }
  return { path: realPath, uid: uid!, gid: gid! };
}

/** Deletes `<workspace>/.gpu-env` (run files) on the remote host; the user's own files stay. */
export async function removeRemoteRunFiles(connection: HostConnection, workspace: string, signal?: AbortSignal): Promise<boolean> {
  const script = ['set -e', `dir=${shellPath(workspace)}/.gpu-env`, 'if [ -e "$dir" ]; then rm -rf -- "$dir"; echo removed; fi'].join('\n');
  const result = await withDeadline(`removing run files on ${connection.label}`, REMOTE_WORKSPACE_TIMEOUT_MS, signal, (s) => connection.exec('sh -s', { stdin: `${script}\n`, signal: s }));
  if (result.code !== 0) throw new GpuEnvError(`cannot remove ${workspace}/.gpu-env on ${connection.label}: ${result.stderr.trim()}`);
  return result.stdout.includes('removed');
}

/** A path for `sh`: `~` becomes "$HOME", everything else is single-quoted. */
export function shellPath(path: string): string {
  if (path === '~') return '"$HOME"';
  if (path.startsWith('~/')) return `"$HOME"/${singleQuote(path.slice(2))}`;
  return singleQuote(path);
}

function singleQuote(text: string): string {
  return `'${text.replace(/'/g, `'\\''`)}'`;
}

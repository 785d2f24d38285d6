import { isAbsolute, relative, sep } from 'node:path';
import { usageError } from '../../shared/errors';
import type { Translate } from '../l10n';

export const CONTAINER_WORKSPACE = '/workspace';

/** A file URI handed over by the CodeLens or the editor title button (a `vscode.Uri`, checked by shape). */
export function fileArgument(arg: unknown): string | undefined {
  if (typeof arg !== 'object' || arg === null) return undefined;
  const uri = arg as { scheme?: unknown; fsPath?: unknown };
  return uri.scheme === 'file' && typeof uri.fsPath === 'string' && uri.fsPath !== '' ? uri.fsPath : undefined;
}

/**
 * Where a local file is inside the environment: the environment mounts `workspace` at /workspace,
 * so only files under it can run there.
 */
export function containerPathOf(localFile: string, workspace: string, environment: string, t: Translate): string {
  const inside = relative(workspace, localFile);
  if (inside === '' || inside.startsWith('..') || isAbsolute(inside)) {
    throw usageError(t('{0} is not inside {1}, the folder that GPU environment "{2}" mounts at /workspace.', localFile, workspace, environment));
  }
  if (!inside.endsWith('.py')) throw usageError(t('{0} is not a Python file.', localFile));
  return `${CONTAINER_WORKSPACE}/${inside.split(sep).join('/')}`;
}

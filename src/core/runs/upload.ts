/**
 * Copying the shipped runner and templates into the environment. The caller reads the files from
 * the package (the extension and CLI know where it is); this module only needs their contents.
 *
 * The runner is ours and always replaced, so every client talks to the same version. Templates
 * are the user's once copied: edits always survive. A manifest beside them records what we wrote,
 * so an unedited copy of an older version is brought up to date (all files or none: the modules
 * import each other, and a new train_cnn.py next to an edited old cnn_models.py could break).
 */
import { createHash } from 'node:crypto';
import type { SshSession } from '../ssh/session';
import { shellQuote } from './shell';

export interface ShippedFile {
  /** Path relative to the destination folder, e.g. "train_cnn.py". */
  readonly name: string;
  readonly content: string | Buffer;
}

export interface UploadReport {
  /** Files that were missing and are now written. */
  readonly written: readonly string[];
  /** Files left as they were (already current, or the user's). */
  readonly kept: readonly string[];
  /** Unedited copies of an older version, replaced by this version's. */
  readonly updated: readonly string[];
  /** Files that differ from this version's and were not replaced: edited, or copied before the manifest existed. */
  readonly outdated: readonly string[];
}

/** Beside the templates: name → sha256 of the content gpu-env wrote there. */
export const TEMPLATES_MANIFEST = '.gpu-env-templates.json';

const RELATIVE = /^[A-Za-z0-9_][A-Za-z0-9_.-]*(\/[A-Za-z0-9_][A-Za-z0-9_.-]*)*$/;

export function checkShippedName(name: string): void {
  if (!RELATIVE.test(name) || name.split('/').some((part) => part === '..' || part === '.')) {
    throw new RangeError(`shipped file name "${name}" must be a relative path of letters, digits, '_', '.', '-' (no "..")`);
  }
}

/** Writes to a temp file beside the target and renames it, so a dropped connection leaves no half file. */
export function writeFileCommand(path: string, mode: '644' | '755'): string {
  const dir = path.slice(0, path.lastIndexOf('/')) || '/';
  const target = shellQuote(path);
  const temp = shellQuote(`${path}.upload-tmp`);
  return `mkdir -p ${shellQuote(dir)} && cat > ${temp} && chmod ${mode} ${temp} && mv -f ${temp} ${target}`;
}

export async function writeRemoteFile(session: SshSession, path: string, content: string | Buffer, mode: '644' | '755' = '644'): Promise<void> {
  const result = await session.exec(writeFileCommand(path, mode), { stdin: content });
  if (result.code !== 0) throw new Error(`writing ${path} in the environment failed (exit ${result.code ?? result.signal}): ${result.stderr.trim()}`);
}

/** Prints `sha256  path` for each of `paths` that exists. */
export function fileHashesCommand(paths: readonly string[]): string {
  return `for f in ${paths.map(shellQuote).join(' ')}; do [ -f "$f" ] && sha256sum "$f"; done; true`;
}

export function sha256Hex(content: string | Buffer): string {
  return createHash('sha256').update(content).digest('hex');
}

/** The manifest's name → hash map; anything else (missing, hand-edited into nonsense) counts as empty. */
export function parseTemplatesManifest(text: string): Map<string, string> {
  const hashes = new Map<string, string>();
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return hashes;
  }
  const files = typeof parsed === 'object' && parsed !== null ? (parsed as { files?: unknown }).files : undefined;
  if (typeof files !== 'object' || files === null) return hashes;
  for (const [name, hash] of Object.entries(files)) {
    if (typeof hash === 'string' && /^[0-9a-f]{64}$/.test(hash)) hashes.set(name, hash);
  }
  return hashes;
}

export type TemplateAction = 'write' | 'keep' | 'update' | 'outdated';

/**
 * What to do with each shipped file, from what is there now (`current`: name → hash of the file in
 * the environment) and what we wrote last time (`recorded`). Stale files are updated only when
 * every stale file is an unedited copy of what we wrote.
 */
export function planTemplates(shipped: ReadonlyMap<string, string>, current: ReadonlyMap<string, string>, recorded: ReadonlyMap<string, string>): Map<string, TemplateAction> {
  const stale = [...shipped].filter(([name, hash]) => current.has(name) && current.get(name) !== hash).map(([name]) => name);
  const allUnedited = stale.every((name) => recorded.get(name) === current.get(name));
  const plan = new Map<string, TemplateAction>();
  for (const [name, hash] of shipped) {
    if (!current.has(name)) plan.set(name, 'write');
    else if (current.get(name) === hash) plan.set(name, 'keep');
    else plan.set(name, allUnedited ? 'update' : 'outdated');
  }
  return plan;
}

/**
 * Installs the templates under `destDir`: missing files are written, unedited copies of an older
 * version are updated, the user's edits are kept (and reported as outdated); the manifest records
 * the hash of every file that is now ours.
 */
export async function installTemplates(session: SshSession, destDir: string, files: readonly ShippedFile[]): Promise<UploadReport> {
  files.forEach((f) => checkShippedName(f.name));
  const target = (name: string): string => `${destDir}/${name}`;
  const manifestPath = target(TEMPLATES_MANIFEST);
  const hashes = await session.exec(fileHashesCommand(files.map((f) => target(f.name))));
  if (hashes.code !== 0) throw new Error(`checking ${destDir} in the environment failed: ${hashes.stderr.trim()}`);
  const current = new Map<string, string>();
  for (const line of hashes.stdout.split('\n')) {
    const match = /^([0-9a-f]{64}) [ *](.+)$/.exec(line);
    if (match && match[2]!.startsWith(`${destDir}/`)) current.set(match[2]!.slice(destDir.length + 1), match[1]!);
  }
  const manifest = await session.exec(`cat ${shellQuote(manifestPath)} 2>/dev/null; true`);
  const recorded = parseTemplatesManifest(manifest.stdout);
  const shipped = new Map(files.map((f) => [f.name, sha256Hex(f.content)] as const));
  const plan = planTemplates(shipped, current, recorded);
  const report: { written: string[]; kept: string[]; updated: string[]; outdated: string[] } = { written: [], kept: [], updated: [], outdated: [] };
  const next = new Map(recorded);
  for (const file of files) {
    const action = plan.get(file.name)!;
    if (action === 'write' || action === 'update') {
      await writeRemoteFile(session, target(file.name), file.content);
      next.set(file.name, shipped.get(file.name)!);
    } else if (action === 'keep') {
      next.set(file.name, shipped.get(file.name)!); // byte for byte ours, whatever the manifest said
    }
    ({ write: report.written, keep: report.kept, update: report.updated, outdated: report.outdated })[action].push(file.name);
  }
  const changed = next.size !== recorded.size || [...next].some(([name, hash]) => recorded.get(name) !== hash);
  if (changed) {
    const recordedFiles = Object.fromEntries([...next].sort(([a], [b]) => a.localeCompare(b)));
    await writeRemoteFile(session, manifestPath, `${JSON.stringify({ version: 1, files: recordedFiles }, null, 2)}\n`);
  }
  return report;
}

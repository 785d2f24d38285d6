/**
 * Real concurrent processes writing one state folder (two VS Code windows with autoStart, or two
 * terminals running `gpu-env up`): state-writer-child.ts bundled once with esbuild, then run with node.
 */
import { build } from 'esbuild';
import { execFile } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export async function bundleStateWriter(): Promise<string> {
  const outfile = join(mkdtempSync(join(tmpdir(), 'gpu-env-state-writer-')), 'child.cjs');
  await build({ entryPoints: [join(__dirname, 'state-writer-child.ts')], bundle: true, platform: 'node', format: 'cjs', packages: 'external', outfile, logLevel: 'error' });
  return outfile;
}

export interface WriterResult {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Starts one process per name at the same moment (after `leadMs`, so all have loaded) and waits for all. */
export function raceWriters(child: string, op: 'keys' | 'config', stateDir: string, names: readonly string[], leadMs = 400): Promise<WriterResult[]> {
  const startAt = String(Date.now() + leadMs);
  return Promise.all(names.map((name) => new Promise<WriterResult>((resolve) => {
    execFile(process.execPath, [child, op, stateDir, name, startAt], { timeout: 20_000, env: { ...process.env, NODE_PATH: join(__dirname, '..', '..', 'node_modules') } }, (error, stdout, stderr) => {
      resolve({ code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, stdout, stderr });
    });
  })));
}

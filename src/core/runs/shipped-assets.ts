import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { packageRoot } from '../assets';
import type { ShippedFile } from './upload';

export interface ShippedAssets {
  /** Contents of media/runner/gpu_env_run.py. */
  readonly runner: string | Buffer;
  /** The files of templates/ (at least train_cnn.py and the modules it imports). */
  readonly templates: readonly ShippedFile[];
}

/** The runner and the Python templates as shipped in the package (media/runner, templates/). */
export function readShippedAssets(assetsRoot: string): ShippedAssets {
  const templatesDir = join(assetsRoot, 'templates');
  return {
    runner: readFileSync(join(assetsRoot, 'media', 'runner', 'gpu_env_run.py')),
    templates: readdirSync(templatesDir)
      .filter((file) => file.endsWith('.py') || file === 'README.md')
      .sort()
      .map((name) => ({ name, content: readFileSync(join(templatesDir, name)) })),
  };
}

let shipped: { readonly content: Buffer; readonly sha256: string } | undefined;

/** The runner this gpu-env ships, and its SHA-256: the only runner it runs in an environment. */
export function shippedRunner(): { readonly content: Buffer; readonly sha256: string } {
  if (!shipped) {
    const content = readFileSync(join(packageRoot(), 'media', 'runner', 'gpu_env_run.py'));
    shipped = { content, sha256: createHash('sha256').update(content).digest('hex') };
  }
  return shipped;
}

import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ShippedAssets } from './runs-client';

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

import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

/**
 * The package root holding media/ and templates/. Found by walking up from this file, so it works
 * from the bundles in dist/ and from the TypeScript sources under test.
 */
export function packageRoot(start: string = __dirname): string {
  let dir = start;
  for (let depth = 0; depth < 6; depth++) {
    if (existsSync(join(dir, 'media', 'recipe', 'Dockerfile'))) return dir;
    dir = dirname(dir);
  }
  throw new Error(`gpu-env assets not found above ${start}: the package is incomplete (media/recipe/Dockerfile missing)`);
}

export function readAsset(root: string, ...path: string[]): string {
  return readFileSync(join(root, ...path), 'utf8');
}

export function productVersion(root: string): string {
  const manifest = JSON.parse(readAsset(root, 'package.json')) as { version?: unknown };
  return typeof manifest.version === 'string' ? manifest.version : '0.0.0';
}

/** The extension's manifest (package.json) and its two nls files, as the contribution tests read them. */
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

export const ROOT = resolve(__dirname, '../..');

export function readJson(path: string): unknown {
  return JSON.parse(readFileSync(join(ROOT, path), 'utf8')) as unknown;
}

export interface Manifest {
  activationEvents?: string[];
  contributes: {
    commands: Array<{ command: string; title: string; category?: string }>;
    configuration: { properties: Record<string, { markdownDescription?: string; description?: string }> };
    views: Record<string, Array<{ id: string; type?: string }>>;
    viewsContainers: { activitybar: Array<{ id: string; icon: string }> };
    menus: Record<string, Array<{ command: string; when?: string }>>;
    terminal: { profiles: Array<{ id: string }> };
    walkthroughs: Array<{ steps: Array<{ description: string; media: { markdown: string } }> }>;
  };
  capabilities: { untrustedWorkspaces: { supported: string; restrictedConfigurations: string[] } };
  l10n: string;
}

export const manifest = readJson('package.json') as Manifest;

export const nls = readJson('package.nls.json') as Record<string, string>;

export const nlsZh = readJson('package.nls.zh-cn.json') as Record<string, string>;

/** Every string value in the manifest, with where it is. */
export function strings(value: unknown, path = ''): Array<{ path: string; value: string }> {
  if (typeof value === 'string') return [{ path, value }];
  if (Array.isArray(value)) return value.flatMap((v, i) => strings(v, `${path}[${i}]`));
  if (typeof value === 'object' && value !== null) return Object.entries(value).flatMap(([k, v]) => strings(v, path ? `${path}.${k}` : k));
  return [];
}

import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

export const DEFAULT_BASE_IMAGE = 'pytorch/pytorch:2.6.0-cuda12.4-cudnn9-runtime';
export const IMAGE_REPOSITORY = 'gpu-env/pytorch-cuda';

export interface Recipe {
  readonly dir: string;
  readonly baseImage: string;
  /** 8 hex digits of sha256 over the recipe files and build arguments. */
  readonly hash: string;
  readonly tag: string;
}

/** The recipe for a base image: an unchanged recipe and base give the same tag, so nothing rebuilds. */
export function recipeFor(dir: string, baseImage: string): Recipe {
  const hash = recipeHash(dir, baseImage);
  return { dir, baseImage, hash, tag: `${IMAGE_REPOSITORY}:${baseDerivedTag(baseImage)}-${hash}` };
}

export function recipeHash(dir: string, baseImage: string): string {
  const digest = createHash('sha256');
  for (const file of readdirSync(dir).sort()) {
    digest.update(`file ${file}\n`);
    digest.update(readFileSync(join(dir, file)));
  }
  digest.update(`arg BASE_IMAGE=${baseImage}\n`);
  return digest.digest('hex').slice(0, 8);
}

/** `pytorch/pytorch:2.6.0-cuda12.4-cudnn9-runtime` → `pytorch-2.6.0-cuda12.4-cudnn9-runtime`. */
export function baseDerivedTag(baseImage: string): string {
  const [withoutDigest, digest] = baseImage.split('@');
  const lastSlash = withoutDigest!.lastIndexOf('/');
  const nameAndTag = withoutDigest!.slice(lastSlash + 1);
  const colon = nameAndTag.indexOf(':');
  const name = colon >= 0 ? nameAndTag.slice(0, colon) : nameAndTag;
  const tag = colon >= 0 ? nameAndTag.slice(colon + 1) : digest ? `sha-${digest.split(':')[1]?.slice(0, 12)}` : 'latest';
  return `${name}-${tag}`.replace(/[^A-Za-z0-9_.-]/g, '_').slice(0, 110);
}

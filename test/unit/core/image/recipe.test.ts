import { mkdtempSync, readFileSync, writeFileSync, cpSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { baseDerivedTag, recipeFor } from '../../../../src/core/image/recipe';

const recipeDir = resolve(__dirname, '../../../../media/recipe');

describe('recipe', () => {
  it('tags gpu-env/pytorch-cuda:<base-derived-tag>-<8 hex>, stable for an unchanged recipe', () => {
    const a = recipeFor(recipeDir, 'pytorch/pytorch:2.6.0-cuda12.4-cudnn9-runtime');
    expect(a.tag).toMatch(/^gpu-env\/pytorch-cuda:pytorch-2\.6\.0-cuda12\.4-cudnn9-runtime-[0-9a-f]{8}$/);
    expect(recipeFor(recipeDir, 'pytorch/pytorch:2.6.0-cuda12.4-cudnn9-runtime').tag).toBe(a.tag);
    expect(recipeFor(recipeDir, 'pytorch/pytorch:2.6.0-cuda12.6-cudnn9-runtime').hash).not.toBe(a.hash);
  });
  it('changes hash when a recipe file changes', () => {
    const copy = mkdtempSync(join(tmpdir(), 'recipe-'));
    cpSync(recipeDir, copy, { recursive: true });
    const before = recipeFor(copy, 'x:1').hash;
    writeFileSync(join(copy, 'install.sh'), `${readFileSync(join(copy, 'install.sh'), 'utf8')}\n# changed\n`);
    expect(recipeFor(copy, 'x:1').hash).not.toBe(before);
  });
  it('derives readable tags', () => {
    expect(baseDerivedTag('ubuntu')).toBe('ubuntu-latest');
    expect(baseDerivedTag('localhost:5000/team/torch:v1')).toBe('torch-v1');
    expect(baseDerivedTag(`torch@sha256:${'a'.repeat(64)}`)).toBe('torch-sha-aaaaaaaaaaaa');
  });
});

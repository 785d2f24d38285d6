/**
 * Loads the real outputs in test/fixtures/gpu/ together with their `.source` sidecars, which name
 * where each came from and, for header-less CSV, the --query-gpu field list it was produced with.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

export const GPU_FIXTURES = join(__dirname, '..', 'fixtures', 'gpu');

export interface GpuFixture {
  readonly name: string;
  readonly text: string;
  readonly source: string;
  /** From the sidecar's `fields:` line; undefined when the file carries its own header. */
  readonly fields: readonly string[] | undefined;
}

export function loadGpuFixture(name: string): GpuFixture {
  const text = readFileSync(join(GPU_FIXTURES, name), 'utf8');
  const sidecar = readFileSync(join(GPU_FIXTURES, `${name}.source`), 'utf8');
  const source = /^source: (.+)$/m.exec(sidecar)?.[1];
  if (!source) throw new Error(`${name}.source has no source: line`);
  const fieldsLine = /^fields: (.+)$/m.exec(sidecar)?.[1];
  const fields = fieldsLine && !fieldsLine.startsWith('(') ? fieldsLine.split(',') : undefined;
  return { name, text, source, fields };
}

export function gpuFixtureNames(extension: string): string[] {
  return readdirSync(GPU_FIXTURES).filter((f) => f.endsWith(extension)).sort();
}

/** Every non-empty line of every real CSV/text fixture (not the constructed ones). */
export function realSmiLines(): string[] {
  return [...gpuFixtureNames('.csv'), ...gpuFixtureNames('.txt')]
    .flatMap((name) => loadGpuFixture(name).text.split('\n'))
    .filter((line) => line.trim() !== '');
}

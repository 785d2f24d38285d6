/**
 * Defect 3 of issue 16: concurrent writes of the generated ssh_config lost blocks (24 of 30 trials).
 * Real processes each add their environment's block to one real file at the same moment; every
 * block must survive.
 */
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { sshConfigPath } from '../../../../src/core/state/paths';
import { bundleStateWriter, raceWriters } from '../../../support/state-writers';

const TRIALS = 30;
const WRITERS = ['alpha', 'beta', 'gamma'];
let child = '';
const root = mkdtempSync(join(tmpdir(), 'gpu-env-config-race-'));

beforeAll(async () => {
  child = await bundleStateWriter();
});
// The bundled child lives in a temp folder of its own (bundleStateWriter).
afterAll(() => {
  rmSync(root, { recursive: true, force: true });
  if (child) rmSync(dirname(child), { recursive: true, force: true });
});

it(`${WRITERS.length} processes adding their blocks to ssh_config at once lose none (${TRIALS} trials)`, async () => {
  const losses: string[] = [];
  for (let trial = 0; trial < TRIALS; trial++) {
    const stateDir = join(root, `trial-${trial}`);
    const results = await raceWriters(child, 'config', stateDir, WRITERS);
    for (const result of results) expect(result.code, result.stderr).toBe(0);
    const text = readFileSync(sshConfigPath(stateDir), 'utf8');
    const missing = WRITERS.filter((name) => !text.includes(`Host gpu-env-${name}\n`));
    if (missing.length > 0) losses.push(`trial ${trial}: lost ${missing.join(', ')}`);
    expect(readdirSync(stateDir).filter((file) => file !== 'ssh_config' && !file.endsWith('.lock'))).toEqual([]);
  }
  expect(losses).toEqual([]);
}, 240_000);

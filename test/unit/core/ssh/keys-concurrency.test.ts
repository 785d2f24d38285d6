/**
 * Defect 2 of issue 16: two `up` of the same new environment at once (two windows on one folder with
 * autoStart) left a private key that did not match its .pub (14 of 30 trials), and every later `up`
 * failed until `rm --purge`. Real processes race on a real folder; every trial must end with one
 * key pair, the .pub derived from the private key, and both processes agreeing on it.
 */
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { utils } from 'ssh2';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { environmentPaths } from '../../../../src/core/state/paths';
import { bundleStateWriter, raceWriters } from '../../../support/state-writers';

const TRIALS = 30;
let child = '';
const root = mkdtempSync(join(tmpdir(), 'gpu-env-keys-race-'));

beforeAll(async () => {
  child = await bundleStateWriter();
});
// The bundled child lives in a temp folder of its own (bundleStateWriter).
afterAll(() => {
  rmSync(root, { recursive: true, force: true });
  if (child) rmSync(dirname(child), { recursive: true, force: true });
});

function publicOf(privatePath: string): string {
  const parsed = utils.parseKey(readFileSync(privatePath, 'utf8'));
  if (parsed instanceof Error) return `unreadable private key (${parsed.message})`;
  const key = Array.isArray(parsed) ? parsed[0] : parsed;
  return key!.getPublicSSH().toString('base64');
}

function blobOf(publicLine: string): string {
  return publicLine.trim().split(/\s+/)[1] ?? '';
}

it(`two processes creating the same environment's keys at once agree on one matching pair (${TRIALS} trials)`, async () => {
  const mismatches: string[] = [];
  for (let trial = 0; trial < TRIALS; trial++) {
    const stateDir = join(root, `trial-${trial}`);
    const results = await raceWriters(child, 'keys', stateDir, ['race', 'race']);
    for (const result of results) expect(result.code, result.stderr).toBe(0);
    const paths = environmentPaths(stateDir, 'race');
    const problems = [
      publicOf(paths.userKey) !== blobOf(readFileSync(paths.userPublicKey, 'utf8')) && 'user key does not match id_ed25519.pub',
      publicOf(paths.hostKey) !== blobOf(readFileSync(paths.hostPublicKey, 'utf8')) && 'host key does not match its .pub',
      !readFileSync(paths.knownHosts, 'utf8').includes(blobOf(readFileSync(paths.hostPublicKey, 'utf8'))) && 'known_hosts does not pin the host key',
      new Set(results.map((result) => result.stdout)).size !== 1 && 'the two processes returned different keys',
      readdirSync(paths.dir).some((file) => file.includes('.tmp')) && 'a temp file was left',
    ].filter(Boolean);
    if (problems.length > 0) mismatches.push(`trial ${trial}: ${problems.join(', ')}`);
  }
  expect(mismatches).toEqual([]);
}, 240_000);

/**
 * A separate process that writes the state folder the way `gpu-env up` does, started in pairs by
 * state-writers.ts to race for the same files: `keys DIR NAME START_AT` or `config DIR NAME START_AT`.
 * It spins until START_AT (epoch ms) so that both processes enter the write together.
 */
import { ensureKeys } from '../../src/core/ssh/keys';
import { writeHostBlock } from '../../src/core/ssh/openssh-config';

const [op, stateDir, name, startAt] = process.argv.slice(2);
if (!op || !stateDir || !name || !startAt) {
  process.stderr.write('usage: keys|config STATE_DIR NAME START_AT\n');
  process.exit(2);
}
// Bounded spin: at most 5 s.
const until = Math.min(Number(startAt), Date.now() + 5_000);
while (Date.now() < until) { /* wait for the other process */ }
if (op === 'keys') {
  const keys = ensureKeys(stateDir, name);
  process.stdout.write(`${JSON.stringify({ userPublicKey: keys.userPublicKey, hostPublicKey: keys.hostPublicKey })}\n`);
} else {
  writeHostBlock(stateDir, name, { host: '127.0.0.1', port: 2222, user: 'dev' });
}

/**
 * Vitest global setup: every temporary folder the tests make (os.tmpdir(), mkdtemp, the children
 * they start) lands in one folder for this run, removed when the run ends, so a test that forgets
 * its own clean-up leaves nothing behind on the machine. The folder is sticky and open to all like
 * /tmp itself, since some tests hand folders to other users.
 */
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export default function setup(): () => void {
  const previous = process.env.TMPDIR;
  const scratch = mkdtempSync(join(tmpdir(), 'gpu-env-tests-'));
  chmodSync(scratch, 0o1777);
  // Set before the workers start, which inherit it; Node's tmpdir() reads TMPDIR on every call.
  process.env.TMPDIR = scratch;
  return () => {
    if (previous === undefined) delete process.env.TMPDIR;
    else process.env.TMPDIR = previous;
    rmSync(scratch, { recursive: true, force: true, maxRetries: 3 });
  };
}

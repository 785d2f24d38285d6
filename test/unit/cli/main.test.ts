/**
 * Defect 6 of issue 16: `gpu-env exec NAME -- df -h` printed usage instead of running `df -h`: the
 * dispatcher took the command's own -h for gpu-env's. Flags after "--" belong to the command.
 */
import { describe, expect, it } from 'vitest';
import type { CliCommand, CliCommandEntry } from '../../../src/cli/command';
import { testIo } from '../../support/cli-io';
import { main } from '../../../src/cli/main';


function recorder(): CliCommandEntry & { calls: string[][] } {
  const calls: string[][] = [];
  const command: CliCommand = { name: 'exec', usage: 'gpu-env exec NAME -- CMD', run: async (argv) => { calls.push([...argv]); return 0; } };
  return { name: 'exec', summary: 'run a command', calls, load: () => command };
}

describe('help flags and "--"', () => {
  it.each([
    [['x', '--', 'df', '-h']],
    [['x', '--', 'ls', '--help']],
    [['x', '--', 'python3', '-h', '--help']],
  ])('passes %j to the command instead of printing usage', async (argv) => {
    const command = recorder();
    const cli = testIo();
    expect(await main(['exec', ...argv], cli, [command])).toBe(0);
    expect(command.calls).toEqual([argv]);
    expect(cli.out()).toBe('');
  });

  it.each([[['-h']], [['x', '--help']], [['--help', '--', 'df']], [['x', '-h', '--', 'df', '-h']]])('prints usage for %j (before "--")', async (argv) => {
    const command = recorder();
    const cli = testIo();
    expect(await main(['exec', ...argv], cli, [command])).toBe(0);
    expect(command.calls).toEqual([]);
    expect(cli.out()).toMatch(/^usage: gpu-env exec NAME -- CMD/);
  });
});

import { describe, expect, it } from 'vitest';
import { parseDf } from '../../../../../src/core/doctor/parse/df';

// Captured from containers of gpu-env-test/trixie-torch (GNU coreutils 9.7) on the test engine:
// `df -P -B1 /dev/shm` with --shm-size 8g (the gpu-env default) and with Docker's default of 64 MiB.
const P_B1_8G = `Filesystem       1-blocks  Used  Available Capacity Mounted on
shm            8589934592     0 8589934592       0% /dev/shm
`;
const P_B1_64M = `Filesystem     1-blocks  Used Available Capacity Mounted on
shm            67108864     0  67108864       0% /dev/shm
`;
// The same container: `df -B1 /dev/shm` (no -P) and `df -Pk /dev/shm` (the probe's fallback).
const B1_8G = `Filesystem      1B-blocks  Used  Available Use% Mounted on
shm            8589934592     0 8589934592   0% /dev/shm
`;
const PK_8G = `Filesystem     1024-blocks  Used Available Capacity Mounted on
shm                8388608     0   8388608       0% /dev/shm
`;
// pytorch/pytorch#1355: `df -h | grep shm` in a container with --shm-size=1024m. Human sizes are
// rounded, so the parser must refuse them rather than guess.
const HUMAN = `Filesystem      Size  Used Avail Use% Mounted on
shm                                                          1.0G  883M  142M  87% /dev/shm
`;

const GIB = 1024 ** 3;

describe('parseDf', () => {
  it.each([
    ['df -P -B1 (1-blocks)', P_B1_8G],
    ['df -B1 (1B-blocks)', B1_8G],
    ['df -Pk (1024-blocks)', PK_8G],
  ])('reads 8 GiB from %s', (_label, output) => {
    expect(parseDf(output)).toEqual({ filesystem: 'shm', sizeBytes: 8 * GIB, usedBytes: 0, availableBytes: 8 * GIB, mountedOn: '/dev/shm' });
  });

  it("reads Docker's 64 MiB default", () => {
    expect(parseDf(P_B1_64M)?.sizeBytes).toBe(64 * 1024 ** 2);
  });

  it('reads 1K-blocks headers and used space', () => {
    const output = 'Filesystem     1K-blocks    Used Available Use% Mounted on\nshm              1048576  904192    144384  87% /dev/shm\n';
    expect(parseDf(output)).toMatchObject({ sizeBytes: GIB, usedBytes: 904192 * 1024, availableBytes: 144384 * 1024 });
  });

  it.each([
    ['human-readable sizes', HUMAN],
    ['no header', 'shm 67108864 0 67108864 0% /dev/shm\n'],
    ['a header only', 'Filesystem     1-blocks  Used Available Capacity Mounted on\n'],
    ['an error', 'df: /dev/shm: No such file or directory\n'],
    ['nothing', ''],
    ['sizes beyond exact numbers', 'Filesystem 1K-blocks Used Available Use% Mounted on\nshm 99999999999999999999 0 1 0% /dev/shm\n'],
  ])('refuses %s', (_label, output) => {
    expect(parseDf(output)).toBeUndefined();
  });
});

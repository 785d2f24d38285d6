/** One file system as `df -P` reports it, in bytes. */
export interface DfEntry {
  readonly filesystem: string;
  readonly sizeBytes: number;
  readonly usedBytes: number;
  readonly availableBytes: number;
  readonly mountedOn: string;
}

/**
 * Reads POSIX `df -P` output for one path. The block size comes from the header, which differs by
 * df and flags: `1B-blocks` (df -B1), `1-blocks` (df -P -B1), `1024-blocks` (df -P), `1K-blocks`.
 * Returns undefined for anything else, so a surprise is reported rather than misread.
 */
export function parseDf(output: string): DfEntry | undefined {
  const lines = output.split(/\r?\n/).filter((l) => l.trim() !== '');
  const header = lines.findIndex((l) => /^Filesystem\s/.test(l));
  if (header < 0 || header + 1 >= lines.length) return undefined;
  const blockSize = blockSizeOf(lines[header]!);
  const row = /^(.+?)\s+(\d+)\s+(\d+)\s+(\d+)\s+(?:\d+%|-)\s+(\/.*)$/.exec(lines[header + 1]!.trim());
  if (blockSize === undefined || !row) return undefined;
  const bytes = (field: string): number => Number(field) * blockSize;
  const entry = {
    filesystem: row[1]!,
    sizeBytes: bytes(row[2]!),
    usedBytes: bytes(row[3]!),
    availableBytes: bytes(row[4]!),
    mountedOn: row[5]!,
  };
  return [entry.sizeBytes, entry.usedBytes, entry.availableBytes].every(Number.isSafeInteger) ? entry : undefined;
}

const UNITS: Readonly<Record<string, number>> = { '': 1, K: 1024, M: 1024 ** 2, G: 1024 ** 3 };

function blockSizeOf(header: string): number | undefined {
  const match = /\s(\d+)([KMG]?)B?-blocks\s/i.exec(`${header} `);
  if (!match) return undefined;
  const size = Number(match[1]) * (UNITS[match[2]!.toUpperCase()] ?? NaN);
  return Number.isSafeInteger(size) && size > 0 ? size : undefined;
}

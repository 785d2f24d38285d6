const HEADER_BYTES = 8;
/** stdin, stdout, stderr, and the engine's own error message (docker's stdcopy.Systemerr). */
const STDIN = 0;
const SYSTEM_ERROR = 3;

/**
 * The text of a multiplexed stream (container logs or exec output of a container without a TTY):
 * 8-byte frame headers [type 0-3, 0, 0, 0, size uint32 BE]. Every frame type is kept (stdin and
 * the engine's error frames included: the error is marked), a frame cut short keeps what it has,
 * and bytes that are not a frame (a TTY stream) pass through as they are.
 */
export function demuxText(buffer: Buffer | string): string {
  if (typeof buffer === 'string') return buffer;
  const parts: Buffer[] = [];
  let offset = 0;
  let frames = 0;
  while (offset + HEADER_BYTES <= buffer.length && isHeader(buffer, offset)) {
    const size = buffer.readUInt32BE(offset + 4);
    const payload = buffer.subarray(offset + HEADER_BYTES, Math.min(buffer.length, offset + HEADER_BYTES + size));
    parts.push(buffer[offset] === SYSTEM_ERROR ? Buffer.concat([Buffer.from('[engine error] '), payload, payload.at(-1) === 0x0a ? Buffer.alloc(0) : Buffer.from('\n')]) : payload);
    offset += HEADER_BYTES + size;
    frames++;
  }
  if (frames === 0) return buffer.toString();
  if (offset < buffer.length) parts.push(buffer.subarray(offset));
  return Buffer.concat(parts).toString();
}

function isHeader(buffer: Buffer, offset: number): boolean {
  const type = buffer[offset]!;
  return type >= STDIN && type <= SYSTEM_ERROR && buffer[offset + 1] === 0 && buffer[offset + 2] === 0 && buffer[offset + 3] === 0;
}

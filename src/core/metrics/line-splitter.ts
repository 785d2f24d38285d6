/**
 * Splits a byte stream that starts at a known file offset into complete lines, tracking the byte
 * offset just past the last complete line. That offset is what a reconnect resumes from, so a
 * partial last line is never delivered and never lost: it is read again, whole, next time.
 *
 * Works on bytes, not strings: offsets must be byte offsets, and a multi-byte UTF-8 character may
 * be split across chunks. A line longer than `maxLineBytes` is not buffered: its bytes are
 * dropped as they arrive and it is reported once, when its newline comes.
 */

export interface LineSink {
  /** A complete line without its newline (a trailing CR is removed); `endOffset` is past the newline. */
  line(text: string, endOffset: number): void;
  /** A line over the limit was dropped; `startOffset` identifies it across reconnects. */
  oversized(startOffset: number, endOffset: number): void;
}

const NEWLINE = 0x0a;
const CR = 0x0d;

export class LineSplitter {
  private pending: Buffer[] = [];
  private pendingLength = 0;
  private discarding = false;
  private committed: number;

  constructor(
    startOffset: number,
    private readonly maxLineBytes: number,
    private readonly sink: LineSink,
  ) {
    this.committed = startOffset;
  }

  /** Byte offset just past the last complete line. */
  get committedOffset(): number {
    return this.committed;
  }

  /** Bytes received after the last complete line (including dropped ones of an oversized line). */
  get pendingBytes(): number {
    return this.pendingLength;
  }

  push(chunk: Buffer): void {
    let from = 0;
    for (let nl = chunk.indexOf(NEWLINE, from); nl >= 0; nl = chunk.indexOf(NEWLINE, from)) {
      this.completeLine(chunk.subarray(from, nl));
      from = nl + 1;
    }
    if (from < chunk.length) this.hold(chunk.subarray(from));
  }

  private completeLine(tail: Buffer): void {
    const length = this.pendingLength + tail.length;
    const start = this.committed;
    this.committed = start + length + 1;
    if (this.discarding || length > this.maxLineBytes) {
      this.sink.oversized(start, this.committed);
    } else {
      this.sink.line(decode(this.pending, tail, length), this.committed);
    }
    this.pending = [];
    this.pendingLength = 0;
    this.discarding = false;
  }

  private hold(part: Buffer): void {
    this.pendingLength += part.length;
    if (this.discarding) return;
    if (this.pendingLength > this.maxLineBytes) {
      this.discarding = true;
      this.pending = [];
      return;
    }
    // Copy: the caller may reuse the chunk's memory.
    this.pending.push(Buffer.from(part));
  }
}

function decode(pending: readonly Buffer[], tail: Buffer, length: number): string {
  const bytes = pending.length === 0 ? tail : Buffer.concat([...pending, tail], length);
  const end = bytes.length > 0 && bytes[bytes.length - 1] === CR ? bytes.length - 1 : bytes.length;
  return bytes.toString('utf8', 0, end);
}

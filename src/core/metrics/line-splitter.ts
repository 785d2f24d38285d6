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
    const last = chunk.lastIndexOf(NEWLINE);
    if (last < 0) {
      this.hold(chunk);
      return;
    }
    let from = 0;
    if (this.pendingLength > 0 || this.discarding) {
      const nl = chunk.indexOf(NEWLINE);
      this.completeLine(chunk.subarray(0, nl));
      from = nl + 1;
    }
    if (from <= last) this.completeRun(chunk, from, last);
    if (last + 1 < chunk.length) this.hold(chunk.subarray(last + 1));
  }

  /**
   * Lines with nothing pending before them, `from` to the newline at `last`: one decode and one
   * string split for all of them (a decode per line costs more than the JSON parse that follows).
   * When the text has as many UTF-16 units as the bytes had, every unit came from one byte (ASCII,
   * or an invalid byte that became U+FFFD), so each line's length is its byte length; otherwise
   * the lines are cut on bytes one by one.
   */
  private completeRun(chunk: Buffer, from: number, last: number): void {
    const text = chunk.toString('utf8', from, last);
    if (text.length !== last - from) {
      for (let nl = chunk.indexOf(NEWLINE, from); nl >= 0 && nl <= last; nl = chunk.indexOf(NEWLINE, from)) {
        this.completeLine(chunk.subarray(from, nl));
        from = nl + 1;
      }
      return;
    }
    for (const line of text.split('\n')) {
      const start = this.committed;
      this.committed = start + line.length + 1;
      if (line.length > this.maxLineBytes) this.sink.oversized(start, this.committed);
      else this.sink.line(line.length > 0 && line.charCodeAt(line.length - 1) === CR ? line.slice(0, -1) : line, this.committed);
    }
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

import type { ProgressEvent, ProgressSink } from '../core/progress';
import type { CliIo } from './command';

const MB = 1024 * 1024;

/**
 * Progress on stderr: a redrawn line with a bar on a terminal, one line per step otherwise, so
 * logs stay readable in CI. Build output is shown with --verbose.
 */
export function progressPrinter(io: CliIo, verbose: boolean): ProgressSink & { done(): void } {
  let liveLine = false;
  const clear = (): void => {
    if (liveLine) io.stderr.write('\r\x1b[2K');
    liveLine = false;
  };
  const line = (text: string): void => {
    clear();
    io.stderr.write(`${text}\n`);
  };
  const sink = (event: ProgressEvent): void => {
    switch (event.kind) {
      case 'step':
        return line(`• ${event.message}`);
      case 'warning':
        return line(`! warning: ${event.message}`);
      case 'queue':
        return line(`• ${event.message}`);
      case 'log':
        if (verbose) line(`  ${event.line}`);
        return;
      case 'layers':
        if (!io.isTTY) return;
        clear();
        io.stderr.write(`  ${bar(event.currentBytes, event.totalBytes)} ${(event.currentBytes / MB).toFixed(1)}/${(event.totalBytes / MB).toFixed(1)} MB, ${event.layersDone}/${event.layers} layers`);
        liveLine = true;
        return;
    }
  };
  return Object.assign(sink, { done: clear });
}

function bar(current: number, total: number): string {
  const width = 24;
  const filled = total > 0 ? Math.min(width, Math.round((current / total) * width)) : 0;
  return `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}]`;
}

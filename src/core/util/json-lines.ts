/**
 * Splits a byte stream of newline-delimited JSON (the engine's pull/build progress) into objects.
 * A chunk may end mid-line; non-JSON lines are passed to `onGarbage` rather than thrown.
 */
export function jsonLineSplitter(onObject: (value: unknown) => void, onGarbage: (line: string) => void = () => {}): (chunk: Buffer | string) => void {
  let pending = '';
  return (chunk) => {
    pending += chunk.toString();
    let newline = pending.indexOf('\n');
    while (newline >= 0) {
      const line = pending.slice(0, newline).trim();
      pending = pending.slice(newline + 1);
      if (line !== '') parseLine(line, onObject, onGarbage);
      newline = pending.indexOf('\n');
    }
    // The engine sometimes omits the final newline; a complete object in `pending` is still a message.
    const rest = pending.trim();
    if (rest.startsWith('{') && rest.endsWith('}')) {
      try {
        onObject(JSON.parse(rest) as unknown);
        pending = '';
      } catch {
        /* incomplete: wait for more */
      }
    }
  };
}

function parseLine(line: string, onObject: (value: unknown) => void, onGarbage: (line: string) => void): void {
  try {
    onObject(JSON.parse(line) as unknown);
  } catch {
    onGarbage(line);
  }
}

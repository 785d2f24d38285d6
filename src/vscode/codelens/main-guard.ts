/** `if __name__ == "__main__":` at the start of a line, either quote style, either operand order. */
const MAIN_GUARD = /^if\s+(?:__name__\s*==\s*(['"])__main__\1|(['"])__main__\2\s*==\s*__name__)\s*:/;

/** Lines (0-based) of a Python file's main guards: where "Train in GPU Environment" goes. */
export function mainGuardLines(text: string, maxLines = 100_000): number[] {
  const lines = text.split(/\r?\n/, maxLines);
  const found: number[] = [];
  lines.forEach((line, index) => {
    if (MAIN_GUARD.test(line)) found.push(index);
  });
  return found;
}

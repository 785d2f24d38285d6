/** Edits of valid protocol messages, for tests that each edit makes a message invalid. */

/** As a replacement: the field is removed. */
export const DELETE = Symbol('delete');

/** Deep copy, then apply one edit at a path of keys and indexes. */
export function mutate(value: unknown, path: readonly (string | number)[], replacement: unknown): unknown {
  const copy = structuredClone(value) as Record<string | number, unknown>;
  let node = copy;
  for (const key of path.slice(0, -1)) node = node[key] as Record<string | number, unknown>;
  const last = path[path.length - 1]!;
  if (replacement === DELETE) delete node[last];
  else node[last] = replacement;
  return copy;
}

/** Markup in a name: the webviews must insert it as text. */
export const XSS = '<img src=x onerror=alert(1)>';

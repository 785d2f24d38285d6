/**
 * Strings headed for the webview protocol: its validators reject control characters and
 * over-long text, and one bad name must not make a whole snapshot invalid, so names are cleaned
 * on the way out instead.
 */
import { protocolControlCharsToSpaces } from '../../shared/control-chars';

export function clipText(s: string, max: number): string {
  const clean = protocolControlCharsToSpaces(s);
  return clean.length > max ? `${clean.slice(0, max - 1)}…` : clean;
}

/** As clipText, but null for what would be empty (the protocol wants non-empty names). */
export function clipNonEmpty(s: string | null, max: number): string | null {
  if (s === null) return null;
  const clipped = clipText(s, max);
  return clipped.trim() === '' ? null : clipped;
}

/**
 * A webview's labels in VS Code's display language: every English text of the table through the
 * extension's own l10n bundles, so the webviews and the rest of the extension speak from one source.
 * Placeholders stay in for the webview to fill (`vscode.l10n.t` leaves them when given no
 * arguments). The tables are literals, checked against the bundles by
 * test/unit/package/localisation.test.ts as the literal messages of the other calls are.
 */
import type { LabelTexts, Labels } from '../../shared/protocol/common';
import type { Translate } from '../l10n';

export function translateLabels<T extends LabelTexts>(english: T, translate: Translate): Labels<T> {
  const labels: Record<string, string> = {};
  for (const [key, text] of Object.entries(english)) labels[key] = translate(text);
  return labels as Labels<T>;
}

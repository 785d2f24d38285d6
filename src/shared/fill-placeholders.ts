/**
 * `{0}`-style substitution, the format of every message in the l10n bundles: the extension host
 * fills its own messages through `vscode.l10n.t`, the webviews fill the labels they were sent with
 * this. A placeholder without an argument stays as it is.
 */
export function fillPlaceholders(template: string, ...args: ReadonlyArray<string | number | boolean>): string {
  return template.replace(/\{(\d+)\}/g, (whole, index: string) => {
    const value = args[Number(index)];
    return value === undefined ? whole : String(value);
  });
}

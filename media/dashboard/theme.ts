/**
 * Colours and fonts for canvas drawing, read from the `--vscode-*` CSS variables VS Code sets on
 * the page (canvas cannot use CSS variables directly). Nothing is hard-coded: when a variable is
 * missing, the next one in the list is tried, and last the computed text colour of the body.
 */

export interface Palette {
  readonly series: readonly string[];
  readonly foreground: string;
  readonly muted: string;
  readonly grid: string;
  readonly background: string;
  readonly marker: string;
  readonly selection: string;
  readonly font: string;
  readonly fontSize: number;
}

const SERIES_VARS = ['--vscode-charts-blue', '--vscode-charts-orange', '--vscode-charts-green', '--vscode-charts-purple', '--vscode-charts-yellow', '--vscode-charts-red'];

function cssVar(style: CSSStyleDeclaration, ...names: string[]): string | undefined {
  for (const name of names) {
    const value = style.getPropertyValue(name).trim();
    if (value !== '') return value;
  }
  return undefined;
}

export function readPalette(): Palette {
  const root = getComputedStyle(document.documentElement);
  const body = getComputedStyle(document.body);
  const text = cssVar(root, '--vscode-foreground', '--vscode-editor-foreground') ?? body.color;
  const series = SERIES_VARS.map((name) => cssVar(root, name)).filter((c): c is string => c !== undefined);
  return {
    series: series.length > 0 ? series : [text],
    foreground: text,
    muted: cssVar(root, '--vscode-descriptionForeground', '--vscode-foreground') ?? body.color,
    grid: cssVar(root, '--vscode-editorIndentGuide-background1', '--vscode-editorIndentGuide-background', '--vscode-widget-border', '--vscode-panel-border') ?? text,
    background: cssVar(root, '--vscode-editor-background', '--vscode-sideBar-background') ?? body.backgroundColor,
    marker: cssVar(root, '--vscode-charts-yellow', '--vscode-editorWarning-foreground') ?? text,
    selection: cssVar(root, '--vscode-editor-selectionBackground', '--vscode-list-activeSelectionBackground') ?? text,
    font: cssVar(root, '--vscode-font-family') ?? body.fontFamily,
    fontSize: Number.parseFloat(cssVar(root, '--vscode-font-size') ?? body.fontSize) || 13,
  };
}

/** Calls `onChange` when VS Code switches theme (body class) or rewrites the variables (html style). */
export function watchTheme(onChange: () => void): void {
  const observer = new MutationObserver(() => onChange());
  observer.observe(document.body, { attributes: true, attributeFilter: ['class', 'data-vscode-theme-kind'] });
  observer.observe(document.documentElement, { attributes: true, attributeFilter: ['style'] });
}

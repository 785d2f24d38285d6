/**
 * The training dashboard as a VS Code WebviewPanel: one panel, revealed again when asked for,
 * restored after a reload by the serializer (its run selection comes back through the webview's
 * own state), scripts only from dist/webview, and no retained context when hidden (the
 * controller sends a snapshot when it is shown again instead). Theme changes need no message: the
 * page follows VS Code's theme classes and variables itself (media/dashboard/theme.ts).
 */
import * as vscode from 'vscode';
import type { DashboardDataSource } from './dashboard-feed';
import { DASHBOARD_LABELS } from '../../shared/protocol/dashboard-labels';
import type { KeyValueStore } from '../ui';
import { vscodeTranslate as t } from '../vscode-ui';
import { translateLabels } from '../webview/translate-labels';
import { dashboardPageHtml, WEBVIEW_DIST, webviewOptions } from '../webview/webview-pages';
import { DashboardController, type ExportTarget } from './dashboard-controller';

export const DASHBOARD_VIEW_TYPE = 'gpuEnv.dashboard';

export interface DashboardPanelDeps {
  readonly extensionUri: vscode.Uri;
  readonly source: DashboardDataSource;
  readonly preferences: KeyValueStore;
  readonly log?: (message: string) => void;
  /** The runs shown changed; [] when the panel closes. */
  readonly onSelectionChange?: (runs: readonly string[]) => void;
  /** The panel was shown or hidden (false when it closes). */
  readonly onVisibilityChange?: (visible: boolean) => void;
}

export class DashboardPanel implements vscode.Disposable {
  private static current: DashboardPanel | undefined;
  private readonly controller: DashboardController;
  private readonly disposables: vscode.Disposable[] = [];

  /** Opens the dashboard, or reveals the open one; with run ids, shows those runs. */
  static show(deps: DashboardPanelDeps, runs?: readonly string[]): DashboardPanel {
    const existing = DashboardPanel.current;
    if (existing) {
      existing.panel.reveal();
      if (runs && runs.length > 0) existing.controller.selectRuns(runs);
      return existing;
    }
    const panel = vscode.window.createWebviewPanel(DASHBOARD_VIEW_TYPE, t('Training dashboard'), vscode.ViewColumn.Active, panelOptions(deps.extensionUri));
    return (DashboardPanel.current = new DashboardPanel(panel, deps, runs ?? []));
  }

  /** After a reload: VS Code hands back the panel; the page's own state holds the selection. */
  static revive(panel: vscode.WebviewPanel, deps: DashboardPanelDeps): DashboardPanel {
    DashboardPanel.current?.dispose();
    panel.webview.options = panelOptions(deps.extensionUri);
    return (DashboardPanel.current = new DashboardPanel(panel, deps, []));
  }

  private constructor(
    private readonly panel: vscode.WebviewPanel,
    deps: DashboardPanelDeps,
    initialRuns: readonly string[],
  ) {
    panel.webview.html = dashboardHtml(panel.webview, deps.extensionUri);
    this.controller = new DashboardController({
      source: deps.source,
      port: panel.webview,
      preferences: deps.preferences,
      exporter: saveDialogExporter,
      labels: translateLabels(DASHBOARD_LABELS, t),
      locale: vscode.env.language,
      visible: panel.visible,
      initialRuns,
      retainsContext: false,
      ...(deps.log ? { onError: deps.log } : {}),
      ...(deps.onSelectionChange ? { onSelectionChange: deps.onSelectionChange } : {}),
    });
    const visibility = deps.onVisibilityChange;
    visibility?.(panel.visible);
    this.disposables.push(
      this.controller,
      { dispose: () => visibility?.(false) },
      panel.onDidChangeViewState((e) => {
        this.controller.setVisible(e.webviewPanel.visible);
        visibility?.(e.webviewPanel.visible);
      }),
      panel.onDidDispose(() => this.dispose()),
    );
  }

  dispose(): void {
    if (DashboardPanel.current === this) DashboardPanel.current = undefined;
    for (const d of this.disposables.splice(0)) d.dispose();
    this.panel.dispose();
  }
}

export class DashboardPanelSerializer implements vscode.WebviewPanelSerializer {
  constructor(private readonly deps: DashboardPanelDeps) {}

  async deserializeWebviewPanel(panel: vscode.WebviewPanel): Promise<void> {
    DashboardPanel.revive(panel, this.deps);
  }
}

export function registerDashboardSerializer(deps: DashboardPanelDeps): vscode.Disposable {
  return vscode.window.registerWebviewPanelSerializer(DASHBOARD_VIEW_TYPE, new DashboardPanelSerializer(deps));
}

function panelOptions(extensionUri: vscode.Uri): vscode.WebviewPanelOptions & vscode.WebviewOptions {
  return { ...webviewOptions(vscode.Uri.joinPath(extensionUri, ...WEBVIEW_DIST)), retainContextWhenHidden: false };
}

function dashboardHtml(webview: vscode.Webview, extensionUri: vscode.Uri): string {
  const asset = (name: string): string => webview.asWebviewUri(vscode.Uri.joinPath(extensionUri, ...WEBVIEW_DIST, name)).toString();
  return dashboardPageHtml({ cspSource: webview.cspSource, asset }, t('Training dashboard'));
}

/** The save dialog, then workspace.fs, so it works for remote workspaces too. */
const saveDialogExporter: ExportTarget = {
  async save(kind, suggestedName, data) {
    const folder = vscode.workspace.workspaceFolders?.[0]?.uri;
    const uri = await vscode.window.showSaveDialog({
      ...(folder ? { defaultUri: vscode.Uri.joinPath(folder, suggestedName) } : {}),
      filters: kind === 'png' ? { [t('PNG image')]: ['png'] } : { CSV: ['csv'] },
      saveLabel: t('Export'),
      title: kind === 'png' ? t('Export charts as PNG') : t('Export metrics as CSV'),
    });
    if (!uri) return undefined;
    try {
      await vscode.workspace.fs.writeFile(uri, data);
    } catch (error) {
      void vscode.window.showErrorMessage(t('Could not write {0}: {1}', uri.fsPath, error instanceof Error ? error.message : String(error)));
      throw error;
    }
    void vscode.window.showInformationMessage(t('Exported {0} to {1}', kind.toUpperCase(), uri.fsPath));
    return uri.toString();
  },
};

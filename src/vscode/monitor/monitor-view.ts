/**
 * The sidebar "GPU Monitor" as a WebviewViewProvider for the view id package.json declares
 * (MONITOR_VIEW). Scripts only from dist/webview; no retained context: on being shown again the
 * page reloads and gets the current snapshot.
 */
import * as vscode from 'vscode';
import type { GpuMonitorSource } from './gpu-panel-model';
import { MONITOR_LABELS } from '../../shared/protocol/monitor-labels';
import { MONITOR_VIEW } from '../contribution-ids';
import { vscodeTranslate as t } from '../vscode-ui';
import { translateLabels } from '../webview/translate-labels';
import { monitorPageHtml, WEBVIEW_DIST, webviewOptions } from '../webview/webview-pages';
import { MonitorController } from './monitor-controller';

export interface GpuMonitorDeps {
  readonly extensionUri: vscode.Uri;
  readonly source: GpuMonitorSource;
  readonly openDashboard: (runId: string | null) => void;
  readonly log?: (message: string) => void;
  /** The view was shown or hidden (or went away): the sampling stream follows it. */
  readonly onVisibilityChange?: (visible: boolean) => void;
}

export class GpuMonitorViewProvider implements vscode.WebviewViewProvider, vscode.Disposable {
  private subscriptions: vscode.Disposable[] = [];

  constructor(private readonly deps: GpuMonitorDeps) {}

  resolveWebviewView(view: vscode.WebviewView): void {
    this.dispose();
    const root = vscode.Uri.joinPath(this.deps.extensionUri, ...WEBVIEW_DIST);
    view.webview.options = webviewOptions(root);
    const asset = (name: string): string => view.webview.asWebviewUri(vscode.Uri.joinPath(root, name)).toString();
    view.webview.html = monitorPageHtml({ cspSource: view.webview.cspSource, asset }, t('GPU Monitor'));
    const controller = new MonitorController({
      source: this.deps.source,
      port: view.webview,
      visible: view.visible,
      labels: translateLabels(MONITOR_LABELS, t),
      locale: vscode.env.language,
      openDashboard: this.deps.openDashboard,
      ...(this.deps.log ? { onError: this.deps.log } : {}),
    });
    const visibility = this.deps.onVisibilityChange;
    this.subscriptions = [
      controller,
      view.onDidChangeVisibility(() => {
        controller.setVisible(view.visible);
        visibility?.(view.visible);
      }),
      view.onDidDispose(() => this.dispose()),
    ];
    if (visibility) this.subscriptions.push({ dispose: () => visibility(false) });
    visibility?.(view.visible);
  }

  dispose(): void {
    for (const s of this.subscriptions.splice(0)) s.dispose();
  }
}

export function registerGpuMonitor(deps: GpuMonitorDeps): vscode.Disposable {
  const provider = new GpuMonitorViewProvider(deps);
  return vscode.Disposable.from(vscode.window.registerWebviewViewProvider(MONITOR_VIEW, provider), provider);
}

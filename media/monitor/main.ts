/**
 * The sidebar "GPU Monitor" webview view: one card per GPU, the environment's CPU and memory, the
 * "no GPU" reason when there is none, and a stale warning when samples stop. It says `ready`,
 * builds the page from the labels of the host's `init` (it holds no text of its own), and then
 * every `gpu` message is a complete snapshot, so a view that was hidden simply shows the next one.
 */
import { PROTOCOL_VERSION } from '../../src/shared/protocol/common';
import { parseMonitorHostMessage, type MonitorHostMessage, type MonitorWebviewMessage } from '../../src/shared/protocol/monitor';
import { connectToHost } from '../dashboard/vscode-api';
import { MonitorPage } from './monitor-page';

const host = connectToHost<MonitorHostMessage, MonitorWebviewMessage>(parseMonitorHostMessage);
let page: MonitorPage | undefined;

host.onMessage((message) => {
  if (message.type === 'init') {
    document.documentElement.lang = message.locale;
    page ??= new MonitorPage(message.labels, (run) => host.post({ type: 'openDashboard', run }));
  } else {
    // The host answers `ready` with `init` before any snapshot, so there is always a page here.
    page?.render(message.snapshot);
  }
});
host.post({ type: 'ready', view: 'monitor', protocol: PROTOCOL_VERSION });

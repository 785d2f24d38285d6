import { describe, expect, it } from 'vitest';
import { GpuPanelModel } from '../../../../src/vscode/monitor/gpu-panel-model';
import { parseMonitorHostMessage, type MonitorHostMessage } from '../../../../src/shared/protocol/monitor';
import { MonitorController } from '../../../../src/vscode/monitor/monitor-controller';
import type { WebviewPort } from '../../../../src/vscode/webview/webview-port';
import { FakeClock } from '../../../support/fake-clock';
import { monitorInit } from '../../../support/webview-labels';

function setup() {
  const clock = new FakeClock();
  const model = new GpuPanelModel();
  const sent: MonitorHostMessage[] = [];
  const opened: (string | null)[] = [];
  let receive: (m: unknown) => unknown = () => undefined;
  const port: WebviewPort<MonitorHostMessage> = {
    postMessage: (m) => {
      expect(parseMonitorHostMessage(JSON.parse(JSON.stringify(m)))).toBeDefined();
      sent.push(m);
      return Promise.resolve(true);
    },
    onDidReceiveMessage: (l) => ((receive = l), { dispose: () => undefined }),
  };
  const { labels } = monitorInit('zh-cn');
  const controller = new MonitorController({ source: model, port, labels, locale: 'zh-cn', visible: true, clock, openDashboard: (r) => opened.push(r), refreshMs: 5000 });
  const reading = (time: number) => ({ time, env: 'e', devices: [{ index: 0, name: 'GPU', utilPct: 50, memUsedMiB: 1, memTotalMiB: 2, tempC: 40, powerW: 10, powerLimitW: 20, runId: null }], cpuPct: 1, memUsedMiB: 1, memTotalMiB: 2, noGpuReason: null });
  return { clock, model, sent, opened, controller, receive: (m: unknown) => receive(m), reading };
}

describe('MonitorController', () => {
  it('sends its labels, then full snapshots after ready, at most 2 per second, and refreshes while idle', () => {
    const { clock, model, sent, receive, reading } = setup();
    model.update(reading(1));
    expect(sent).toEqual([]);
    receive({ type: 'ready', view: 'monitor', protocol: 1 });
    clock.advance(0);
    expect(sent).toEqual([monitorInit('zh-cn'), { type: 'gpu', snapshot: expect.objectContaining({ time: 1 }) }]);
    sent.splice(0, 1);
    for (let i = 0; i < 100; i++) {
      model.update(reading(2 + i / 100));
      clock.advance(10);
    }
    expect(sent.length).toBeLessThanOrEqual(4);
    const before = sent.length;
    clock.advance(12_000);
    expect(sent.length).toBe(before + 2);
  });

  it('goes quiet while hidden and opens the dashboard on request', () => {
    const { clock, model, sent, receive, controller, opened, reading } = setup();
    receive({ type: 'ready', view: 'monitor', protocol: 1 });
    clock.advance(0);
    controller.setVisible(false);
    const before = sent.length;
    model.update(reading(5));
    clock.advance(60_000);
    expect(sent.length).toBe(before);
    expect(clock.pending).toBe(0);
    receive({ type: 'openDashboard', run: 'run-1' });
    receive({ type: 'openDashboard', run: 42 });
    expect(opened).toEqual(['run-1']);
  });
});

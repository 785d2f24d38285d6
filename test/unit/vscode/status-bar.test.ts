import { describe, expect, it } from 'vitest';
import { EnvironmentStore } from '../../../src/vscode/environment-store';
import { formatOnly } from '../../support/format-only';
import { EnvironmentStatusBar } from '../../../src/vscode/status-bar';
import { environment, FakeStatusBar, RecordingLog } from '../../support/extension-fakes';
import { scriptedSource } from '../../support/scripted-store-source';

describe('status bar', () => {
  it('follows the shown environment and the configured one', async () => {
    const source = scriptedSource();
    const store = new EnvironmentStore(source, new RecordingLog(), 1);
    const port = new FakeStatusBar();
    const bar = new EnvironmentStatusBar(port, store, formatOnly, () => 'mine');
    source.answers.push([environment('mine'), environment('other')]);
    await store.ensureLoaded();
    expect(port.shown?.text).toBe('GPU: mine');
    bar.showEnvironment(environment('other'));
    source.answers.push([environment('mine'), environment('other', 'stopped')]);
    await store.refresh();
    expect(port.shown?.text).toBe('GPU: mine');
    source.answers.push([environment('mine', 'stopped')]);
    await store.refresh();
    expect(port.shown).toBeUndefined();
    expect(bar.current()).toBeUndefined();
  });
});

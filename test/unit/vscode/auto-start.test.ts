import { describe, expect, it } from 'vitest';
import type { EnvironmentInfo } from '../../../src/core/lifecycle/environment-info';
import { autoStartOnFirstList } from '../../../src/vscode/auto-start';
import { environment, fakeServices } from '../../support/extension-fakes';

describe('gpuEnv.autoStart', () => {
  const ready = (environments: EnvironmentInfo[]) => ({ kind: 'ready' as const, environments });

  it('starts the configured environment once, on the first list, when it is not running', () => {
    const services = fakeServices({ settings: { autoStart: true, environmentName: 'exp' } });
    services.ui.folders = ['/w'];
    let starts = 0;
    const onState = autoStartOnFirstList(services, async () => void starts++);
    onState({ kind: 'loading' });
    onState(ready([environment('exp', 'stopped')]));
    onState(ready([environment('exp', 'stopped')]));
    expect(starts).toBe(1);
  });

  it.each([
    ['off', { autoStart: false }, true, ['/w'], []],
    ['untrusted', { autoStart: true }, false, ['/w'], []],
    ['no folder', { autoStart: true }, true, [], []],
    ['already running', { autoStart: true }, true, ['/w'], [environment('default')]],
  ])('does nothing when %s', (_case, settings, trusted, folders, environments) => {
    const services = fakeServices({ settings });
    services.ui.trusted = trusted;
    services.ui.folders = folders;
    let starts = 0;
    autoStartOnFirstList(services, async () => void starts++)(ready(environments));
    expect(starts).toBe(0);
  });
});

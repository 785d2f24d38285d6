import type { EnvironmentInfo } from '../../src/core/lifecycle/environment-info';
import { ASSETS, FakeRuns, idleSession } from './runs-fakes';
import { environment, fakeCore, fakeServices, type FakeServices } from './extension-fakes';

export function trainingServices(environments: EnvironmentInfo[] = [environment('exp', 'running', { workspace: '/home/u/proj' })], runs = new FakeRuns(), settings: Record<string, unknown> = {}): { services: FakeServices; runs: FakeRuns } {
  const core = fakeCore({
    list: async () => environments,
    status: async (name: string) => environments.find((e) => e.name === name)!,
    openSession: async () => idleSession(),
    runs: () => runs,
    shippedAssets: () => ASSETS,
    up: async () => ({ action: 'created', info: environment('default', 'running', { workspace: '/home/u/proj' }), warnings: [] }),
  });
  const services = fakeServices({ core, settings });
  services.ui.folders = ['/home/u/proj'];
  return { services, runs };
}

import { LABEL } from '../../container/labels';
import type { EngineFacts } from '../engine-facts';
import { plural } from '../format';
import type { Check } from '../check';

/** Without a NAME the doctor looks into every running environment on the engine. */
export const runningEnvironmentsCheck: Check<EngineFacts, readonly string[]> = {
  id: 'environments',
  title: 'Running environments',
  timeoutMs: 15_000,
  fixWhenBroken: 'List the environments with `gpu-env ls`, then run `gpu-env doctor NAME` for one of them.',
  async run(facts, signal) {
    const summaries = await facts.engine.docker.listContainers({ all: false, filters: { label: [LABEL.name] }, abortSignal: signal });
    const names = summaries
      .map((summary) => summary.Labels?.[LABEL.name])
      .filter((name): name is string => typeof name === 'string' && name !== '')
      .sort();
    if (names.length === 0) {
      return {
        status: 'skip',
        detail: 'No environment is running on this engine, so nothing was checked inside a container.',
        fix: 'Start one with `gpu-env up --name NAME --workspace DIR` (or `gpu-env up --name NAME` for a stopped one), then run `gpu-env doctor NAME`.',
        value: [],
      };
    }
    return { status: 'ok', detail: `${plural(names.length, 'running environment')}: ${names.join(', ')}.`, value: names };
  },
};

import type { EnvironmentInfo } from '../../src/core/lifecycle/environment-info';
import { type StoreSource } from '../../src/vscode/environment-store';

/** A source whose list answers are queued by the test, counting calls. */
export function scriptedSource(): StoreSource & { lists: number; watches: number; answers: Array<EnvironmentInfo[] | Error>; emit?: () => void; disposed: number } {
  const source = {
    lists: 0,
    watches: 0,
    disposed: 0,
    answers: [] as Array<EnvironmentInfo[] | Error>,
    emit: undefined as (() => void) | undefined,
    async list() {
      source.lists++;
      const answer = source.answers.shift() ?? [];
      if (answer instanceof Error) throw answer;
      return answer;
    },
    async watch(onChange: () => void) {
      source.watches++;
      source.emit = onChange;
      return { dispose: () => void source.disposed++ };
    },
  };
  return source;
}

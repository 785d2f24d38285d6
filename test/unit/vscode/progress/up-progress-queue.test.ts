import { describe, expect, it } from 'vitest';
import { UpProgressModel } from '../../../../src/vscode/progress/up-progress';

const t = (message: string, ...args: unknown[]): string => message.replace(/\{(\d)\}/g, (_m, i: string) => String(args[Number(i)]));

describe('a batch job in the start notification', () => {
  it('shows PENDING with the reason and the expected start, then where it runs', () => {
    const model = new UpProgressModel(t);
    expect(model.update({ kind: 'step', step: 'submit', message: 'x' })).toEqual({ message: 'Submitting the batch job', increment: 10 });
    expect(model.update({ kind: 'queue', job: '7', state: 'PENDING', reason: 'Resources', expectedStart: '2026-12-03T11:54:00', message: 'x' }))
      .toEqual({ message: 'Job 7 waiting in the queue: Resources; expected start 2026-12-03T11:54:00' });
    expect(model.update({ kind: 'queue', job: '7', state: 'PENDING', message: 'x' })).toEqual({ message: 'Job 7 waiting in the queue: no reason given' });
    expect(model.update({ kind: 'queue', job: '7', state: 'RUNNING', node: 'node2', message: 'x' })).toEqual({ message: 'Job 7 RUNNING on node2' });
  });
});

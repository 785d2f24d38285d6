import { describe, expect, it } from 'vitest';
import { formatOnly } from '../../../support/format-only';
import { UpProgressModel } from '../../../../src/vscode/progress/up-progress';

describe('start progress', () => {
  const MB = 1024 * 1024;

  it('moves the bar forward only, by step and by pulled bytes', () => {
    let now = 0;
    const model = new UpProgressModel(formatOnly, () => now, 100);
    const updates = [
      model.update({ kind: 'step', step: 'engine', message: 'x' }),
      model.update({ kind: 'step', step: 'pull', message: 'x' }),
      model.update({ kind: 'layers', image: 'i', currentBytes: 50 * MB, totalBytes: 100 * MB, layersDone: 1, layers: 3 }),
    ];
    now = 50;
    updates.push(model.update({ kind: 'layers', image: 'i', currentBytes: 60 * MB, totalBytes: 100 * MB, layersDone: 1, layers: 3 }));
    now = 200;
    updates.push(model.update({ kind: 'layers', image: 'i', currentBytes: 100 * MB, totalBytes: 100 * MB, layersDone: 3, layers: 3 }));
    updates.push(model.update({ kind: 'step', step: 'build', message: 'x' }));
    updates.push(model.update({ kind: 'step', step: 'ssh', message: 'x' }));
    updates.push(model.update({ kind: 'step', step: 'start', message: 'x' }));
    expect(updates).toEqual([
      { message: 'Resolving Docker engine' },
      { message: 'Pulling image', increment: 5 },
      { message: 'Pulling image: 50.0 of 100.0 MB, 1 of 3 layers', increment: 27.5 },
      undefined,
      { message: 'Pulling image: 100.0 of 100.0 MB, 3 of 3 layers', increment: 27.5 },
      { message: 'Building image' },
      { message: 'Waiting for SSH', increment: 30 },
      { message: 'Starting container' },
    ]);
  });

  it('shows build lines, shortened and throttled, and ignores other logs', () => {
    let now = 0;
    const model = new UpProgressModel(formatOnly, () => now, 100);
    const long = `Step 3/9 : RUN ${'x'.repeat(200)}`;
    expect(model.update({ kind: 'log', step: 'build', line: long })?.message).toMatch(/^Building image: Step 3\/9 : RUN x+…$/);
    expect(model.update({ kind: 'log', step: 'build', line: 'next' })).toBeUndefined();
    now = 500;
    expect(model.update({ kind: 'log', step: 'pull', line: 'pull noise' })).toBeUndefined();
    expect(model.update({ kind: 'warning', message: 'w' })).toBeUndefined();
  });
});

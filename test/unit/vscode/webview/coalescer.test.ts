import { describe, expect, it } from 'vitest';
import { Coalescer } from '../../../../src/vscode/webview/coalescer';
import { FakeClock } from '../../../support/fake-clock';

function setup(visible = true, deltaWorks = true) {
  const clock = new FakeClock();
  const sent: string[] = [];
  const c = new Coalescer(
    {
      sendSnapshot: () => sent.push(`snapshot@${clock.time}`),
      sendDelta: () => {
        if (deltaWorks) sent.push(`delta@${clock.time}`);
        return deltaWorks;
      },
    },
    { maxPerSecond: 10, visible, clock },
  );
  return { clock, sent, c };
}

describe('Coalescer', () => {
  it('sends a snapshot first, then at most 10 deltas per second however often data changes', () => {
    const { clock, sent, c } = setup();
    for (let ms = 0; ms < 1000; ms++) {
      c.markDirty();
      clock.advance(1);
    }
    clock.advance(200);
    expect(sent[0]).toBe('snapshot@0');
    expect(sent.length).toBeGreaterThanOrEqual(10);
    expect(sent.length).toBeLessThanOrEqual(11);
    const times = sent.map((s) => Number(s.split('@')[1]));
    for (let i = 1; i < times.length; i++) expect(times[i]! - times[i - 1]!).toBeGreaterThanOrEqual(100);
  });

  it('sends nothing when nothing changed', () => {
    const { clock, sent, c } = setup();
    c.markDirty();
    clock.advance(5000);
    expect(sent).toEqual(['snapshot@0']);
  });

  it('while hidden keeps only a dirty flag (no timers, no sends), and on reveal sends one snapshot', () => {
    const { clock, sent, c } = setup();
    c.markDirty();
    clock.advance(100);
    c.setVisible(false);
    for (let i = 0; i < 100; i++) {
      c.markDirty();
      clock.advance(50);
    }
    expect(clock.pending).toBe(0);
    expect(sent).toEqual(['snapshot@0']);
    expect(c.isDirty).toBe(true);
    c.setVisible(true);
    clock.advance(1000);
    expect(sent.slice(1)).toEqual([`snapshot@${5100}`]);
  });

  it('turns a delta that cannot be served into a snapshot', () => {
    const { clock, sent, c } = setup(true, false);
    c.markDirty();
    clock.advance(200);
    c.markDirty();
    clock.advance(200);
    expect(sent).toEqual(['snapshot@0', 'snapshot@200']);
  });

  it('answers a snapshot request at the next slot, and stops after dispose', () => {
    const { clock, sent, c } = setup();
    c.markDirty();
    clock.advance(10);
    c.requestSnapshot();
    clock.advance(200);
    c.dispose();
    c.markDirty();
    clock.advance(1000);
    expect(sent).toEqual(['snapshot@0', 'snapshot@100']);
  });
});

import { appendFileSync, mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { followMetrics, MetricsTail, parseWindowHeader, tailCommand, type TailEnd } from '../../../../src/core/metrics/metrics-tail';
import type { MetricsLine } from '../../../../src/core/metrics/parse-metrics-line';
import { groupAlive, LocalSession, waitFor } from '../../../support/local-process-session';

const line = (step: number, extra = ''): string => `{"v":1,"time":${1700000000 + step},"step":${step},"split":"train","loss":${1 / (step + 1)}${extra}}\n`;

let dir: string;
let file: string;
let sessions: LocalSession[];

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'gpu-env-tail-'));
  // The run directory has a quote and a space in its name, to exercise shell quoting.
  file = join(dir, "run 'one'", 'metrics.jsonl');
  sessions = [];
});

afterEach(() => {
  for (const s of sessions) s.drop();
  rmSync(dir, { recursive: true, force: true });
});

function session(): LocalSession {
  const s = new LocalSession();
  sessions.push(s);
  return s;
}

function collector(): { steps: number[]; lines: MetricsLine[]; tail: (startOffset?: number) => MetricsTail } {
  const steps: number[] = [];
  const lines: MetricsLine[] = [];
  return {
    steps,
    lines,
    tail: (startOffset = 0) =>
      new MetricsTail({
        path: file,
        startOffset,
        maxLineBytes: 1024,
        onLines: (batch) => {
          for (const l of batch) {
            lines.push(l);
            if (l.kind === 'point') steps.push(l.step);
          }
        },
      }),
  };
}

function mkRunDir(): void {
  mkdirSync(join(dir, "run 'one'"), { recursive: true });
}

describe('MetricsTail over a real tail -F', () => {
  it('reads what is there, follows appends, and holds a partial line until it is complete', async () => {
    mkRunDir();
    writeFileSync(file, line(0) + line(1));
    const c = collector();
    const tail = c.tail();
    const s = session();
    const done = tail.attach(s);
    await waitFor(() => c.steps.length === 2, 'existing lines');
    const partial = line(2);
    appendFileSync(file, partial.slice(0, 20));
    await new Promise((r) => setTimeout(r, 300));
    expect(c.steps).toEqual([0, 1]);
    expect(tail.offset).toBe(Buffer.byteLength(line(0) + line(1)));
    appendFileSync(file, partial.slice(20) + line(3));
    await waitFor(() => c.steps.length === 4, 'completed line');
    expect(c.steps).toEqual([0, 1, 2, 3]);
    expect(tail.offset).toBe(statSync(file).size);
    s.close();
    expect(await done).toMatch(/closed|exited/);
  });

  it('resumes after a dropped connection from the last complete line: no duplicates, no loss', async () => {
    mkRunDir();
    writeFileSync(file, line(0) + line(1) + line(2));
    const c = collector();
    const tail = c.tail();
    const first = session();
    const attached = tail.attach(first);
    await waitFor(() => c.steps.length === 3, 'first lines');
    appendFileSync(file, line(3).slice(0, 15)); // half a line when the network goes
    await new Promise((r) => setTimeout(r, 200));
    first.drop();
    expect(await attached).toMatch(/closed|exited/);
    const offsetAtDrop = tail.offset;
    appendFileSync(file, line(3).slice(15) + line(4));
    const second = session();
    const again = tail.attach(second);
    await waitFor(() => c.steps.length === 5, 'lines after reconnect');
    expect(c.steps).toEqual([0, 1, 2, 3, 4]);
    expect(second.spawned[0]).toContain(`tail -c +${offsetAtDrop + 1} `);
    second.close();
    await again;
  });

  it('loses and repeats nothing through many reconnects while the file is being written', async () => {
    mkRunDir();
    writeFileSync(file, '');
    const c = collector();
    const tail = c.tail();
    const total = 1500;
    let written = 0;
    let finished = false;
    let writer: NodeJS.Timeout | undefined;
    // Odd-sized chunks so that connections drop in the middle of lines. Each chunk's second part is
    // written before the next chunk is scheduled: with two independent timers a busy machine ran
    // the next chunk's first part in between, and the file itself held broken lines.
    const writeChunk = (): void => {
      let chunk = '';
      for (let i = 0; i < 8 && written < total; i++) chunk += line(written++);
      const cut = Math.floor(chunk.length / 3);
      appendFileSync(file, chunk.slice(0, cut));
      writer = setTimeout(() => {
        appendFileSync(file, chunk.slice(cut));
        if (written < total) writer = setTimeout(writeChunk, 10);
        else finished = true;
      }, 1);
    };
    writer = setTimeout(writeChunk, 10);
    let attaches = 0;
    while (c.steps.length < total && attaches < 20) {
      const s = session();
      const running = tail.attach(s);
      await new Promise((r) => setTimeout(r, 20 + Math.random() * 40));
      if (attaches % 2 === 0) s.drop();
      else s.close();
      await running;
      attaches++;
    }
    // The attach loop is bounded by count, so on a loaded machine it can end before the writer has
    // written everything: let the writer finish (bounded) rather than stopping it short of `total`.
    await waitFor(() => finished, 'the writer to finish', 30_000);
    clearTimeout(writer);
    const s = session();
    const last = tail.attach(s);
    await waitFor(() => c.steps.length >= total, 'all lines');
    s.close();
    await last;
    expect(attaches).toBeGreaterThan(5);
    expect(c.steps).toEqual(Array.from({ length: total }, (_, i) => i));
    expect(tail.offset).toBe(statSync(file).size);
  }, 60_000);

  it('drops over-long lines with a counter and goes on', async () => {
    mkRunDir();
    writeFileSync(file, line(0) + line(1, `,"pad":"${'x'.repeat(5000)}"`) + line(2));
    const c = collector();
    const tail = c.tail();
    const s = session();
    const done = tail.attach(s);
    await waitFor(() => c.steps.length === 2, 'lines around the long one');
    expect(c.steps).toEqual([0, 2]);
    expect(c.lines.filter((l) => l.kind === 'rejected')).toEqual([{ kind: 'rejected', reason: 'too-long' }]);
    expect(tail.stats).toMatchObject({ oversized: 1, lines: 3 });
    s.close();
    await done;
  });

  it('counts an over-long line once even when a reconnect happens in the middle of it', async () => {
    mkRunDir();
    writeFileSync(file, line(0) + 'y'.repeat(3000));
    const c = collector();
    const tail = c.tail();
    const first = session();
    const attached = tail.attach(first);
    await waitFor(() => c.steps.length === 1, 'first line');
    await new Promise((r) => setTimeout(r, 200));
    first.drop();
    await attached;
    appendFileSync(file, '\n' + line(1));
    const second = session();
    const again = tail.attach(second);
    await waitFor(() => c.steps.length === 2, 'line after the long one');
    expect(tail.stats.oversized).toBe(1);
    second.close();
    await again;
  });

  it('waits for a file that does not exist yet', async () => {
    const c = collector();
    const tail = c.tail();
    const s = session();
    const done = tail.attach(s);
    await new Promise((r) => setTimeout(r, 300));
    mkRunDir();
    writeFileSync(file, line(0));
    await waitFor(() => c.steps.length === 1, 'line of the new file', 15_000);
    s.close();
    await done;
  }, 20_000);

  it('starts from a saved offset', async () => {
    mkRunDir();
    writeFileSync(file, line(0) + line(1) + line(2));
    const c = collector();
    const tail = c.tail(Buffer.byteLength(line(0) + line(1)));
    const s = session();
    const done = tail.attach(s);
    await waitFor(() => c.steps.length === 1, 'line after offset');
    expect(c.steps).toEqual([2]);
    s.close();
    await done;
  });

  it('reports a truncated file as a reset and starts over', async () => {
    mkRunDir();
    writeFileSync(file, line(0) + line(1) + line(2));
    const c = collector();
    let resets = 0;
    const tail = new MetricsTail({ path: file, onLines: (batch) => batch.forEach((l) => l.kind === 'point' && c.steps.push(l.step)), onReset: () => resets++ });
    const s = session();
    const done = tail.attach(s);
    await waitFor(() => c.steps.length === 3, 'first lines');
    writeFileSync(file, line(7));
    const end: TailEnd = await done;
    expect(end).toBe('reset');
    expect(resets).toBe(1);
    expect(tail.offset).toBe(0);
    const again = tail.attach(s);
    await waitFor(() => c.steps.includes(7), 'line of the new content');
    s.close();
    await again;
  });

  it('leaves no tail behind when the channel closes (stdin EOF)', async () => {
    mkRunDir();
    writeFileSync(file, line(0));
    const s = session();
    const proc = await s.spawn(tailCommand(file, 0));
    const groups = s.liveGroups();
    expect(groups).toHaveLength(1);
    proc.stdin.end(); // only EOF, no signal: the wrapper must kill tail itself
    await proc.exit;
    await waitFor(() => !groupAlive(groups[0]!), 'tail to exit');
  });

  it('stops on abort', async () => {
    mkRunDir();
    writeFileSync(file, line(0));
    const tail = collector().tail();
    const controller = new AbortController();
    const done = tail.attach(session(), controller.signal);
    controller.abort();
    expect(await done).toBe('aborted');
  });
});

describe('MetricsTail newest first (a re-attach to a long file)', () => {
  const windowBytes = 10_000;

  function lines(from: number, to: number): string {
    let text = '';
    for (let step = from; step < to; step++) text += line(step);
    return text;
  }

  /** Everything the tail hands out, in the order it happens. */
  function recorder() {
    const log: { kind: 'live' | 'history' | 'complete' | 'abandon'; steps: number[] }[] = [];
    const stepsOf = (batch: readonly MetricsLine[]): number[] => batch.flatMap((l) => (l.kind === 'point' ? [l.step] : []));
    const tail = new MetricsTail({
      path: file,
      maxLineBytes: 1024,
      onLines: (batch) => log.push({ kind: 'live', steps: stepsOf(batch) }),
      newestFirst: {
        windowBytes,
        history: () => ({
          ingest: (batch) => log.push({ kind: 'history', steps: stepsOf(batch) }),
          complete: () => log.push({ kind: 'complete', steps: [] }),
          abandon: () => log.push({ kind: 'abandon', steps: [] }),
        }),
      },
    });
    const steps = (kind: 'live' | 'history'): number[] => log.filter((e) => e.kind === kind).flatMap((e) => e.steps);
    return { log, tail, steps };
  }

  it('hands out the end of the file first, then every line before it once, and goes on following', async () => {
    mkRunDir();
    writeFileSync(file, lines(0, 2000));
    const { log, tail, steps } = recorder();
    const s = session();
    const done = tail.attach(s);
    await waitFor(() => log.some((e) => e.kind === 'complete'), 'the history to complete');
    const live = steps('live');
    const history = steps('history');
    // The first thing handed out is the newest lines, ending with the last one of the file.
    expect(log[0]!.kind).toBe('live');
    expect(live[live.length - 1]).toBe(1999);
    expect(live[0]).toBeGreaterThan(0);
    expect(Buffer.byteLength(lines(live[0]!, 2000))).toBeLessThanOrEqual(windowBytes);
    // No history before the window was handed out, and together they are the file, in order, once.
    const firstHistory = log.findIndex((e) => e.kind === 'history');
    expect(log.slice(0, firstHistory).flatMap((e) => e.steps)).toEqual(live);
    expect([...history, ...live]).toEqual(Array.from({ length: 2000 }, (_, i) => i));
    expect(log.filter((e) => e.kind === 'complete' || e.kind === 'abandon')).toHaveLength(1);
    expect(s.spawned.some((c) => c.startsWith(`head -c ${Buffer.byteLength(lines(0, live[0]!))} `))).toBe(true);
    // One command to the first lines: it measures the file and follows its end (no size probe first).
    expect(s.spawned.filter((c) => !c.startsWith('head '))).toHaveLength(1);
    expect(tail.historyPending).toBe(false);
    appendFileSync(file, line(2000));
    await waitFor(() => steps('live').includes(2000), 'a line written after the re-attach');
    s.close();
    await done;
  });

  it('reads the history again, into a new sink, after the connection dropped while it was read', async () => {
    mkRunDir();
    writeFileSync(file, lines(0, 30_000));
    const { log, tail, steps } = recorder();
    const first = session();
    const attached = tail.attach(first);
    await waitFor(() => log.some((e) => e.kind === 'history'), 'the history to start');
    first.drop();
    await attached;
    expect(log.filter((e) => e.kind === 'complete')).toHaveLength(0);
    expect(log.filter((e) => e.kind === 'abandon')).toHaveLength(1);
    expect(tail.historyPending).toBe(true);
    const liveBefore = steps('live');
    log.length = 0;
    const second = session();
    const again = tail.attach(second);
    await waitFor(() => log.some((e) => e.kind === 'complete'), 'the history to complete', 20_000);
    // The follow resumed where it was (nothing handed out twice), the history came whole.
    expect(steps('live')).toEqual([]);
    expect([...steps('history'), ...liveBefore]).toEqual(Array.from({ length: 30_000 }, (_, i) => i));
    second.close();
    await again;
  }, 30_000);

  it('follows a file shorter than the window from its start, with no history to read', async () => {
    mkRunDir();
    writeFileSync(file, lines(0, 10));
    const { log, tail, steps } = recorder();
    const s = session();
    const done = tail.attach(s);
    await waitFor(() => steps('live').length === 10, 'the lines');
    expect(steps('live')).toEqual(Array.from({ length: 10 }, (_, i) => i));
    expect(log.every((e) => e.kind === 'live')).toBe(true);
    expect(tail.historyPending).toBe(false);
    expect(s.spawned).toHaveLength(1);
    s.close();
    await done;
  });

  it('waits for a file that is not there yet and follows it from its start', async () => {
    const { log, tail, steps } = recorder();
    const s = session();
    const done = tail.attach(s);
    await new Promise((r) => setTimeout(r, 300));
    mkRunDir();
    writeFileSync(file, lines(0, 5));
    await waitFor(() => steps('live').length === 5, 'the lines');
    expect(steps('live')).toEqual([0, 1, 2, 3, 4]);
    expect(log.every((e) => e.kind === 'live')).toBe(true);
    expect(tail.historyPending).toBe(false);
    s.close();
    await done;
  });

  it('a shell that prints before the command: the attach ends, and the next one follows the whole file from its start', async () => {
    mkRunDir();
    writeFileSync(file, lines(0, 2000));
    const { tail, steps } = recorder();
    const chatty = session();
    const spawn = chatty.spawn.bind(chatty);
    chatty.spawn = (command) => spawn(`echo 'Welcome to the cluster'; ${command}`);
    expect(await tail.attach(chatty)).toBe('exited');
    expect(steps('live')).toEqual([]);
    const s = session();
    const done = tail.attach(s);
    await waitFor(() => steps('live').length === 2000, 'every line');
    expect(steps('live')).toEqual(Array.from({ length: 2000 }, (_, i) => i));
    expect(s.spawned[0]).toMatch(/^tail -c \+1 /);
    s.close();
    await done;
  });
});

describe('parseWindowHeader', () => {
  it('reads "OFFSET SIZE" and refuses anything else', () => {
    expect(parseWindowHeader('0 0')).toEqual({ offset: 0, size: 0 });
    expect(parseWindowHeader('16777216 17825792\r')).toEqual({ offset: 16_777_216, size: 17_825_792 });
    for (const bad of ['', '12', '5 3', '-1 4', '1 2 3', 'Welcome', '1e3 2000', '1234567890123456 1234567890123457']) expect(parseWindowHeader(bad), bad).toBeUndefined();
  });
});

describe('followMetrics', () => {
  it('reconnects after drops and delivers every line once', async () => {
    mkRunDir();
    writeFileSync(file, line(0));
    const c = collector();
    const tail = c.tail();
    const controller = new AbortController();
    let current: LocalSession | undefined;
    const connects: number[] = [];
    const following = followMetrics(
      tail,
      async () => {
        connects.push(Date.now());
        if (connects.length === 2) throw new Error('connection refused');
        current = session();
        return current;
      },
      controller.signal,
      { baseDelayMs: 10, maxDelayMs: 20 },
    );
    await waitFor(() => c.steps.length === 1, 'first line');
    current!.drop();
    appendFileSync(file, line(1) + line(2));
    await waitFor(() => c.steps.length === 3, 'lines after reconnect');
    controller.abort();
    await following;
    expect(c.steps).toEqual([0, 1, 2]);
    expect(connects.length).toBeGreaterThanOrEqual(3);
  });
});

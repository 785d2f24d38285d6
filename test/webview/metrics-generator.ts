/**
 * Development-only stand-in for a real training run's metrics.jsonl (the training templates will
 * produce real ones; point GPU_ENV_METRICS_FIXTURE at one, or drop it at
 * test/fixtures/metrics/real-run.jsonl). Deterministic: a seeded PRNG, a loss that decays with
 * noise, a cosine learning-rate schedule, a validation line per epoch, a resume in the middle.
 */

export interface GeneratedRun {
  readonly startTime: number;
  readonly epochs: number;
  readonly stepsPerEpoch: number;
  readonly stepSeconds: number;
  readonly seed: number;
}

export const DEFAULT_RUN: GeneratedRun = { startTime: 1_717_000_000, epochs: 6, stepsPerEpoch: 200, stepSeconds: 0.25, seed: 7 };

function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function generateMetrics(run: GeneratedRun = DEFAULT_RUN): string {
  const random = prng(run.seed);
  const total = run.epochs * run.stepsPerEpoch;
  const lines: string[] = [JSON.stringify({ v: 1, time: run.startTime, event: 'start' })];
  for (let step = 0; step < total; step++) {
    const time = run.startTime + 1 + step * run.stepSeconds;
    const epoch = step / run.stepsPerEpoch;
    const progress = step / total;
    const loss = 2.3 * Math.exp(-3 * progress) + 0.08 + 0.15 * (random() - 0.5) * (1 - progress);
    const accuracy = Math.min(0.995, 1 - loss / 2.6 + 0.02 * (random() - 0.5));
    const lr = 0.05 * 0.5 * (1 + Math.cos(Math.PI * progress));
    lines.push(JSON.stringify({ v: 1, time: round(time), step, epoch: round(epoch), split: 'train', loss: round(loss), accuracy: round(accuracy), lr: round(lr), images_per_s: Math.round(24000 + 3000 * random()), grad_norm: round(1 + random()) }));
    if ((step + 1) % run.stepsPerEpoch === 0) {
      lines.push(JSON.stringify({ v: 1, time: round(time + 0.1), step, epoch: (step + 1) / run.stepsPerEpoch, split: 'val', loss: round(loss * 1.1 + 0.05), accuracy: round(accuracy - 0.02) }));
      lines.push(JSON.stringify({ v: 1, time: round(time + 0.2), event: 'checkpoint', step }));
    }
    if (step === Math.floor(total / 2)) lines.push(JSON.stringify({ v: 1, time: round(time + 0.3), event: 'resume', step }));
  }
  lines.push(JSON.stringify({ v: 1, time: run.startTime + 2 + total * run.stepSeconds, event: 'end' }));
  return lines.join('\n') + '\n';
}

function round(x: number): number {
  return Math.round(x * 1e6) / 1e6;
}

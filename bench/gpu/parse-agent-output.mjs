// The host's agent-line parser (src/core/gpu/parse-agent-line.ts, bundled from source with esbuild)
// on a file of real agent output: prints one JSON summary and exits 1 if any line was rejected or
// no sample had a usable GPU reading.
//   node bench/gpu/parse-agent-output.mjs agent.jsonl
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import * as esbuild from 'esbuild';

const root = resolve(import.meta.dirname, '..', '..');
const file = process.argv[2];
if (!file) {
  console.error('usage: node bench/gpu/parse-agent-output.mjs AGENT_OUTPUT.jsonl');
  process.exit(2);
}
const bundle = await esbuild.build({
  entryPoints: [join(root, 'src/core/gpu/parse-agent-line.ts')], bundle: true, write: false, format: 'esm', platform: 'node', logLevel: 'error',
});
const { parseAgentLine } = await import(`data:text/javascript;base64,${Buffer.from(bundle.outputFiles[0].text).toString('base64')}`);

const lines = readFileSync(file, 'utf8').split('\n').filter((line) => line.trim() !== '');
const summary = { lines: lines.length, kinds: {}, rejected: [], warnings: [], source: null, devices: 0, samplesWithGpus: 0 };
for (const line of lines) {
  const parsed = parseAgentLine(line);
  const kind = parsed.ok ? parsed.kind : 'rejected';
  summary.kinds[kind] = (summary.kinds[kind] ?? 0) + 1;
  if (!parsed.ok) {
    summary.rejected.push(parsed.reason);
    continue;
  }
  if (parsed.kind === 'hello') {
    summary.source = parsed.hello.source;
    continue;
  }
  for (const warning of parsed.sample.warnings) if (!summary.warnings.includes(warning)) summary.warnings.push(warning);
  const gpu = parsed.sample.gpu;
  if (gpu.available && gpu.devices.length > 0) {
    summary.samplesWithGpus += 1;
    summary.devices = Math.max(summary.devices, gpu.devices.length);
  }
}
console.log(JSON.stringify(summary));
process.exitCode = summary.rejected.length === 0 && summary.samplesWithGpus > 0 ? 0 : 1;

// GPU sampling cost. In the stand-in container: CPU time per sample of the long-lived agent
// (media/agent/gpu_env_agent.py --bench, its own CPU from the kernel) next to what other VS Code
// GPU extensions do, one process spawned per sample (a minimal `python3 -c` reading the same
// cgroup files, our agent started per sample, and `nvidia-smi --query-gpu` where it exists).
// On the host: CPU per agent line of the parser (src/core/gpu/parse-agent-line.ts, bundled on the
// fly with esbuild) next to bare JSON.parse of the same line. Methods alternate in every round.
//
//   node bench/sampling.mjs [--quick] [--image IMAGE]     (uses DOCKER_HOST like the docker CLI)
//   or through `npm run bench` / bench/run.sh, which calls sampling({ quick, baseImage }).
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import * as esbuild from 'esbuild';
import { printTable, row, stats } from './lib.mjs';

const root = resolve(import.meta.dirname, '..');
const DEFAULT_IMAGE = 'gpu-env-test/trixie-torch:dev';

// Runs inside the container. Prints one JSON object per round.
const DRIVER = String.raw`
import json, os, shutil, subprocess, sys, time
cfg = json.loads(sys.argv[1])
with open('/tmp/gpu_env_agent.py', 'w') as f:
    f.write(cfg['agent'])
PY = sys.executable
READ_ONCE = ("import json,os\n"
    "def r(p):\n"
    "    try:\n"
    "        return open(p).read()\n"
    "    except OSError:\n"
    "        return None\n"
    "fs=['/sys/fs/cgroup/cpu.stat','/sys/fs/cgroup/memory.current','/sys/fs/cgroup/memory.max',"
    "'/sys/fs/cgroup/cpuacct/cpuacct.usage','/sys/fs/cgroup/memory/memory.usage_in_bytes',"
    "'/sys/fs/cgroup/memory/memory.limit_in_bytes','/proc/meminfo']\n"
    "print(json.dumps({p: r(p) for p in fs}))\n")

def cpu_of_spawns(argv, n):
    """CPU of n spawned processes (children) plus the spawning itself (this process), per spawn."""
    before, wall = os.times(), time.monotonic()
    for _ in range(n):
        subprocess.run(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    after, wall = os.times(), time.monotonic() - wall
    cpu = sum(getattr(after, k) - getattr(before, k) for k in ('user', 'system', 'children_user', 'children_system'))
    return {'cpuMs': cpu * 1000 / n, 'wallMs': wall * 1000 / n}

def agent_bench(n, interval):
    out = subprocess.run([PY, '/tmp/gpu_env_agent.py', '--bench', str(n), '--interval-ms', str(interval)],
                         capture_output=True, check=True)
    result = json.loads(out.stdout)
    return {'cpuMs': result['cpuMsPerSample'], 'procStatMs': result['procStatCpuMsPerSample'],
            'source': result['source'], 'cpuSource': result['cpuSource']}

methods = {
    'agent': lambda: agent_bench(cfg['samples'], cfg['intervalMs']),
    'agentFakeNvml': None,
    'spawnPython': lambda: cpu_of_spawns([PY, '-c', READ_ONCE], cfg['spawns']),
    'spawnAgent': lambda: cpu_of_spawns([PY, '/tmp/gpu_env_agent.py', '--count', '1', '--interval-ms', '1'], cfg['spawns']),
}
# The agent's own ctypes work for 2 GPUs against a fake libnvidia-ml (driver time excluded),
# where a C compiler exists; a real GPU adds the driver's ~0.1 ms per call on top.
cc = shutil.which('cc') or shutil.which('gcc')
if cc and subprocess.run([cc, '-shared', '-fPIC', '-O1', '-o', '/tmp/libfake-nvml.so', '-x', 'c', '-'],
                         input=cfg['fakeNvml'].encode()).returncode == 0:
    def fake_nvml_bench():
        os.environ['GPU_ENV_NVML_LIBRARY'] = '/tmp/libfake-nvml.so'
        try:
            return agent_bench(cfg['samples'], cfg['intervalMs'])
        finally:
            del os.environ['GPU_ENV_NVML_LIBRARY']
    methods['agentFakeNvml'] = fake_nvml_bench
else:
    del methods['agentFakeNvml']
smi = shutil.which('nvidia-smi')
if smi:
    methods['spawnNvidiaSmi'] = lambda: cpu_of_spawns(
        [smi, '--query-gpu=index,utilization.gpu,memory.used,memory.total', '--format=csv,noheader,nounits'], cfg['spawns'])
names = list(methods)
for i in range(cfg['rounds']):
    order = names if i % 2 == 0 else list(reversed(names))
    print(json.dumps({name: methods[name]() for name in order}), flush=True)
sample = subprocess.run([PY, '/tmp/gpu_env_agent.py', '--count', '2', '--interval-ms', '100'], capture_output=True, check=True)
print(json.dumps({'agentLines': sample.stdout.decode().splitlines()}), flush=True)
`;

function inContainer(image, config) {
  const args = ['run', '--rm', '-i', '--cpus', '1', '--memory', '1g', '--entrypoint', 'python3', image, '-', JSON.stringify(config)];
  const done = spawnSync('docker', args, { input: DRIVER, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024, timeout: 1_200_000 });
  if (done.status !== 0) throw new Error(`docker run failed (${done.status}): ${done.stderr?.slice(-2000) ?? done.error}`);
  const objects = done.stdout.trim().split('\n').map((line) => JSON.parse(line));
  return { rounds: objects.filter((o) => !o.agentLines), agentLines: objects.find((o) => o.agentLines).agentLines };
}

async function loadParser() {
  const bundle = await esbuild.build({
    entryPoints: [join(root, 'src/core/gpu/parse-agent-line.ts')], bundle: true, write: false, format: 'esm', platform: 'node', logLevel: 'error',
  });
  const url = `data:text/javascript;base64,${Buffer.from(bundle.outputFiles[0].text).toString('base64')}`;
  return (await import(url)).parseAgentLine;
}

/** CPU µs per line for `fn` over `lines`, one figure per round. */
function cpuPerLine(fn, lines, iterations) {
  const start = process.cpuUsage();
  for (let i = 0; i < iterations; i++) fn(lines[i % lines.length]);
  const used = process.cpuUsage(start);
  return (used.user + used.system) / iterations;
}

function hostParser(parseAgentLine, lineSets, rounds, iterations) {
  const results = {};
  for (const [name, lines] of Object.entries(lineSets)) {
    for (const l of lines) if (!parseAgentLine(l).ok) throw new Error(`bench line rejected: ${l.slice(0, 200)}`);
    const parser = [];
    const jsonParse = [];
    for (let r = 0; r < rounds; r++) {
      const pair = [() => parser.push(cpuPerLine(parseAgentLine, lines, iterations)), () => jsonParse.push(cpuPerLine(JSON.parse, lines, iterations))];
      for (const measure of r % 2 === 0 ? pair : pair.reverse()) measure();
    }
    results[name] = { parser, jsonParse };
  }
  return results;
}

function fixtureLines(name) {
  return readFileSync(join(root, 'test/fixtures/gpu', name), 'utf8').split('\n').filter((l) => l.includes('"type":"sample"'));
}

export async function sampling({ quick = false, baseImage } = {}) {
  const image = process.env.GPU_ENV_BENCH_SAMPLING_IMAGE ?? baseImage ?? DEFAULT_IMAGE;
  const config = {
    agent: readFileSync(join(root, 'media/agent/gpu_env_agent.py'), 'utf8'),
    fakeNvml: readFileSync(join(root, 'test/python/fake_nvml.c'), 'utf8'),
    rounds: quick ? 3 : 7, samples: quick ? 300 : 1000, intervalMs: 5, spawns: quick ? 20 : 60,
  };
  const container = inContainer(image, config);
  const series = (key, field = 'cpuMs') => container.rounds.filter((r) => r[key]).map((r) => r[key][field]);
  const parseAgentLine = await loadParser();
  const lineSets = {
    'no GPU (real, stand-in image)': container.agentLines.filter((l) => l.includes('"type":"sample"')),
    '2 GPUs, NVML shape (constructed fixture)': fixtureLines('agent-fake-nvml.constructed.jsonl'),
  };
  const host = hostParser(parseAgentLine, lineSets, quick ? 3 : 7, quick ? 20_000 : 100_000);

  const agent = stats(series('agent'));
  const rows = [
    row('agent CPU per sample (long-lived, in container)', agent, stats(series('spawnPython'))),
    row('agent CPU per sample vs our agent spawned per sample', agent, stats(series('spawnAgent'))),
  ];
  if (series('spawnNvidiaSmi').length) rows.push(row('agent CPU per sample vs nvidia-smi spawned per sample', agent, stats(series('spawnNvidiaSmi'))));
  if (series('agentFakeNvml').length) {
    rows.push(row('agent CPU per sample, 2 GPUs via fake NVML (ctypes only)', stats(series('agentFakeNvml')), stats(series('spawnPython'))));
  }
  const hostRows = Object.entries(host).map(([name, r]) => row(`host parser per line, ${name}`, stats(r.parser), stats(r.jsonParse), 'µs'));
  printTable(`Sampling cost in ${image} (${config.rounds} alternating rounds; agent ${config.samples} samples/round at ${config.intervalMs} ms; ${config.spawns} spawns/round; baseline: one process per sample)`, rows);
  printTable('Host parser CPU per agent line (baseline: JSON.parse of the same line)', hostRows);
  const wall = stats(series('spawnPython', 'wallMs'));
  for (const r of rows) console.log(`  ${r.name}: the per-sample spawn costs ${(r.baseline.median / r.value.median).toFixed(0)}× the agent's CPU`);
  console.log(`  python3 -c per sample: ${wall.median.toFixed(1)} ms wall; agent source: ${container.rounds[0].agent.source}, cgroup: ${container.rounds[0].agent.cpuSource}; target ≤ 0.5 ms CPU/sample in the agent: ${agent.median <= 0.5 ? 'met' : 'NOT met'}`);
  return {
    rows: [...rows, ...hostRows].map(({ name, value, baseline, unit }) => ({ name, unit, value, baseline, ratio: value.median / baseline.median })),
    raw: { container: container.rounds, host },
    image,
  };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const at = process.argv.indexOf('--image');
  await sampling({ quick: process.argv.includes('--quick'), baseImage: at > 0 ? process.argv[at + 1] : undefined });
}

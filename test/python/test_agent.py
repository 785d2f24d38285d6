"""Tests of media/agent/gpu_env_agent.py (standard library unittest, no GPU needed).

Run on the host:           python3 -m unittest discover -s test/python -v
Run in the stand-in image: docker run --rm -v "$PWD":/src:ro -w /src \
                             gpu-env-test/trixie-torch:dev python3 -m unittest discover -s test/python -v

The NVML tests compile test/python/fake_nvml.c with the C compiler found on PATH and are skipped
(with the reason printed) where there is none.
"""

import importlib.util
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
AGENT = os.path.join(REPO, "media", "agent", "gpu_env_agent.py")
FAKE_SMI = os.path.join(HERE, "fake_nvidia_smi.py")
FAKE_NVML_SOURCE = os.path.join(HERE, "fake_nvml.c")


def load_agent_module():
    spec = importlib.util.spec_from_file_location("gpu_env_agent", AGENT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


agent = load_agent_module()


def run_agent(args, env_extra=None, timeout=30):
    env = dict(os.environ)
    env.setdefault("GPU_ENV_NVML_LIBRARY", "/nonexistent/libnvidia-ml.so.1")
    env["PATH"] = "/usr/bin:/bin"
    env.update(env_extra or {})
    done = subprocess.run([sys.executable, AGENT, *args], capture_output=True, env=env, timeout=timeout)
    lines = [json.loads(line) for line in done.stdout.decode().splitlines() if line]
    return done, lines


def write(path, text):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as handle:
        handle.write(text)


def overwrite_in_place(path, text):
    """Keep the inode: the sampler preads a descriptor it opened once, like the kernel's files."""
    with open(path, "r+") as handle:
        handle.seek(0)
        handle.truncate()
        handle.write(text)


MEMINFO = "MemTotal:       16384000 kB\nMemFree:         8000000 kB\nMemAvailable:   12000000 kB\n"


class FakeRoot:
    def __init__(self):
        self.path = tempfile.mkdtemp(prefix="gpu-env-agent-root-")
        write(self.file("proc/meminfo"), MEMINFO)
        write(self.file("proc/stat"), "cpu  100 0 100 800 0 0 0 0 0 0\ncpu0 100 0 100 800 0 0 0 0\n")

    def file(self, relative):
        return os.path.join(self.path, relative)

    def cleanup(self):
        shutil.rmtree(self.path, ignore_errors=True)


class ContainerSamplerCgroupV2Test(unittest.TestCase):
    def setUp(self):
        self.root = FakeRoot()
        cg = "sys/fs/cgroup/"
        write(self.root.file(cg + "cgroup.controllers"), "cpu memory\n")
        write(self.root.file("proc/self/cgroup"), "0::/\n")
        write(self.root.file(cg + "cpu.stat"), "usage_usec 1000000\nuser_usec 600000\n")
        write(self.root.file(cg + "cpu.max"), "150000 100000\n")
        write(self.root.file(cg + "memory.current"), "600000000\n")
        write(self.root.file(cg + "memory.max"), "1073741824\n")
        write(self.root.file(cg + "memory.stat"), "anon 400000000\ninactive_file 100000000\n")

    def tearDown(self):
        self.root.cleanup()

    def test_reads_usage_limits_and_subtracts_inactive_cache(self):
        sampler = agent.ContainerSampler(self.root.path)
        self.assertEqual(sampler.describe(), {"cpuSource": "cgroup2", "memorySource": "cgroup2"})
        overwrite_in_place(self.root.file("sys/fs/cgroup/cpu.stat"), "usage_usec 1100000\n")
        time.sleep(0.2)
        usage = sampler.sample()
        self.assertEqual(usage["memoryUsedBytes"], 500000000)
        self.assertEqual(usage["memoryLimitBytes"], 1073741824)
        self.assertTrue(usage["memoryLimited"])
        self.assertEqual(usage["cpuLimitCores"], 1.5)
        # 0.1 s of CPU over ~0.2 s of wall time: ~50 % of one core (bounded by timer jitter).
        self.assertGreater(usage["cpuPercent"], 20.0)
        self.assertLessEqual(usage["cpuPercent"], 55.0)

    def test_unlimited_memory_falls_back_to_host_total(self):
        overwrite_in_place(self.root.file("sys/fs/cgroup/memory.max"), "max\n")
        overwrite_in_place(self.root.file("sys/fs/cgroup/cpu.max"), "max 100000\n")
        usage = agent.ContainerSampler(self.root.path).sample()
        self.assertFalse(usage["memoryLimited"])
        self.assertEqual(usage["memoryLimitBytes"], 16384000 * 1024)
        self.assertIsNone(usage["cpuLimitCores"])


class ContainerSamplerCgroupV1Test(unittest.TestCase):
    def setUp(self):
        self.root = FakeRoot()
        cg = "sys/fs/cgroup/"
        write(self.root.file("proc/self/cgroup"), "4:memory:/docker/abc\n2:cpu,cpuacct:/docker/abc\n")
        write(self.root.file(cg + "cpu,cpuacct/cpuacct.usage"), "5000000000\n")
        write(self.root.file(cg + "cpu,cpuacct/cpu.cfs_quota_us"), "-1\n")
        write(self.root.file(cg + "cpu,cpuacct/cpu.cfs_period_us"), "100000\n")
        write(self.root.file(cg + "memory/memory.usage_in_bytes"), "300000000\n")
        write(self.root.file(cg + "memory/memory.limit_in_bytes"), "9223372036854771712\n")
        write(self.root.file(cg + "memory/memory.stat"), "inactive_file 1\ntotal_inactive_file 50000000\n")

    def tearDown(self):
        self.root.cleanup()

    def test_v1_files_with_unlimited_sentinel(self):
        sampler = agent.ContainerSampler(self.root.path)
        self.assertEqual(sampler.describe(), {"cpuSource": "cgroup1", "memorySource": "cgroup1"})
        usage = sampler.sample()
        self.assertEqual(usage["memoryUsedBytes"], 250000000)
        self.assertFalse(usage["memoryLimited"])
        self.assertIsNone(usage["cpuLimitCores"])

    def test_v1_cpu_percent_from_nanoseconds(self):
        sampler = agent.ContainerSampler(self.root.path)
        overwrite_in_place(self.root.file("sys/fs/cgroup/cpu,cpuacct/cpuacct.usage"), "5100000000\n")
        time.sleep(0.2)
        percent = sampler.sample()["cpuPercent"]
        self.assertGreater(percent, 20.0)
        self.assertLessEqual(percent, 55.0)


class ContainerSamplerProcFallbackTest(unittest.TestCase):
    def test_proc_stat_and_meminfo_when_no_cgroup_files(self):
        root = FakeRoot()
        try:
            sampler = agent.ContainerSampler(root.path)
            self.assertEqual(sampler.describe(), {"cpuSource": "proc", "memorySource": "proc"})
            usage = sampler.sample()
            self.assertEqual(usage["memoryUsedBytes"], (16384000 - 12000000) * 1024)
            self.assertEqual(usage["memoryLimitBytes"], 16384000 * 1024)
        finally:
            root.cleanup()


class NoDriverTest(unittest.TestCase):
    def test_cpu_and_memory_only_with_no_driver_reason(self):
        done, lines = run_agent(["--count", "3", "--interval-ms", "100"])
        self.assertEqual(done.returncode, 0, done.stderr)
        hello, samples = lines[0], lines[1:]
        self.assertEqual(hello["type"], "hello")
        self.assertEqual(hello["source"], "none")
        self.assertEqual(hello["gpu"]["available"], False)
        self.assertEqual(hello["gpu"]["code"], "no-driver")
        self.assertEqual(hello["gpu"]["reason"], "no NVIDIA driver in this environment")
        self.assertIn("nvidia-smi is not on PATH", hello["gpu"]["detail"])
        self.assertEqual([s["seq"] for s in samples], [1, 2, 3])
        for sample in samples:
            self.assertEqual(sample["gpu"]["reason"], "no NVIDIA driver in this environment")
            self.assertNotIn("detail", sample["gpu"])
            self.assertGreater(sample["container"]["memoryUsedBytes"], 0)
            self.assertGreater(sample["container"]["memoryLimitBytes"], 0)
            self.assertGreaterEqual(sample["container"]["cpuPercent"], 0.0)

    def test_rejects_bad_interval(self):
        done, _ = run_agent(["--interval-ms", "0"])
        self.assertEqual(done.returncode, 2)
        self.assertIn("--interval-ms", done.stderr.decode())


def compile_fake_nvml(directory):
    compiler = shutil.which("cc") or shutil.which("gcc")
    if compiler is None:
        return None
    output = os.path.join(directory, "libfake-nvml.so")
    subprocess.run([compiler, "-shared", "-fPIC", "-O1", "-o", output, FAKE_NVML_SOURCE], check=True)
    return output


class NvmlTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.mkdtemp(prefix="gpu-env-fake-nvml-")
        cls.library = compile_fake_nvml(cls.tmp)

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.tmp, ignore_errors=True)

    def setUp(self):
        if self.library is None:
            self.skipTest("no C compiler to build the fake libnvidia-ml")

    def test_devices_fields_units_and_unsupported_as_null(self):
        done, lines = run_agent(["--count", "2", "--interval-ms", "100"], {"GPU_ENV_NVML_LIBRARY": self.library})
        self.assertEqual(done.returncode, 0, done.stderr)
        hello = lines[0]
        self.assertEqual(hello["source"], "nvml")
        self.assertEqual(hello["gpu"], {"available": True, "source": "nvml", "deviceCount": 2})
        zero, one = lines[1]["gpu"]["devices"]
        self.assertEqual(zero["name"], "Fake GPU Zero")
        self.assertEqual(zero["uuid"], "GPU-fake-0000")
        self.assertEqual(zero["utilizationGpuPercent"], 93)
        self.assertEqual(zero["utilizationMemoryPercent"], 41)
        self.assertEqual(zero["memoryUsedBytes"], 21582495744)
        self.assertEqual(zero["memoryTotalBytes"], 25757220864)
        self.assertEqual(zero["temperatureC"], 67)
        self.assertEqual(zero["powerDrawW"], 351.25)
        self.assertEqual(zero["powerLimitW"], 450.0)
        self.assertEqual(zero["smClockMHz"], 2520)
        self.assertEqual(zero["fanPercent"], 55)
        self.assertEqual(zero["pstate"], "P2")
        self.assertIsNone(zero["migEnabled"])
        # 24-byte records read correctly: the second entry lines up, and "not available" is null.
        self.assertEqual(
            zero["processes"], [{"pid": 4242, "usedMemoryBytes": 1073741824}, {"pid": 4343, "usedMemoryBytes": None}]
        )
        self.assertNotIn("errors", zero)
        self.assertIsNone(one["utilizationGpuPercent"])
        self.assertIsNone(one["fanPercent"])
        self.assertIsNone(one["temperatureC"])
        self.assertIsNone(one["pstate"])
        self.assertTrue(one["migEnabled"])
        self.assertIsNone(one["powerDrawW"])
        self.assertIsNone(one["processes"])
        self.assertEqual(one["errors"], {"power": "GPU is lost", "processes": "Insufficient Permissions"})

    def test_init_failure_names_nvml_error(self):
        done, lines = run_agent(
            ["--count", "1", "--interval-ms", "100"],
            {"GPU_ENV_NVML_LIBRARY": self.library, "FAKE_NVML_SCENARIO": "init-fail"},
        )
        self.assertEqual(done.returncode, 0, done.stderr)
        self.assertEqual(
            lines[0]["gpu"],
            {"available": False, "code": "nvml-init-failed", "reason": "NVML init failed: Unknown Error"},
        )
        self.assertEqual(lines[1]["gpu"]["code"], "nvml-init-failed")
        self.assertIn("cpuPercent", lines[1]["container"])


class CountingNvml:
    """Stands in for agent.Nvml in-process: answers every query and counts the calls."""

    def __init__(self):
        self.calls = {}

    def _count(self, name):
        self.calls[name] = self.calls.get(name, 0) + 1

    def init(self):
        self._count("init")

    def device_count(self):
        return 1

    def handle(self, index):
        return index

    def text(self, function, handle):
        self._count(function)
        return "GPU-counting" if "UUID" in function else "Counting GPU"

    def mig_enabled(self, handle):
        self._count("mig")
        raise agent.NvmlError(agent.NVML_ERROR_NOT_SUPPORTED, "Not Supported")

    def uint(self, function, handle, *args):
        self._count(function)
        return 1000

    def utilization(self, handle):
        self._count("utilization")
        return 50, 10

    def memory(self, handle):
        self._count("memory")
        return 1, 2

    def pstate(self, handle):
        self._count("pstate")
        return "P0"

    def processes(self, handle):
        self._count("processes")
        return [{"pid": self.calls["processes"], "usedMemoryBytes": 1}]


class NvmlCallTieringTest(unittest.TestCase):
    def test_slow_fields_every_five_seconds_fast_fields_every_sample(self):
        nvml = CountingNvml()
        source = agent.NvmlSource(nvml, interval_ms=1000)
        self.assertEqual(source.slow_every, 5)
        samples = [source.sample() for _ in range(10)]
        self.assertEqual(nvml.calls["utilization"], 10)
        self.assertEqual(nvml.calls["memory"], 10)
        self.assertEqual(nvml.calls["nvmlDeviceGetPowerUsage"], 10)
        self.assertEqual(nvml.calls["nvmlDeviceGetTemperature"], 10)
        for slow in (
            "processes",
            "pstate",
            "nvmlDeviceGetFanSpeed",
            "nvmlDeviceGetClockInfo",
            "nvmlDeviceGetEnforcedPowerLimit",
        ):
            self.assertEqual(nvml.calls[slow], 2, slow)
        self.assertEqual(nvml.calls["nvmlDeviceGetName"], 1)
        # Slow values are reused between refreshes, never dropped to null.
        pids = [s["devices"][0]["processes"][0]["pid"] for s in samples]
        self.assertEqual(pids, [1] * 5 + [2] * 5)
        self.assertTrue(all(s["devices"][0]["fanPercent"] == 1000 for s in samples))
        self.assertTrue(all(s["devices"][0]["powerLimitW"] == 1.0 for s in samples))

    def test_fast_interval_still_refreshes_slow_fields_about_every_five_seconds(self):
        self.assertEqual(agent.NvmlSource(CountingNvml(), interval_ms=100).slow_every, 50)
        self.assertEqual(agent.NvmlSource(CountingNvml(), interval_ms=60000).slow_every, 1)


class NvidiaSmiFallbackTest(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix="gpu-env-fake-smi-")
        bin_dir = os.path.join(self.tmp, "bin")
        os.makedirs(bin_dir)
        wrapper = os.path.join(bin_dir, "nvidia-smi")
        write(wrapper, f'#!/bin/sh\nexec {sys.executable} {FAKE_SMI} "$@"\n')
        os.chmod(wrapper, 0o755)
        self.spawn_log = os.path.join(self.tmp, "spawns.log")
        self.lines_file = os.path.join(self.tmp, "lines.csv")
        # CONSTRUCTED lines in the agent's column order (index first); the agent does not parse
        # them, it only keys them by index and passes them through.
        write(
            self.lines_file,
            "0, GPU-a, Card A, 10, 5, 100, 1000, 40, 50.00, 100.00, 300, 30, P8\n"
            "1, GPU-b, Card B, [N/A], [N/A], 200, 2000, 41, [N/A], 100.00, 300, [N/A], P0\n",
        )
        self.env = {
            "PATH": bin_dir + ":/usr/bin:/bin",
            "FAKE_SMI_SPAWN_LOG": self.spawn_log,
            "FAKE_SMI_LINES": self.lines_file,
        }

    def tearDown(self):
        shutil.rmtree(self.tmp, ignore_errors=True)

    def test_one_long_lived_process_lines_passed_through(self):
        done, lines = run_agent(["--count", "6", "--interval-ms", "150"], self.env)
        self.assertEqual(done.returncode, 0, done.stderr)
        hello = lines[0]
        self.assertEqual(hello["source"], "nvidia-smi")
        self.assertEqual(hello["smiFields"], list(agent.SMI_FIELDS))
        last = lines[-1]["gpu"]
        self.assertEqual(last["source"], "nvidia-smi")
        self.assertEqual(last["fields"], list(agent.SMI_FIELDS))
        self.assertEqual(len(last["csv"]), 2)
        self.assertTrue(last["csv"][0].startswith("0, GPU-a"))
        self.assertTrue(last["csv"][1].startswith("1, GPU-b"))
        with open(self.spawn_log) as handle:
            spawns = handle.read().splitlines()
        self.assertEqual(len(spawns), 1, "nvidia-smi must be started once, not per sample")
        self.assertIn("--format=csv,noheader,nounits", spawns[0])
        self.assertIn("-lms 150", spawns[0])

    def test_failed_nvidia_smi_reports_its_message(self):
        env = dict(self.env, FAKE_SMI_MODE="fail")
        done, lines = run_agent(["--count", "3", "--interval-ms", "150"], env)
        self.assertEqual(done.returncode, 0, done.stderr)
        gpu = lines[-1]["gpu"]
        self.assertEqual(gpu["available"], False)
        self.assertEqual(gpu["code"], "nvidia-smi-failed")
        self.assertIn("Failed to initialize NVML: Unknown Error", gpu["reason"])
        self.assertIn("255", gpu["reason"])


class LifecycleTest(unittest.TestCase):
    def test_exits_quietly_when_reader_goes_away(self):
        env = dict(os.environ, GPU_ENV_NVML_LIBRARY="/nonexistent", PATH="/usr/bin:/bin")
        process = subprocess.Popen(
            [sys.executable, AGENT, "--interval-ms", "50"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env
        )
        hello = json.loads(process.stdout.readline())
        self.assertEqual(hello["type"], "hello")
        process.stdout.close()
        code = process.wait(timeout=10)
        stderr = process.stderr.read().decode()
        process.stderr.close()
        self.assertEqual(code, 0)
        self.assertNotIn("Traceback", stderr)

    def test_sigterm_stops_cleanly(self):
        env = dict(os.environ, GPU_ENV_NVML_LIBRARY="/nonexistent", PATH="/usr/bin:/bin")
        process = subprocess.Popen(
            [sys.executable, AGENT, "--interval-ms", "50"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env
        )
        process.stdout.readline()
        process.send_signal(signal.SIGTERM)
        code = process.wait(timeout=10)
        process.stdout.close()
        process.stderr.close()
        self.assertEqual(code, 0)


class BenchTest(unittest.TestCase):
    def test_bench_prints_cpu_per_sample(self):
        done, lines = run_agent(["--bench", "200", "--interval-ms", "1"])
        self.assertEqual(done.returncode, 0, done.stderr)
        self.assertEqual(len(lines), 1)
        bench = lines[0]
        self.assertEqual(bench["type"], "bench")
        self.assertEqual(bench["samples"], 200)
        self.assertGreater(bench["cpuMsPerSample"], 0.0)
        self.assertLess(bench["cpuMsPerSample"], 50.0)
        self.assertGreaterEqual(bench["wallMs"], 200 * 1 * 0.9)


class HelloShapeTest(unittest.TestCase):
    def test_pid_namespace_is_reported(self):
        _, lines = run_agent(["--count", "1", "--interval-ms", "50"])
        self.assertIn(lines[0]["pidNamespace"], ("initial", "child", "unknown"))
        expected = "initial" if os.readlink("/proc/self/ns/pid") == agent.INITIAL_PID_NAMESPACE else "child"
        self.assertEqual(lines[0]["pidNamespace"], expected)


if __name__ == "__main__":
    unittest.main()

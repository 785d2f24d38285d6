/*
 * A stand-in for libnvidia-ml.so.1, so the agent's ctypes binding (struct layouts, the
 * count-then-fill process query, NOT_SUPPORTED handling) is exercised without a GPU.
 * CONSTRUCTED test double: its values are invented, not captured from hardware.
 *
 * FAKE_NVML_SCENARIO selects the behaviour:
 *   ok (default)  two devices: 0 reports everything, 1 is a MIG-enabled part that answers
 *                 NOT_SUPPORTED for utilisation/fan/temperature, GPU_IS_LOST for power and
 *                 NO_PERMISSION for processes.
 *   init-fail     nvmlInit_v2 fails with NVML_ERROR_UNKNOWN ("Unknown Error").
 *   host          a shared GPU server: the GPUs, their use and their processes come from files
 *                 that the tests write (the stand-in for the driver's global state), and the
 *                 caller sees only the GPUs whose device file exists (the stand-in for the device
 *                 nodes the NVIDIA container toolkit puts into a container). Chosen by default
 *                 when FAKE_NVML_STATE_DIR (default /run/nvidia-standin) holds a `gpus` file,
 *                 which is how test/harness/nvidia-standin's hook gives it to containers.
 *     STATE/gpus        one GPU per line: HOST_INDEX UUID UTIL_PERCENT MEM_USED_MIB MEM_TOTAL_MIB NAME...
 *     STATE/processes   one process per line: HOST_INDEX PID USED_MIB (pids as the host sees them,
 *                       as NVML reports them inside a container too)
 *     DEV/nvidiaN       present for each host GPU N the caller may see (DEV: FAKE_NVML_DEV_DIR,
 *                       default /dev); enumerated in ascending N, as NVML indexes a container's GPUs
 *                       0..n-1 whatever their host numbers.
 *
 * Exports nvmlDeviceGetComputeRunningProcesses_v3 together with
 * nvmlDeviceGetRunningProcessDetailList, which tells the agent to use the 24-byte struct.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <stdio.h>
#include <unistd.h>

typedef int nvmlReturn_t;
typedef void *nvmlDevice_t;

enum {
  OK = 0, INVALID_ARGUMENT = 2, NOT_SUPPORTED = 3, NO_PERMISSION = 4, INSUFFICIENT_SIZE = 7, GPU_IS_LOST = 15,
  UNKNOWN = 999
};

typedef struct { unsigned int gpu, memory; } nvmlUtilization_t;
typedef struct { unsigned long long total, free, used; } nvmlMemory_t;
typedef struct {
  unsigned int pid;
  unsigned long long usedGpuMemory;
  unsigned int gpuInstanceId, computeInstanceId;
} nvmlProcessInfo_v2_t;

static int scenario_is(const char *name) {
  const char *value = getenv("FAKE_NVML_SCENARIO");
  return strcmp(value ? value : "ok", name) == 0;
}

static int index_of(nvmlDevice_t device) { return (int)(intptr_t)device - 1; }

/* --- host scenario: state read from files on every call, as the driver's state changes live --- */

#define MAX_HOST_GPUS 16
#define MAX_HOST_PROCS 64

typedef struct {
  int host_index;
  char uuid[80];
  char name[64];
  unsigned int util;
  unsigned long long used_mib, total_mib;
} host_gpu_t;

typedef struct { int host_index; unsigned int pid; unsigned long long used_mib; } host_proc_t;

static const char *env_or(const char *name, const char *fallback) {
  const char *value = getenv(name);
  return value && *value ? value : fallback;
}

static const char *state_dir(void) { return env_or("FAKE_NVML_STATE_DIR", "/run/nvidia-standin"); }

static int read_file(const char *dir, const char *name, char *buffer, size_t size) {
  char path[512];
  snprintf(path, sizeof path, "%s/%s", dir, name);
  FILE *file = fopen(path, "r");
  if (!file) return -1;
  size_t length = fread(buffer, 1, size - 1, file);
  fclose(file);
  buffer[length] = '\0';
  return (int)length;
}

/* Next whitespace-separated word of *cursor (within one line); 0 when the line has no more. */
static int next_word(char **cursor, char *out, size_t size) {
  char *p = *cursor;
  while (*p == ' ' || *p == '\t') p++;
  if (*p == '\0' || *p == '\n') { *cursor = p; return 0; }
  size_t n = 0;
  while (*p && *p != ' ' && *p != '\t' && *p != '\n') { if (n + 1 < size) out[n++] = *p; p++; }
  out[n] = '\0';
  *cursor = p;
  return 1;
}

static char *next_line(char *p) {
  while (*p && *p != '\n') p++;
  return *p ? p + 1 : p;
}

/* Every GPU of the "host", in file order. */
static int host_gpus(host_gpu_t *gpus) {
  char text[8192], word[80];
  if (read_file(state_dir(), "gpus", text, sizeof text) < 0) return -1;
  int count = 0;
  for (char *line = text; *line && count < MAX_HOST_GPUS; line = next_line(line)) {
    char *cursor = line;
    host_gpu_t gpu;
    memset(&gpu, 0, sizeof gpu);
    if (!next_word(&cursor, word, sizeof word) || word[0] == '#') continue;
    gpu.host_index = (int)strtol(word, NULL, 10);
    if (!next_word(&cursor, gpu.uuid, sizeof gpu.uuid)) continue;
    if (!next_word(&cursor, word, sizeof word)) continue;
    gpu.util = (unsigned int)strtoul(word, NULL, 10);
    if (!next_word(&cursor, word, sizeof word)) continue;
    gpu.used_mib = strtoull(word, NULL, 10);
    if (!next_word(&cursor, word, sizeof word)) continue;
    gpu.total_mib = strtoull(word, NULL, 10);
    while (*cursor == ' ' || *cursor == '\t') cursor++;
    size_t n = 0;
    while (cursor[n] && cursor[n] != '\n' && n + 1 < sizeof gpu.name) { gpu.name[n] = cursor[n]; n++; }
    gpu.name[n] = '\0';
    gpus[count++] = gpu;
  }
  return count;
}

static int visible(int host_index) {
  char path[512];
  snprintf(path, sizeof path, "%s/nvidia%d", env_or("FAKE_NVML_DEV_DIR", "/dev"), host_index);
  return access(path, F_OK) == 0;
}

/* The GPUs the caller sees, ascending by host index (the caller's index 0..n-1). */
static int visible_gpus(host_gpu_t *out) {
  host_gpu_t all[MAX_HOST_GPUS];
  int total = host_gpus(all), count = 0;
  for (int wanted = 0; wanted < 1024 && total > 0; wanted++) {
    for (int i = 0; i < total; i++) {
      if (all[i].host_index == wanted && visible(wanted)) out[count++] = all[i];
    }
  }
  return count;
}

static int host_gpu(nvmlDevice_t d, host_gpu_t *gpu) {
  host_gpu_t gpus[MAX_HOST_GPUS];
  int count = visible_gpus(gpus), index = index_of(d);
  if (index < 0 || index >= count) return 0;
  *gpu = gpus[index];
  return 1;
}

static int host_processes(int host_index, host_proc_t *out) {
  char text[8192], word[32];
  if (read_file(state_dir(), "processes", text, sizeof text) < 0) return 0;
  int count = 0;
  for (char *line = text; *line && count < MAX_HOST_PROCS; line = next_line(line)) {
    char *cursor = line;
    host_proc_t proc;
    if (!next_word(&cursor, word, sizeof word) || word[0] == '#') continue;
    proc.host_index = (int)strtol(word, NULL, 10);
    if (!next_word(&cursor, word, sizeof word)) continue;
    proc.pid = (unsigned int)strtoul(word, NULL, 10);
    if (!next_word(&cursor, word, sizeof word)) continue;
    proc.used_mib = strtoull(word, NULL, 10);
    if (proc.host_index == host_index) out[count++] = proc;
  }
  return count;
}

static int host_mode(void) {
  const char *value = getenv("FAKE_NVML_SCENARIO");
  if (value && *value) return strcmp(value, "host") == 0;
  char probe[8];
  return read_file(state_dir(), "gpus", probe, sizeof probe) >= 0;
}

#define HOST_GPU_OR_INVALID(d, gpu) host_gpu_t gpu; if (!host_gpu(d, &gpu)) return INVALID_ARGUMENT

static nvmlReturn_t put_text(char *out, unsigned int length, const char *text) {
  if (strlen(text) + 1 > length) return INSUFFICIENT_SIZE;
  strcpy(out, text);
  return OK;
}

const char *nvmlErrorString(nvmlReturn_t code) {
  switch (code) {
    case OK: return "Success";
    case NOT_SUPPORTED: return "Not Supported";
    case NO_PERMISSION: return "Insufficient Permissions";
    case INSUFFICIENT_SIZE: return "Insufficient Size";
    case GPU_IS_LOST: return "GPU is lost";
    default: return "Unknown Error";
  }
}

nvmlReturn_t nvmlInit_v2(void) { return scenario_is("init-fail") ? UNKNOWN : OK; }
nvmlReturn_t nvmlShutdown(void) { return OK; }

nvmlReturn_t nvmlDeviceGetCount_v2(unsigned int *count) {
  if (host_mode()) {
    host_gpu_t gpus[MAX_HOST_GPUS];
    int n = visible_gpus(gpus);
    *count = n < 0 ? 0 : (unsigned int)n;
    return OK;
  }
  *count = 2;
  return OK;
}

nvmlReturn_t nvmlDeviceGetHandleByIndex_v2(unsigned int index, nvmlDevice_t *device) {
  unsigned int count = 0;
  nvmlDeviceGetCount_v2(&count);
  if (index >= count) return INVALID_ARGUMENT;
  *device = (nvmlDevice_t)(intptr_t)(index + 1);
  return OK;
}

nvmlReturn_t nvmlDeviceGetName(nvmlDevice_t d, char *name, unsigned int length) {
  if (host_mode()) { HOST_GPU_OR_INVALID(d, gpu); return put_text(name, length, gpu.name); }
  return put_text(name, length, index_of(d) == 0 ? "Fake GPU Zero" : "Fake MIG GPU One");
}

nvmlReturn_t nvmlDeviceGetUUID(nvmlDevice_t d, char *uuid, unsigned int length) {
  if (host_mode()) { HOST_GPU_OR_INVALID(d, gpu); return put_text(uuid, length, gpu.uuid); }
  return put_text(uuid, length, index_of(d) == 0 ? "GPU-fake-0000" : "GPU-fake-0001");
}

nvmlReturn_t nvmlDeviceGetMinorNumber(nvmlDevice_t d, unsigned int *minor) {
  if (host_mode()) { HOST_GPU_OR_INVALID(d, gpu); *minor = (unsigned int)gpu.host_index; return OK; }
  *minor = (unsigned int)index_of(d);
  return OK;
}

nvmlReturn_t nvmlDeviceGetUtilizationRates(nvmlDevice_t d, nvmlUtilization_t *u) {
  if (host_mode()) {
    HOST_GPU_OR_INVALID(d, gpu);
    u->gpu = gpu.util;
    u->memory = gpu.total_mib ? (unsigned int)(gpu.used_mib * 100 / gpu.total_mib) : 0;
    return OK;
  }
  if (index_of(d) == 1) return NOT_SUPPORTED;
  u->gpu = 93; u->memory = 41;
  return OK;
}

nvmlReturn_t nvmlDeviceGetMemoryInfo(nvmlDevice_t d, nvmlMemory_t *m) {
  if (host_mode()) {
    HOST_GPU_OR_INVALID(d, gpu);
    m->total = gpu.total_mib * 1048576ULL;
    m->used = gpu.used_mib * 1048576ULL;
    m->free = m->total > m->used ? m->total - m->used : 0;
    return OK;
  }
  m->total = 25757220864ULL;                                /* 24 GiB-ish */
  m->used = index_of(d) == 0 ? 21582495744ULL : 1048576ULL;
  m->free = m->total - m->used;
  return OK;
}

nvmlReturn_t nvmlDeviceGetTemperature(nvmlDevice_t d, int sensor, unsigned int *t) {
  if (host_mode()) { HOST_GPU_OR_INVALID(d, gpu); if (sensor != 0) return NOT_SUPPORTED; *t = 35 + gpu.util / 2; return OK; }
  if (sensor != 0 || index_of(d) == 1) return NOT_SUPPORTED;
  *t = 67;
  return OK;
}

nvmlReturn_t nvmlDeviceGetPowerUsage(nvmlDevice_t d, unsigned int *mw) {
  if (host_mode()) { HOST_GPU_OR_INVALID(d, gpu); *mw = 30000 + gpu.util * 3000; return OK; }
  if (index_of(d) == 1) return GPU_IS_LOST;
  *mw = 351250;
  return OK;
}

nvmlReturn_t nvmlDeviceGetEnforcedPowerLimit(nvmlDevice_t d, unsigned int *mw) {
  if (host_mode()) { HOST_GPU_OR_INVALID(d, gpu); *mw = 350000; return OK; }
  *mw = index_of(d) == 0 ? 450000 : 400000;
  return OK;
}

nvmlReturn_t nvmlDeviceGetClockInfo(nvmlDevice_t d, int type, unsigned int *mhz) {
  if (type != 1) return NOT_SUPPORTED;
  if (host_mode()) { HOST_GPU_OR_INVALID(d, gpu); *mhz = gpu.util > 0 ? 1800 : 210; return OK; }
  *mhz = index_of(d) == 0 ? 2520 : 1410;
  return OK;
}

nvmlReturn_t nvmlDeviceGetFanSpeed(nvmlDevice_t d, unsigned int *percent) {
  if (host_mode()) { HOST_GPU_OR_INVALID(d, gpu); *percent = 30 + gpu.util / 2; return OK; }
  if (index_of(d) == 1) return NOT_SUPPORTED;
  *percent = 55;
  return OK;
}

nvmlReturn_t nvmlDeviceGetPerformanceState(nvmlDevice_t d, int *pstate) {
  if (host_mode()) { HOST_GPU_OR_INVALID(d, gpu); *pstate = gpu.util > 0 ? 0 : 8; return OK; }
  *pstate = index_of(d) == 0 ? 2 : 32; /* 32 = NVML_PSTATE_UNKNOWN */
  return OK;
}

nvmlReturn_t nvmlDeviceGetMigMode(nvmlDevice_t d, unsigned int *current, unsigned int *pending) {
  if (host_mode() || index_of(d) == 0) return NOT_SUPPORTED;
  *current = 1; *pending = 1;
  return OK;
}

nvmlReturn_t nvmlDeviceGetRunningProcessDetailList(nvmlDevice_t d, void *list) {
  (void)d; (void)list;
  return NOT_SUPPORTED;
}

nvmlReturn_t nvmlDeviceGetComputeRunningProcesses_v3(nvmlDevice_t d, unsigned int *count,
                                                     nvmlProcessInfo_v2_t *infos) {
  if (host_mode()) {
    HOST_GPU_OR_INVALID(d, gpu);
    host_proc_t procs[MAX_HOST_PROCS];
    unsigned int n = (unsigned int)host_processes(gpu.host_index, procs);
    if (n == 0) { *count = 0; return OK; }
    if (infos == NULL || *count < n) { *count = n; return INSUFFICIENT_SIZE; }
    for (unsigned int i = 0; i < n; i++) {
      infos[i].pid = procs[i].pid;
      infos[i].usedGpuMemory = procs[i].used_mib * 1048576ULL;
      infos[i].gpuInstanceId = 0xFFFFFFFFu; infos[i].computeInstanceId = 0xFFFFFFFFu;
    }
    *count = n;
    return OK;
  }
  if (index_of(d) == 1) return NO_PERMISSION;
  if (infos == NULL || *count < 2) { *count = 2; return INSUFFICIENT_SIZE; }
  infos[0].pid = 4242; infos[0].usedGpuMemory = 1073741824ULL;
  infos[0].gpuInstanceId = 0xFFFFFFFFu; infos[0].computeInstanceId = 0xFFFFFFFFu;
  infos[1].pid = 4343; infos[1].usedGpuMemory = 0xFFFFFFFFFFFFFFFFULL; /* not available */
  infos[1].gpuInstanceId = 0xFFFFFFFFu; infos[1].computeInstanceId = 0xFFFFFFFFu;
  *count = 2;
  return OK;
}

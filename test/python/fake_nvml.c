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
 *
 * Exports nvmlDeviceGetComputeRunningProcesses_v3 together with
 * nvmlDeviceGetRunningProcessDetailList, which tells the agent to use the 24-byte struct.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

typedef int nvmlReturn_t;
typedef void *nvmlDevice_t;

enum {
  OK = 0, NOT_SUPPORTED = 3, NO_PERMISSION = 4, INSUFFICIENT_SIZE = 7, GPU_IS_LOST = 15,
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

nvmlReturn_t nvmlDeviceGetCount_v2(unsigned int *count) { *count = 2; return OK; }

nvmlReturn_t nvmlDeviceGetHandleByIndex_v2(unsigned int index, nvmlDevice_t *device) {
  if (index > 1) return 2;
  *device = (nvmlDevice_t)(intptr_t)(index + 1);
  return OK;
}

nvmlReturn_t nvmlDeviceGetName(nvmlDevice_t d, char *name, unsigned int length) {
  return put_text(name, length, index_of(d) == 0 ? "Fake GPU Zero" : "Fake MIG GPU One");
}

nvmlReturn_t nvmlDeviceGetUUID(nvmlDevice_t d, char *uuid, unsigned int length) {
  return put_text(uuid, length, index_of(d) == 0 ? "GPU-fake-0000" : "GPU-fake-0001");
}

nvmlReturn_t nvmlDeviceGetUtilizationRates(nvmlDevice_t d, nvmlUtilization_t *u) {
  if (index_of(d) == 1) return NOT_SUPPORTED;
  u->gpu = 93; u->memory = 41;
  return OK;
}

nvmlReturn_t nvmlDeviceGetMemoryInfo(nvmlDevice_t d, nvmlMemory_t *m) {
  m->total = 25757220864ULL;                                /* 24 GiB-ish */
  m->used = index_of(d) == 0 ? 21582495744ULL : 1048576ULL;
  m->free = m->total - m->used;
  return OK;
}

nvmlReturn_t nvmlDeviceGetTemperature(nvmlDevice_t d, int sensor, unsigned int *t) {
  if (sensor != 0 || index_of(d) == 1) return NOT_SUPPORTED;
  *t = 67;
  return OK;
}

nvmlReturn_t nvmlDeviceGetPowerUsage(nvmlDevice_t d, unsigned int *mw) {
  if (index_of(d) == 1) return GPU_IS_LOST;
  *mw = 351250;
  return OK;
}

nvmlReturn_t nvmlDeviceGetEnforcedPowerLimit(nvmlDevice_t d, unsigned int *mw) {
  *mw = index_of(d) == 0 ? 450000 : 400000;
  return OK;
}

nvmlReturn_t nvmlDeviceGetClockInfo(nvmlDevice_t d, int type, unsigned int *mhz) {
  if (type != 1) return NOT_SUPPORTED;
  *mhz = index_of(d) == 0 ? 2520 : 1410;
  return OK;
}

nvmlReturn_t nvmlDeviceGetFanSpeed(nvmlDevice_t d, unsigned int *percent) {
  if (index_of(d) == 1) return NOT_SUPPORTED;
  *percent = 55;
  return OK;
}

nvmlReturn_t nvmlDeviceGetPerformanceState(nvmlDevice_t d, int *pstate) {
  *pstate = index_of(d) == 0 ? 2 : 32; /* 32 = NVML_PSTATE_UNKNOWN */
  return OK;
}

nvmlReturn_t nvmlDeviceGetMigMode(nvmlDevice_t d, unsigned int *current, unsigned int *pending) {
  if (index_of(d) == 0) return NOT_SUPPORTED;
  *current = 1; *pending = 1;
  return OK;
}

nvmlReturn_t nvmlDeviceGetRunningProcessDetailList(nvmlDevice_t d, void *list) {
  (void)d; (void)list;
  return NOT_SUPPORTED;
}

nvmlReturn_t nvmlDeviceGetComputeRunningProcesses_v3(nvmlDevice_t d, unsigned int *count,
                                                     nvmlProcessInfo_v2_t *infos) {
  if (index_of(d) == 1) return NO_PERMISSION;
  if (infos == NULL || *count < 2) { *count = 2; return INSUFFICIENT_SIZE; }
  infos[0].pid = 4242; infos[0].usedGpuMemory = 1073741824ULL;
  infos[0].gpuInstanceId = 0xFFFFFFFFu; infos[0].computeInstanceId = 0xFFFFFFFFu;
  infos[1].pid = 4343; infos[1].usedGpuMemory = 0xFFFFFFFFFFFFFFFFULL; /* not available */
  infos[1].gpuInstanceId = 0xFFFFFFFFu; infos[1].computeInstanceId = 0xFFFFFFFFu;
  *count = 2;
  return OK;
}

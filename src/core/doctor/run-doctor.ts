import { describeEndpoint, resolveEngine, type EngineEndpoint } from '../engine/resolve';
import type { CoreContext } from '../lifecycle/context';
import type { SshSession } from '../ssh/session';
import { validateName } from '../validate';
import { runCheck, skipped, type Check } from './check';
import { containerProbe, type ContainerTarget } from './container-probe';
import { engineFacts, type EngineFacts } from './engine-facts';
import { compilerCheck } from './checks/compiler';
import { cudaVersionCheck } from './checks/cuda-version';
import { engineDiskCheck } from './checks/engine-disk';
import { engineReachableCheck, type EngineTarget } from './checks/engine-reachable';
import { environmentStateCheck } from './checks/environment-state';
import { gpuRuntimeCheck } from './checks/gpu-runtime';
import { nvidiaSmiCheck } from './checks/nvidia-smi';
import { runningEnvironmentsCheck } from './checks/running-environments';
import { shmSizeCheck } from './checks/shm-size';
import { sshSessionCheck } from './checks/ssh-session';
import { CHECK_STATUSES, type CheckStatus, type DoctorCheck, type DoctorEngine, type DoctorReport } from './types';

export interface DoctorOptions {
  /** Check this environment (the CLI's NAME). */
  readonly name?: string;
  /** Check these environments (the extension's selection); with neither, every running one. */
  readonly environments?: readonly string[];
}

/** In the order they run and are reported. */
const CONTAINER_CHECKS: readonly Check<ContainerTarget>[] = [nvidiaSmiCheck, cudaVersionCheck, shmSizeCheck, compilerCheck];

const FIX_ENGINE_FIRST = 'Fix the "Docker engine reachable" check first.';

/**
 * Diagnoses a Docker engine and the environments' containers (the Docker target's doctor). Never throws for what it finds (each
 * finding is a check); only invalid input and the user's cancel end it early. Every check has its
 * own time limit and the SSH session is closed before it returns.
 */
export async function runDockerDoctor(ctx: CoreContext, options: DoctorOptions = {}): Promise<DoctorReport> {
  const requested = requestedEnvironments(options);
  const started = Date.now();
  const target = engineTarget(ctx);
  const checks: DoctorCheck[] = [];
  const engineRun = await runCheck(engineReachableCheck, target, ctx.signal);
  checks.push(engineRun.check);
  let names: readonly string[] = requested ?? [];
  if (engineRun.value) {
    const facts = engineFacts(engineRun.value, ctx.signal);
    checks.push((await runCheck(gpuRuntimeCheck, facts, ctx.signal)).check);
    checks.push((await runCheck(engineDiskCheck, facts, ctx.signal)).check);
    if (requested === undefined) {
      const listed = await runCheck(runningEnvironmentsCheck, facts, ctx.signal);
      checks.push(listed.check);
      names = listed.value ?? [];
    }
    for (const each of names) checks.push(...(await checkEnvironment(ctx, facts, each)));
  } else {
    checks.push(...[gpuRuntimeCheck, engineDiskCheck].map((check) => skipped(check, 'Not checked: the Docker engine did not answer.', FIX_ENGINE_FIRST)));
    if (requested === undefined) checks.push(skipped(runningEnvironmentsCheck, 'Not checked: the Docker engine did not answer.', FIX_ENGINE_FIRST));
    for (const each of names) checks.push(...skipEnvironment(each, 'Not checked: the Docker engine did not answer.', FIX_ENGINE_FIRST, true));
  }
  return {
    startedAt: new Date(started).toISOString(),
    durationMs: Date.now() - started,
    ...('endpoint' in target ? { engine: doctorEngine(target.endpoint) } : {}),
    environments: names,
    checks,
    summary: summarize(checks),
    ok: checks.every((check) => check.status !== 'fail'),
  };
}

async function checkEnvironment(ctx: CoreContext, facts: EngineFacts, name: string): Promise<DoctorCheck[]> {
  const state = await runCheck(environmentStateCheck, { facts, name }, ctx.signal, name);
  const info = state.value;
  if (!info) return [state.check, ...skipEnvironment(name, 'Not checked: the environment is not running.', 'See the "Environment container running" check.', false)];
  const ssh = await runCheck(sshSessionCheck, { ctx, info }, ctx.signal, name);
  const session: SshSession | undefined = ssh.value;
  if (!session) {
    return [state.check, ssh.check, ...CONTAINER_CHECKS.map((check) => skipped(check, 'Not checked: no SSH session to the environment.', 'Fix the "SSH into the environment" check first.', name))];
  }
  try {
    const target: ContainerTarget = { info, probe: containerProbe(session, info.ssh.alias, ctx.signal) };
    const results: DoctorCheck[] = [state.check, ssh.check];
    // One after another: they share the session and some share commands (nvidia-smi).
    for (const check of CONTAINER_CHECKS) results.push((await runCheck(check, target, ctx.signal, name)).check);
    return results;
  } finally {
    session.close();
  }
}

function skipEnvironment(name: string, reason: string, fix: string, includeState: boolean): DoctorCheck[] {
  const checks: Pick<Check<unknown, unknown>, 'id' | 'title'>[] = [...(includeState ? [environmentStateCheck] : []), sshSessionCheck, ...CONTAINER_CHECKS];
  return checks.map((check) => skipped(check, reason, fix, name));
}

/** The validated names asked for, or undefined for "every running environment". */
export function requestedEnvironments(options: DoctorOptions): readonly string[] | undefined {
  const names = [...(options.name !== undefined ? [options.name] : []), ...(options.environments ?? [])];
  if (names.length === 0) return undefined;
  return [...new Set(names.map((name) => validateName('environment name', name)))];
}

function engineTarget(ctx: CoreContext): EngineTarget {
  try {
    return { endpoint: resolveEngine({ ...(ctx.host ? { explicit: ctx.host } : {}), env: ctx.env, homeDir: ctx.homeDir }) };
  } catch (error) {
    return { resolveError: error };
  }
}

function doctorEngine(endpoint: EngineEndpoint): DoctorEngine {
  return {
    url: endpoint.url,
    source: endpoint.source,
    ...(endpoint.context ? { context: endpoint.context } : {}),
    description: describeEndpoint(endpoint),
  };
}

export function summarize(checks: readonly DoctorCheck[]): Record<CheckStatus, number> {
  const summary = Object.fromEntries(CHECK_STATUSES.map((status) => [status, 0])) as Record<CheckStatus, number>;
  for (const check of checks) summary[check.status]++;
  return summary;
}

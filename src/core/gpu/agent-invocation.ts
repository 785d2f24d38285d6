/**
 * How the sampling agent is started in an environment: its source is piped into `python3 -`
 * over the SSH channel, so the agent always matches this extension (no copy in the image to go
 * stale) and nothing is written into the container.
 */
import { packageRoot, readAsset } from '../assets';

export interface AgentInvocation {
  /** Remote shell command; reads the agent from stdin. */
  readonly command: string;
  /** The agent's source, written to the command's stdin, which is then closed. */
  readonly stdin: string;
  readonly intervalMs: number;
}

export const MIN_AGENT_INTERVAL_MS = 1;
export const MAX_AGENT_INTERVAL_MS = 3_600_000;
/** Exit status the command uses when no interpreter exists (the shell's "not found"). */
export const NO_PYTHON_EXIT_CODE = 127;

// An SSH command gets a minimal PATH; the official PyTorch images keep Python under /opt/conda.
const PYTHON_CANDIDATES = ['python3', '/opt/conda/bin/python3', '/usr/bin/python3'];

export function agentCommand(intervalMs: number): string {
  if (!Number.isInteger(intervalMs) || intervalMs < MIN_AGENT_INTERVAL_MS || intervalMs > MAX_AGENT_INTERVAL_MS) {
    throw new RangeError(`agent interval must be an integer number of ms, got ${intervalMs}`);
  }
  return [
    `for py in ${PYTHON_CANDIDATES.join(' ')}; do`,
    `if command -v "$py" >/dev/null 2>&1; then exec "$py" -u - --interval-ms ${intervalMs}; fi;`,
    'done;',
    `echo 'gpu-env agent: no python3 in this environment' >&2; exit ${NO_PYTHON_EXIT_CODE}`,
  ].join(' ');
}

export function agentInvocation(script: string, intervalMs: number): AgentInvocation {
  return { command: agentCommand(intervalMs), stdin: script, intervalMs };
}

/** The agent shipped in the package (media/agent/gpu_env_agent.py). */
export function loadAgentScript(root: string = packageRoot()): string {
  return readAsset(root, 'media', 'agent', 'gpu_env_agent.py');
}

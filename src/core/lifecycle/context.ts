import { homedir } from 'node:os';
import { packageRoot } from '../assets';
import type { ConfirmHostKey } from '../remote/host-key-check';
import type { ProgressSink } from '../progress';
import { silentProgress } from '../progress';
import { defaultStateDir } from '../state/paths';

/** What every lifecycle operation needs from its caller (the CLI or the extension). */
export interface CoreContext {
  readonly stateDir: string;
  readonly env: NodeJS.ProcessEnv;
  readonly homeDir: string;
  readonly assetsRoot: string;
  readonly progress: ProgressSink;
  readonly signal?: AbortSignal;
  /** `--host` or the engine setting. */
  readonly host?: { readonly url: string; readonly source: '--host' | 'setting' };
  /**
   * Asked once when a remote Docker host's SSH key is not in known_hosts (VS Code: a modal showing
   * the fingerprint; CLI: yes only with --accept-new-host-key). Resolve true to trust the key, which
   * is then added to the user's known_hosts. Absent: unknown host keys are refused.
   */
  readonly confirmHostKey?: ConfirmHostKey;
}

export function defaultContext(overrides: Partial<CoreContext> = {}): CoreContext {
  const env = overrides.env ?? process.env;
  return {
    stateDir: overrides.stateDir ?? defaultStateDir(env),
    env,
    homeDir: overrides.homeDir ?? homedir(),
    assetsRoot: overrides.assetsRoot ?? packageRoot(),
    progress: overrides.progress ?? silentProgress,
    ...(overrides.signal ? { signal: overrides.signal } : {}),
    ...(overrides.host ? { host: overrides.host } : {}),
    ...(overrides.confirmHostKey ? { confirmHostKey: overrides.confirmHostKey } : {}),
  };
}

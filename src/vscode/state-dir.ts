/**
 * The extension keeps keys and its ssh_config in its global storage, so uninstalling removes them.
 * `GPU_ENV_STATE_DIR` still wins, as it does for the CLI: tests and users who share state with the
 * CLI set it.
 */
export function extensionStateDir(env: NodeJS.ProcessEnv, globalStoragePath: string): string {
  const override = env.GPU_ENV_STATE_DIR;
  return override !== undefined && override.trim() !== '' ? override : globalStoragePath;
}

import type { SSHConfig as SshConfigClass } from 'ssh-config' with { 'resolution-mode': 'import' };

/**
 * ssh-config ships CommonJS for require() but declares its types as an ES module only, which a
 * CommonJS build cannot import by name; the typed require keeps the types without a second copy.
 */
// eslint-disable-next-line @typescript-eslint/no-require-imports -- see above: an import cannot name the class
export const SshConfigParser = (require('ssh-config') as { SSHConfig: typeof SshConfigClass }).SSHConfig;

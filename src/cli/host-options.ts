import { defaultContext, type CoreContext, type EnvironmentInfo, type HostKeyQuestion } from '../core/api';
import type { ProgressSink } from '../core/progress';
import { HOST_OPTION, stringOption, type ParsedArgs } from './args';
import type { CliIo } from './command';
import { environmentJson } from './format';

/** `--host URL` and `--accept-new-host-key`, for every command that talks to an engine. */
export const REMOTE_HOST_OPTIONS = {
  ...HOST_OPTION,
  'accept-new-host-key': { type: 'boolean' },
} as const;

export const HOST_USAGE = '[--host URL|ALIAS] [--accept-new-host-key]';

/**
 * The core context for a command: engine from --host or the environment, and the CLI's answer to an
 * unknown SSH host key: yes only with --accept-new-host-key (the key is then added to known_hosts),
 * otherwise no, with the fingerprint and how to check it.
 */
export function remoteContext(io: CliIo, values: ParsedArgs['values'], progress?: ProgressSink, host: string | undefined = stringOption(values, 'host')): CoreContext {
  const accept = values['accept-new-host-key'] === true;
  return defaultContext({
    env: io.env,
    signal: io.signal,
    ...(progress ? { progress } : {}),
    ...(host ? { host: { url: host, source: '--host' } } : {}),
    confirmHostKey: async (question) => answerHostKeyQuestion(io, question, accept),
  });
}

function answerHostKeyQuestion(io: CliIo, question: HostKeyQuestion, accept: boolean): boolean {
  const key = `${question.keyType} ${question.fingerprint}`;
  if (accept) {
    io.stderr.write(`• Trusting the new host key of ${question.host} (${key}); adding it to ${question.knownHostsFile}\n`);
    return true;
  }
  const others = question.otherKnownTypes.length > 0 ? ` (known_hosts has only ${question.otherKnownTypes.join(', ')} keys for it)` : '';
  io.stderr.write([
    `! The SSH host key of ${question.host} is not known yet${others}: ${key}`,
    `  Compare it with the host's own: run \`ssh-keygen -lf /etc/ssh/ssh_host_${hostKeyFileType(question.keyType)}_key.pub\` on it.`,
    '  If they match, run the command again with --accept-new-host-key to trust it.',
    '',
  ].join('\n'));
  return false;
}

function hostKeyFileType(keyType: string): string {
  if (keyType.startsWith('ecdsa-')) return 'ecdsa';
  if (keyType === 'ssh-rsa') return 'rsa';
  return keyType.replace(/^ssh-/, '');
}

/** `--json` output: the environment and the machine it lives on. */
export function environmentWithHostJson(info: EnvironmentInfo): object {
  return { ...environmentJson(info), ...(info.host ? { host: info.host } : {}) };
}

/** Where SSH reaches it, in words: `127.0.0.1:PORT`, `PORT on me@host's 127.0.0.1`, or a job step's route. */
export function sshWhere(info: EnvironmentInfo): string {
  if (info.ssh.route !== undefined) return info.ssh.route;
  if (info.ssh.port === null) return '-';
  return info.host?.kind === 'ssh' ? `127.0.0.1:${info.ssh.port} on ${info.host.label}` : `127.0.0.1:${info.ssh.port}`;
}

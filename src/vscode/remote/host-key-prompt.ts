import type { ConfirmHostKey, HostKeyQuestion } from '../../core/remote/host-key-check';
import type { Ui } from '../ui';
import type { Translate } from '../l10n';
import type { Log } from '../log';

/**
 * The extension's answer to "trust this remote Docker host's SSH key?": a modal showing the host,
 * the key type and its SHA-256 fingerprint, so the user can compare it with `ssh-keygen -lf` on the
 * host. Dismissing it refuses the key. The same key asked for by concurrent operations (the list and
 * the event watcher start together) shares one dialog instead of stacking several.
 */
export function hostKeyPrompt(ui: Pick<Ui, 'askModal'>, t: Translate, log: Pick<Log, 'info' | 'warn'>): ConfirmHostKey {
  const pending = new Map<string, Promise<boolean>>();
  return (question) => {
    const key = `${question.knownHostsName} ${question.keyType} ${question.fingerprint}`;
    let answer = pending.get(key);
    if (!answer) {
      answer = ask(ui, t, log, question).finally(() => pending.delete(key));
      pending.set(key, answer);
    }
    return answer;
  };
}

async function ask(ui: Pick<Ui, 'askModal'>, t: Translate, log: Pick<Log, 'info' | 'warn'>, question: HostKeyQuestion): Promise<boolean> {
  const trust = t('Trust and Connect');
  const choice = await ui.askModal(t('Connect to {0}? Its SSH host key is not known yet.', question.host), hostKeyDetail(question, t), [trust]);
  const trusted = choice === trust;
  // The fingerprint is public (it identifies the key, it grants nothing), so it may be logged.
  const line = `host key of ${question.host} (${question.keyType} ${question.fingerprint})`;
  if (trusted) log.info(`${line} trusted; added to ${question.knownHostsFile}`);
  else log.warn(`${line} not trusted`);
  return trusted;
}

export function hostKeyDetail(question: HostKeyQuestion, t: Translate): string {
  const lines = [
    t('Host: {0}', question.host),
    t('Key type: {0}', question.keyType),
    t('Fingerprint: {0}', question.fingerprint),
    '',
    t('Compare the fingerprint with the output of "ssh-keygen -lf" for the host key on that machine. Once trusted, the key is added to {0}.', question.knownHostsFile),
  ];
  if (question.otherKnownTypes.length > 0) {
    lines.push(t('Keys of other types are already known for this host ({0}); a new key type can also mean a different machine.', question.otherKnownTypes.join(', ')));
  }
  return lines.join('\n');
}

import { list, type EnvironmentInfo } from '../../core/api';
import { messageOf, usageError } from '../../core/errors';
import type { CliCommand, CliIo } from '../command';
import { HOST_OPTION, JSON_OPTION, parseCommandArgs, type ParsedArgs } from '../args';
import { table, timeLeftText } from '../format';
import { HOST_USAGE, REMOTE_HOST_OPTIONS, environmentWithHostJson, remoteContext, sshWhere } from '../host-options';

const usage = `gpu-env ls [--json] ${HOST_USAGE} [--host URL ...]`;

/** One engine's environments, or why it could not be listed. */
interface HostListing {
  readonly host: string | undefined;
  readonly environments?: EnvironmentInfo[];
  readonly error?: string;
}

export const lsCommand: CliCommand = {
  name: 'ls',
  usage,
  async run(argv, io) {
    const { values, positionals } = parseCommandArgs(argv, { ...REMOTE_HOST_OPTIONS, host: { ...HOST_OPTION.host!, multiple: true }, ...JSON_OPTION }, usage);
    if (positionals.length > 0) throw usageError(`unexpected argument "${positionals[0]}"\nusage: ${usage}`);
    const hosts = hostValues(values);
    if (hosts.length <= 1) {
      // One engine: exactly as before, errors end the command.
      const infos = await list(remoteContext(io, values, undefined, hosts[0]));
      printListings(io, [{ host: hosts[0], environments: infos }], values.json === true);
      return 0;
    }
    const listings: HostListing[] = [];
    for (const host of hosts) {
      try {
        listings.push({ host, environments: await list(remoteContext(io, values, undefined, host)) });
      } catch (error) {
        if ((error as Error).name === 'CancelledError') throw error;
        listings.push({ host, error: messageOf(error) });
      }
    }
    printListings(io, listings, values.json === true);
    return listings.some((l) => l.error !== undefined) ? 1 : 0;
  },
};

function hostValues(values: ParsedArgs['values']): (string | undefined)[] {
  const raw = (values as Record<string, unknown>).host;
  const hosts = Array.isArray(raw) ? raw.filter((h): h is string => typeof h === 'string') : [];
  return hosts.length > 0 ? [...new Set(hosts)] : [undefined];
}

function printListings(io: CliIo, listings: readonly HostListing[], json: boolean): void {
  if (json) {
    for (const l of listings) if (l.error) io.stderr.write(`gpu-env ls: ${l.host ?? 'default engine'}: ${l.error}\n`);
    io.stdout.write(`${JSON.stringify(listings.flatMap((l) => l.environments ?? []).map(environmentWithHostJson))}\n`);
    return;
  }
  const grouped = listings.length > 1;
  listings.forEach((listing, index) => {
    if (grouped) io.stdout.write(`${index > 0 ? '\n' : ''}HOST ${hostHeading(listing)}\n`);
    if (listing.error) return void io.stdout.write(`  not reachable: ${listing.error}\n`);
    io.stdout.write(environmentTable(listing.environments ?? []));
  });
}

function hostHeading(listing: HostListing): string {
  const first = listing.environments?.[0]?.host;
  return first ? `${first.label} (${first.engine})` : listing.host ?? 'default engine';
}

function environmentTable(infos: readonly EnvironmentInfo[]): string {
  if (infos.length === 0) return 'no environments; create one with `gpu-env up`\n';
  // Environments held by batch jobs: the job's columns instead of SSH port and image.
  if (infos.some((i) => i.host?.kind === 'slurm')) {
    return table(['NAME', 'STATE', 'JOB', 'REASON', 'NODE', 'GPUS', 'TIME LEFT', 'WORKSPACE'], infos.map((i) => [
      i.name, i.state, i.job?.id ?? '-', i.job?.reason ?? '-', i.job?.nodes.join(',') || '-', i.job?.gpus ?? i.gpus, timeLeftText(i.job?.timeLeftSeconds), i.workspace,
    ]));
  }
  return table(['NAME', 'STATE', 'GPUS', 'SSH', 'IMAGE', 'WORKSPACE'], infos.map((i) => [
    i.name, i.state, i.gpus, sshWhere(i), i.image, i.workspace,
  ]));
}

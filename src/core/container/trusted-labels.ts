/**
 * Labels are written by whoever created the container: on a shared engine, anyone. Before a label
 * names a folder to delete or a state sub-folder, it is checked as strictly as the CLI's input.
 */
import type Docker from 'dockerode';
import { isAbsolute, normalize } from 'node:path';
import { LABEL, containerName } from './labels';
import { isValidName } from '../validate';

type Inspect = Pick<Docker.ContainerInspectInfo, 'Name' | 'Config' | 'Mounts'>;

/** The environment name of a container: a valid name whose container is gpu-env-<name>; else undefined. */
export function trustedName(inspect: Inspect): string | undefined {
  const name = inspect.Config.Labels?.[LABEL.name];
  return name !== undefined && isValidName(name) && inspect.Name.replace(/^\//, '') === containerName(name) ? name : undefined;
}

/**
 * The workspace folder of a container: its label, only when it is an absolute, normalised path and
 * is the folder the container really mounts at /workspace; else undefined.
 */
export function trustedWorkspace(inspect: Inspect): string | undefined {
  const label = inspect.Config.Labels?.[LABEL.workspace];
  if (label === undefined || !isAbsolute(label) || normalize(label) !== label || label.includes('\0')) return undefined;
  const mount = (inspect.Mounts ?? []).find((m) => m.Destination === '/workspace');
  return mount && mount.Type === 'bind' && mount.Source.replace(/\/+$/, '') === label.replace(/\/+$/, '') ? label : undefined;
}

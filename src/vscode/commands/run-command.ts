import { reportError } from '../report-error';
import type { Services } from '../services';
import type { GpuCommand } from './command';

/** Every command runs through here, so no failure escapes as an unhandled rejection or a silent no-op. */
export async function runCommand(services: Services, command: GpuCommand, args: readonly unknown[]): Promise<void> {
  services.log.debug(`command ${command.id}`);
  try {
    await command.run(services, ...args);
  } catch (error) {
    await reportError(services, command.title(services.t), error);
  }
}

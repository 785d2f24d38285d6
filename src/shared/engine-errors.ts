/**
 * How an engine that does not answer is named, at the start of the error's message. The Environments
 * view keys its row on these, and imports them from here without loading the engine client.
 */
export const NOT_REACHABLE = 'Docker engine not reachable';
/** A socket this user may not open: starting the engine would not help. */
export const NO_PERMISSION = 'No permission to use the Docker engine';

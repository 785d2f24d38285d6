/** The core's errors are the shared ones (src/shared/errors.ts): the extension uses them before the core loads. */
export * from '../shared/errors';

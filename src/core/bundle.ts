/**
 * Entry of dist/core.js: the core as the extension loads it on first use, in a bundle of its own so
 * that activating the extension parses none of dockerode or ssh2.
 */
export * from './environments';
export { runDoctor, renderDoctorMarkdown } from './doctor/index';

/**
 * Entry of dist/core.js: the core as the extension loads it on first use, in a bundle of its own so
 * that activating the extension parses none of dockerode or ssh2.
 */
export * from './api';
export { runDoctor, renderDoctorMarkdown } from './doctor/index';
// Training runs and GPU sampling, for the extension's Runs view, dashboard, tasks and monitor.
export { RunsClient, readShippedAssets, withFacts } from './runs/index';
export { startScriptRun } from './scripts/script-run';
export { startMonitorStream } from './gpu/monitor-stream';
export { agentInvocation, loadAgentScript } from './gpu/agent-invocation';
export { localApi } from './local-api';

/** Following a run's log is core logic shared with the CLI. */
export { followRunLog, type FollowEnd, type FollowLogOptions, type RunLogSource } from '../../core/runs/follow-log';

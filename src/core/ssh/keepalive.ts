/**
 * SSH keepalives for every connection gpu-env opens (environments and remote hosts). A peer that
 * stops answering without closing anything (a paused container, a suspended host, a dropped route:
 * the TCP connection stays open) is only noticed by them. ssh2 sends a keepalive every interval and
 * gives up when the one after `countMax` unanswered ones is due, so a dead connection is closed
 * (countMax + 1) × interval after its last answer at the latest: 40 s, within the minute in which a
 * follower (logs --follow, the dashboard's metrics tail) must say it lost the connection. At 15 s ×
 * 4 it took up to 75 s (measured with `docker pause`: 71-75 s).
 */
export const KEEPALIVE_INTERVAL_MS = 10_000;
export const KEEPALIVE_COUNT_MAX = 3;


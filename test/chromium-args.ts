/**
 * Flags for Debian's Chromium in every browser test: headless, and off the network except for the
 * pages the test opens (without the background-networking flags it keeps dialling Google's hosts).
 */
export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

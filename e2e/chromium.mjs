// Where the browser for e2e tests and benchmarks comes from, and the flags it needs here.
// Order: $CHROMIUM_PATH, Debian's /usr/bin/chromium, then Playwright's own download (if any).
import { existsSync } from 'node:fs';

export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-quic',
  '--enable-unsafe-webgpu',
  '--enable-unsafe-swiftshader',
];

/** Path of a Chromium to launch, or undefined to let Playwright use its own. */
export function chromiumPath() {
  const candidates = [process.env.CHROMIUM_PATH, '/usr/bin/chromium', '/usr/bin/chromium-browser'];
  return candidates.find((p) => p && existsSync(p));
}

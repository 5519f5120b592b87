// `npm run test:e2e`: find a Chromium (or get one), then run Playwright against a production build.
import { spawnSync } from 'node:child_process';
import { chromiumPath } from './chromium.mjs';

function havePlaywrightChromium() {
  const r = spawnSync('node', ['-e', "const {chromium}=require('@playwright/test');const fs=require('fs');process.exit(fs.existsSync(chromium.executablePath())?0:1)"], { stdio: 'ignore' });
  return r.status === 0;
}

if (!chromiumPath() && !havePlaywrightChromium()) {
  console.log('No Chromium found: trying Playwright\'s own download (npx playwright install chromium)...');
  const r = spawnSync('npx', ['playwright', 'install', 'chromium'], { stdio: 'inherit' });
  if (r.status !== 0 || !havePlaywrightChromium()) {
    console.error('\nCould not get a Chromium. On Debian or Ubuntu run:\n  sudo apt-get install -y chromium\n'
      + 'or point CHROMIUM_PATH at a Chromium or Chrome binary, then run the tests again.');
    process.exit(1);
  }
}

const r = spawnSync('npx', ['playwright', 'test', '-c', 'e2e/playwright.config.ts', ...process.argv.slice(2)], { stdio: 'inherit' });
process.exit(r.status ?? 1);

/**
 * Launches the system Chromium headless through playwright-core. A missing Chromium is a FAILURE with
 * instructions, never a skip: CI installs it (apt-get install -y chromium).
 */
import { existsSync } from 'node:fs';
import { chromium, type Browser } from 'playwright-core';

export const CHROMIUM_PATH = process.env.CHROMIUM_PATH || '/usr/bin/chromium';

export async function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM_PATH)) {
    throw new Error(
      `Chromium is not installed at ${CHROMIUM_PATH}: the sidebar end-to-end tests need it. ` +
        'Install it as root with "apt-get update && apt-get install -y chromium" (CI does this), or set CHROMIUM_PATH.',
    );
  }
  // Playwright gives every launch a fresh temporary user-data-dir and deletes it on close
  // (it refuses --user-data-dir here; that flag is for persistent contexts).
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}

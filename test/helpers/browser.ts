import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';

/** Where browser tests write screenshots for people to look at (git-ignored). */
export const SCREENSHOTS = path.resolve('test-output/screenshots');

/**
 * Debian's Chromium, headless. The flags keep it from reaching out to Google's services, which this
 * machine's closed network refuses; playwright gives every launch a fresh, temporary profile.
 */
export async function launchChromium(): Promise<Browser> {
  mkdirSync(SCREENSHOTS, { recursive: true });
  return chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
}

/** Answers a client's redirect URI inside the browser and resolves with the URL the server sent it to. */
export function catchRedirect(page: Page, redirectUri: string): Promise<URL> {
  return new Promise((resolve) => {
    void page.route(`${redirectUri}**`, async (route) => {
      resolve(new URL(route.request().url()));
      await route.fulfill({ status: 200, contentType: 'text/plain', body: 'back at the app' });
    });
  });
}

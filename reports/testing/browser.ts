/** Headless Chromium for the report tests (Debian's chromium through playwright-core). */
import { existsSync } from 'node:fs';
import { chromium, type Browser, type Page } from 'playwright-core';

export const CHROMIUM = '/usr/bin/chromium';

export function hasChromium(): boolean {
  return existsSync(CHROMIUM);
}

export function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}

export interface OpenedPage {
  page: Page;
  /** Console errors, uncaught exceptions and failed requests seen so far. */
  errors: string[];
  /** Requests the page made (a self-contained report makes none but its own file). */
  requests: string[];
  loadMs: number;
}

/** Opens a file (or URL) and waits until the report script says it is ready. */
export async function openReport(browser: Browser, target: string, options: { waitReady?: boolean; timeoutMs?: number } = {}): Promise<OpenedPage> {
  const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
  const errors: string[] = [];
  const requests: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(`console: ${m.text()}`);
  });
  page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
  page.on('requestfailed', (r) => errors.push(`requestfailed: ${r.url()}`));
  page.on('request', (r) => requests.push(r.url()));
  const url = /^[a-z]+:\/\//.test(target) ? target : `file://${target}`;
  const started = performance.now();
  await page.goto(url, { timeout: options.timeoutMs ?? 60_000 });
  if (options.waitReady ?? true) await page.waitForSelector('body[data-ready="1"]', { timeout: options.timeoutMs ?? 60_000 });
  return { page, errors, requests, loadMs: performance.now() - started };
}

/** Waits until the report has drawn what the last click or key changed (it redraws on the next
 *  animation frame; two frames later that draw is done). */
export async function drawn(page: Page): Promise<void> {
  // a string: this file is compiled without the DOM's types
  await page.evaluate('new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)))');
}

import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  chromium,
  type Browser,
  type BrowserContext,
  type BrowserContextOptions,
  type Download,
  type Locator,
  type Page,
} from 'playwright-core';
import { expect } from 'vitest';
import type { Client } from '../../../server/test/helpers/client.js';
import { dialect, startServer, type TestServer } from '../../../server/test/helpers/server.js';

export { dialect, type Client, type TestServer };

/** The built app (`vite build` runs before the tests), served by the server as LOFT_WEB_DIR. */
export const WEB_DIR = fileURLToPath(new URL('../../dist', import.meta.url));
export const REPO_ROOT = fileURLToPath(new URL('../../../../', import.meta.url));
export const SHOTS_DIR = path.join(REPO_ROOT, 'docs', 'screenshots');
/** The password the server's test helper registers users with. */
export const PASSWORD = 'correct horse battery';

/** Debian's Chromium, never a downloaded one. */
export function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: process.env.LOFT_CHROMIUM ?? '/usr/bin/chromium',
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--no-first-run',
    ],
  });
}

/** A real Loft server (own data dir; own schema on PostgreSQL) serving the built web app. */
export function startWebServer(extraEnv: Record<string, string> = {}): Promise<TestServer> {
  if (!existsSync(path.join(WEB_DIR, 'index.html')))
    throw new Error(`${WEB_DIR}/index.html is missing: run "vite build" first (npm test -w @loft/web does).`);
  return startServer({ LOFT_WEB_DIR: WEB_DIR, ...extraEnv });
}

export interface Tab {
  context: BrowserContext;
  page: Page;
  /** Content Security Policy violations and uncaught page errors seen so far. */
  problems: string[];
  close(): Promise<void>;
}

export interface TabOptions {
  colorScheme?: 'light' | 'dark';
  viewport?: { width: number; height: number };
  /** Signs the tab in as this API client (its session token becomes the browser's cookie). */
  as?: Client;
  contextOptions?: BrowserContextOptions;
}

export const PHONE = { width: 360, height: 740 };
export const DESKTOP = { width: 1280, height: 800 };

/** A fresh browser context and page on the server, watching for CSP violations and page errors. */
export async function openTab(browser: Browser, server: TestServer, opts: TabOptions = {}): Promise<Tab> {
  const context = await browser.newContext({
    baseURL: server.url,
    colorScheme: opts.colorScheme ?? 'light',
    viewport: opts.viewport ?? DESKTOP,
    locale: 'en-GB',
    timezoneId: 'UTC',
    acceptDownloads: true,
    ...opts.contextOptions,
  });
  if (opts.as) await signInContext(context, server, opts.as);
  const page = await context.newPage();
  const problems: string[] = [];
  page.on('console', (m) => {
    if (/content security policy/i.test(m.text())) problems.push(`CSP: ${m.text()}`);
  });
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  return { context, page, problems, close: () => context.close() };
}

/** Gives a browser context the session of an API client, as if it had signed in. */
export async function signInContext(
  context: BrowserContext,
  server: TestServer,
  client: Client,
): Promise<void> {
  if (!client.token) throw new Error('the client is not signed in');
  await context.addCookies([{ name: 'loft_session', value: client.token, url: server.url, httpOnly: true }]);
}

export function expectNoProblems(tab: Tab): void {
  expect(tab.problems, 'CSP violations or uncaught errors in the page').toEqual([]);
}

let seq = 0;
/** A username unique across the runs sharing a database. */
export function uniqueName(prefix = 'web'): string {
  return `${prefix}${process.pid}n${++seq}`;
}

/** Fills and submits the sign-up form on /signup. */
export async function fillSignUp(page: Page, f: { username: string; email: string; password: string }) {
  await page.getByLabel('Username').fill(f.username);
  await page.getByLabel('Email').fill(f.email);
  await page.getByLabel('Password').fill(f.password);
  await page.getByRole('button', { name: 'Create account' }).click();
}

/** Fills and submits the sign-in form on /signin. */
export async function fillSignIn(page: Page, login: string, password = PASSWORD, remember = true) {
  await page.getByLabel('Username or email').fill(login);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('checkbox', { name: 'Stay signed in' }).setChecked(remember);
  await page.getByRole('button', { name: 'Sign in' }).click();
}

/** The file list of the open folder. */
export function grid(page: Page): Locator {
  return page.getByRole('grid');
}

/** The row of the entry with that exact name (found through its "Select <name>" checkbox). */
export function row(page: Page, name: string): Locator {
  return grid(page)
    .getByRole('row')
    .filter({ has: page.getByRole('checkbox', { name: `Select ${name}`, exact: true }) });
}

/** Names of the rows in the DOM, in order. */
export async function rowNames(page: Page): Promise<string[]> {
  return grid(page)
    .getByRole('row')
    .evaluateAll((rows) =>
      rows.map((r) => r.getAttribute('data-name')).filter((n): n is string => n !== null),
    );
}

/** Clicks a row where a click selects (its size cell), with optional modifier keys. */
export async function clickRow(page: Page, name: string, modifiers: ('Shift' | 'ControlOrMeta')[] = []) {
  await row(page, name).getByRole('gridcell').nth(2).click({ modifiers });
}

/** Names of the selected rows. */
export async function selectedNames(page: Page): Promise<string[]> {
  return grid(page)
    .locator('[role=row][aria-selected=true]')
    .evaluateAll((rows) => rows.map((r) => r.getAttribute('data-name') ?? ''));
}

/** Opens a row's "Actions for <name>" menu and picks an item. */
export async function rowAction(page: Page, name: string, item: string) {
  await page.getByRole('button', { name: `Actions for ${name}`, exact: true }).click();
  await page
    .getByRole('menu', { name: `Actions for ${name}` })
    .getByRole('menuitem', { name: item })
    .click();
}

/** Waits for the folder at this path (segments) to be listed. */
export async function waitForFolder(page: Page, segments: string[]) {
  const want = '/files' + segments.map((s) => '/' + encodeURIComponent(s)).join('');
  await page.waitForURL((u) => u.pathname === want);
  const current = segments.length ? segments[segments.length - 1]! : 'My files';
  await expect
    .poll(() =>
      page
        .getByRole('navigation', { name: 'Breadcrumb' })
        .locator('[aria-current=page]')
        .textContent()
        .catch(() => null),
    )
    .toBe(current);
  // The listing's live region says "Loading" until the first page is in, then "n items".
  await expect
    .poll(() =>
      page
        .locator('.files-page > p[aria-live]')
        .textContent()
        .catch(() => null),
    )
    .toMatch(/^[\d,]+ items?$/);
  await expect.poll(() => page.locator('.page[aria-busy=true], .file-row.placeholder').count()).toBe(0);
}

export async function downloadBytes(download: Download): Promise<Buffer> {
  const file = await download.path();
  return readFileSync(file);
}

export const sha256 = (b: Buffer | string) => createHash('sha256').update(b).digest('hex');

/** Writes docs/screenshots/<name>.png at the repository root. */
export async function shot(page: Page, name: string): Promise<void> {
  mkdirSync(SHOTS_DIR, { recursive: true });
  // Fonts and icons settle, and nothing is mid-transition.
  await page.evaluate(() => document.fonts.ready.then(() => undefined));
  await page.screenshot({ path: path.join(SHOTS_DIR, `${name}.png`), animations: 'disabled', caret: 'hide' });
}

/** A node by path through the REST API, or null when there is none. */
export async function resolvePath(client: Client, p: string): Promise<any | null> {
  const r = await client.json('GET', `/api/resolve?path=${encodeURIComponent(p)}`);
  return r.status === 200 ? r.body : null;
}

/** Names of a folder's live children through the REST API. */
export async function childNames(client: Client, folderId: string): Promise<string[]> {
  const names: string[] = [];
  let cursor: string | null = null;
  do {
    const q: string = cursor ? `&cursor=${encodeURIComponent(cursor)}` : '';
    const r = await client.json('GET', `/api/nodes/${folderId}/children?limit=1000${q}`, undefined, 200);
    names.push(...r.body.items.map((n: { name: string }) => n.name));
    cursor = r.body.nextCursor;
  } while (cursor);
  return names.sort();
}

/** Relative luminance (0 black … 1 white) of the page's background. */
export const backgroundLuminance = (page: Page) =>
  page.evaluate(() => {
    const bg = getComputedStyle(document.body).backgroundColor;
    const [r, g, b] = (bg.match(/[\d.]+/g) ?? ['0', '0', '0']).slice(0, 3).map((v) => Number(v) / 255);
    const lin = (c: number) => (c <= 0.04045 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4);
    return 0.2126 * lin(r!) + 0.7152 * lin(g!) + 0.0722 * lin(b!);
  });

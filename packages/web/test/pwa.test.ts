import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  backgroundLuminance,
  dialect,
  expectNoProblems,
  launchBrowser,
  openTab,
  row,
  startWebServer,
  waitForFolder,
  type TestServer,
} from './helpers/web.js';

describe(`app shell: PWA and theme (${dialect})`, () => {
  let server: TestServer;
  let browser: Browser;

  beforeAll(async () => {
    [server, browser] = await Promise.all([startWebServer(), launchBrowser()]);
  });
  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it('serves a manifest and a service worker that caches the shell but never the API', async () => {
    const res = await fetch(`${server.url}/manifest.webmanifest`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/manifest+json');
    const manifest = await res.json();
    expect(manifest.name).toBe('Loft');
    expect(manifest.start_url).toBe('/files');
    expect(manifest.display).toBe('standalone');
    expect(manifest.icons.length).toBeGreaterThan(0);
    for (const icon of manifest.icons as { src: string; sizes: string; type: string }[]) {
      const r = await fetch(new URL(icon.src, server.url));
      expect(r.status, icon.src).toBe(200);
      expect(r.headers.get('content-type'), icon.src).toBe(icon.type);
      // Read every answer to the end: an unread body keeps its connection (and server.close()) busy.
      const bytes = Buffer.from(await r.arrayBuffer());
      if (icon.type === 'image/png') expect(bytes.subarray(1, 4).toString(), icon.src).toBe('PNG');
      else expect(bytes.toString(), icon.src).toContain('<svg');
    }
    expect(manifest.icons.some((i: { sizes: string }) => i.sizes === '512x512')).toBe(true);

    const c = await server.user();
    await c.upload('/Offline/kept.txt', 'kept');
    const tab = await openTab(browser, server, { as: c });
    const { page, context } = tab;
    await page.goto('/files');
    await waitForFolder(page, []);
    expect(await page.locator('link[rel=manifest]').getAttribute('href')).toBe('/manifest.webmanifest');

    // /sw.js registers and takes control of the page.
    const reg = await page.evaluate(async () => {
      const r = await navigator.serviceWorker.ready;
      return { scope: r.scope, script: r.active?.scriptURL };
    });
    expect(reg).toEqual({ scope: `${server.url}/`, script: `${server.url}/sw.js` });
    await expect
      .poll(() => page.evaluate(() => navigator.serviceWorker.controller?.scriptURL ?? null))
      .toBe(`${server.url}/sw.js`);
    // API answers pass through the worker (controlled now) without landing in its cache.
    await page.goto('/files/Offline');
    await waitForFolder(page, ['Offline']);
    await row(page, 'kept.txt').waitFor();
    expect(await page.evaluate(() => fetch('/api/me').then((r) => r.status))).toBe(200);
    const cached = await page.evaluate(async () => {
      const out: string[] = [];
      for (const key of await caches.keys())
        for (const req of await (await caches.open(key)).keys()) out.push(new URL(req.url).pathname);
      return out;
    });
    expect(cached).toContain('/index.html');
    expect(cached.some((p) => p.startsWith('/assets/') && p.endsWith('.js'))).toBe(true);
    expect(cached.filter((p) => p.startsWith('/api/'))).toEqual([]);

    // Offline: the API fails (nothing from a cache) while the app shell still loads.
    await context.setOffline(true);
    const offline = await page.evaluate(() =>
      fetch('/api/me').then(
        (r) => `answered ${r.status}`,
        (e: Error) => `failed: ${e.name}`,
      ),
    );
    expect(offline).toBe('failed: TypeError');
    const failed: string[] = [];
    page.on('requestfailed', (r) => {
      const p = new URL(r.url()).pathname;
      if (!p.startsWith('/api/')) failed.push(p);
    });
    await page.reload();
    expect(page.url().startsWith(server.url)).toBe(true);
    await page.locator('#root > *').first().waitFor();
    expect(await page.title()).toMatch(/Loft$/);
    // Unreachable is not signed out: the app says so and offers a retry, not a sign-in form.
    await page.getByRole('heading', { name: 'Cannot reach Loft' }).waitFor();
    expect(page.url()).not.toContain('/signin');
    // Every file of the shell came from the worker's cache.
    expect(failed).toEqual([]);
    // Back online, the same tab is signed in again and the folder is there.
    await context.setOffline(false);
    await page.goto('/files/Offline');
    await waitForFolder(page, ['Offline']);
    await row(page, 'kept.txt').waitFor();
    expectNoProblems(tab);
    await tab.close();
  });

  it('remembers the theme chosen with the toggle across a reload', async () => {
    const c = await server.user();
    const tab = await openTab(browser, server, { as: c, colorScheme: 'light' });
    const { page } = tab;
    await page.goto('/files');
    await waitForFolder(page, []);
    const toggle = page.getByRole('button', { name: /^Theme:/ });
    const state = async () => ({
      label: await toggle.getAttribute('aria-label'),
      theme: await page.evaluate(() => document.documentElement.dataset.theme),
      stored: await page.evaluate(() => localStorage.getItem('loft-theme')),
    });
    expect(await state()).toEqual({ label: 'Theme: system. Switch to dark', theme: 'light', stored: null });
    const light = await backgroundLuminance(page);
    expect(light).toBeGreaterThan(0.5);

    await toggle.click();
    expect(await state()).toEqual({ label: 'Theme: dark. Switch to light', theme: 'dark', stored: 'dark' });
    await expect.poll(() => backgroundLuminance(page)).toBeLessThan(0.2);
    await page.reload();
    await waitForFolder(page, []);
    // Dark although the system is light: the choice was kept.
    expect(await state()).toEqual({ label: 'Theme: dark. Switch to light', theme: 'dark', stored: 'dark' });
    await expect.poll(() => backgroundLuminance(page)).toBeLessThan(0.2);

    await toggle.click();
    expect(await state()).toEqual({
      label: 'Theme: light. Switch to system',
      theme: 'light',
      stored: 'light',
    });
    await toggle.click();
    expect(await state()).toEqual({ label: 'Theme: system. Switch to dark', theme: 'light', stored: null });
    await page.reload();
    await waitForFolder(page, []);
    expect(await state()).toEqual({ label: 'Theme: system. Switch to dark', theme: 'light', stored: null });
    expectNoProblems(tab);
    await tab.close();
  });
});

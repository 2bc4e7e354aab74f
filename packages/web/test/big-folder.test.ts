import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { nodesRepo } from '../../server/src/db/nodes-repo.js';
import { newFolderRow } from '../../server/src/nodes/nodes-service.js';
import {
  dialect,
  expectNoProblems,
  grid,
  launchBrowser,
  openTab,
  rowNames,
  shot,
  startWebServer,
  waitForFolder,
  type TestServer,
} from './helpers/web.js';

const COUNT = 100_000;
const nameOf = (i: number) => `entry-${String(i).padStart(6, '0')}`;

/** Most rows the grid may hold in the DOM at once (header included): it must virtualize. */
const MAX_ROWS_IN_DOM = 200;

describe(`a folder of 100,000 entries (${dialect})`, () => {
  let server: TestServer;
  let browser: Browser;

  beforeAll(async () => {
    [server, browser] = await Promise.all([startWebServer(), launchBrowser()]);
  });
  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it('opens in under a second, scrolls to the end, and keeps the DOM small', async () => {
    const c = await server.user('hoarder');
    const huge = (await c.json('POST', `/api/nodes/${c.rootId}/folders`, { name: 'Huge' }, 201)).body;
    await c.json('POST', `/api/nodes/${c.rootId}/folders`, { name: 'Other' }, 201);

    // Seeded in-process in one transaction, the way the service builds folder rows. Empty folders
    // hold no bytes, so no usage or blob counter changes (the listing's total is counted live).
    const seedStart = performance.now();
    const { database } = server.app.services;
    const now = server.clock.now();
    await database.transaction(async (trx) => {
      const BATCH = 5_000;
      for (let i = 1; i <= COUNT; i += BATCH) {
        const rows = [];
        for (let j = i; j < i + BATCH && j <= COUNT; j++)
          rows.push(newFolderRow(c.user!.id, huge.id, nameOf(j), now));
        await nodesRepo.insertMany(trx, rows);
      }
    });
    console.log(
      `[${dialect}] seeded ${COUNT.toLocaleString('en')} entries in ${Math.round(performance.now() - seedStart)} ms`,
    );
    const first = (await c.json('GET', `/api/nodes/${huge.id}/children?limit=1&total=true`, undefined, 200))
      .body;
    expect(first.total).toBe(COUNT);
    expect(first.items[0].name).toBe(nameOf(1));

    const tab = await openTab(browser, server, { as: c, colorScheme: 'dark' });
    const { page } = tab;
    await page.goto('/files');
    await waitForFolder(page, []);
    expect(await rowNames(page)).toEqual(['Huge', 'Other']);

    // From the click on the folder to its first row on screen, timed inside the page.
    const openMs = await page.evaluate(
      ({ folder, firstName }) =>
        new Promise<number>((resolve, reject) => {
          const link = [...document.querySelectorAll<HTMLAnchorElement>('[role=grid] a.name')].find(
            (a) => a.textContent === folder,
          );
          if (!link) return reject(new Error(`no link to ${folder}`));
          const t0 = performance.now();
          const visible = () => {
            const row = document.querySelector(`[role=grid] [role=row][data-name="${firstName}"]`);
            if (!row) return false;
            const r = row.getBoundingClientRect();
            return r.height > 0 && r.bottom > 0 && r.top < innerHeight;
          };
          const check = () => {
            if (visible()) {
              observer.disconnect();
              resolve(performance.now() - t0);
            }
          };
          const observer = new MutationObserver(check);
          observer.observe(document.body, { childList: true, subtree: true, attributes: true });
          link.click();
          check();
        }),
      { folder: 'Huge', firstName: nameOf(1) },
    );
    console.log(`[${dialect}] 100,000-entry folder: click to first row visible in ${openMs.toFixed(1)} ms`);
    expect(openMs).toBeLessThan(1000);
    await page.waitForURL((u) => u.pathname === '/files/Huge');
    const list = grid(page);
    expect(await list.getAttribute('aria-label')).toBe('Contents of Huge');
    expect(await list.getAttribute('aria-rowcount')).toBe(String(COUNT + 1));
    await page.getByText('100,000 items').waitFor({ state: 'attached' });
    await shot(page, 'hundred-thousand-dark');

    // Count the grid's rows after every DOM change while scrolling to the very end.
    await list.evaluate((el) => {
      const w = window as unknown as { __maxRows: number; __rowObserver: MutationObserver };
      const count = () => (w.__maxRows = Math.max(w.__maxRows, el.querySelectorAll('[role=row]').length));
      w.__maxRows = 0;
      count();
      w.__rowObserver = new MutationObserver(count);
      w.__rowObserver.observe(el, { childList: true, subtree: true });
    });
    const scrollHeight = await list.evaluate((el) => el.scrollHeight);
    expect(scrollHeight).toBeGreaterThan(COUNT * 40);
    const STEPS = 25;
    for (let s = 1; s <= STEPS; s++) {
      await list.evaluate(
        (el, top) => {
          el.scrollTop = top;
          return new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)));
        },
        Math.round((scrollHeight * s) / STEPS),
      );
    }
    await list.evaluate((el) => (el.scrollTop = el.scrollHeight));
    const last = list.locator(`[role=row][data-name="${nameOf(COUNT)}"]`);
    await last.waitFor({ timeout: 60_000 });
    expect(await last.getAttribute('aria-rowindex')).toBe(String(COUNT + 1));
    expect(await last.isVisible()).toBe(true);
    const maxRows = await page.evaluate(() => {
      const w = window as unknown as { __maxRows: number; __rowObserver: MutationObserver };
      w.__rowObserver.disconnect();
      return w.__maxRows;
    });
    console.log(`[${dialect}] most rows in the DOM while scrolling: ${maxRows}`);
    expect(maxRows).toBeGreaterThan(10);
    expect(maxRows).toBeLessThan(MAX_ROWS_IN_DOM);
    expect(await list.getByRole('row').count()).toBeLessThan(MAX_ROWS_IN_DOM);
    expect(await list.getAttribute('aria-rowcount')).toBe(String(COUNT + 1));

    // An upload into the folder reloads the listing: the view stays where it was, with real rows.
    const middle = 50_000;
    const top = await list.evaluate((el, i) => {
      const rowHeight = (el.querySelector('[role=row][data-name]') as HTMLElement).offsetHeight;
      el.scrollTop = i * rowHeight;
      return el.scrollTop;
    }, middle);
    const inView = list.locator(`[role=row][data-name="${nameOf(middle + 2)}"]`);
    await inView.waitFor({ timeout: 60_000 });
    await page
      .getByLabel('Files to upload')
      .setInputFiles([{ name: 'late.txt', mimeType: 'text/plain', buffer: Buffer.from('late') }]);
    await expect.poll(() => list.getAttribute('aria-rowcount'), { timeout: 10_000 }).toBe(String(COUNT + 2));
    expect(await list.evaluate((el) => el.scrollTop)).toBe(top);
    await inView.waitFor();
    await expect.poll(() => list.locator('.placeholder').count(), { timeout: 10_000 }).toBe(0);

    // The deep link, loaded from scratch: from the start of the navigation (performance's time
    // origin) to the first row on screen, recorded by an observer installed before the app runs.
    await page.addInitScript((firstName) => {
      const w = window as unknown as { __firstRowAt?: number };
      const observer = new MutationObserver(() => {
        const row = document.querySelector(`[role=grid] [role=row][data-name="${firstName}"]`);
        if (row && row.getBoundingClientRect().height > 0) {
          w.__firstRowAt = performance.now();
          observer.disconnect();
        }
      });
      observer.observe(document, { childList: true, subtree: true });
    }, nameOf(1));
    await page.goto('/files/Huge');
    const deepLinkMs = await page
      .waitForFunction(() => (window as unknown as { __firstRowAt?: number }).__firstRowAt)
      .then((h) => h.jsonValue() as Promise<number>);
    console.log(
      `[${dialect}] 100,000-entry folder: deep link to first row visible in ${deepLinkMs.toFixed(1)} ms`,
    );
    expect(deepLinkMs).toBeLessThan(1000);
    expectNoProblems(tab);
    await tab.close();
  });
});

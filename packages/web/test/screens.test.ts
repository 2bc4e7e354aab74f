import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  backgroundLuminance,
  dialect,
  expectNoProblems,
  fillSignUp,
  launchBrowser,
  openTab,
  PHONE,
  row,
  rowNames,
  shot,
  startWebServer,
  waitForFolder,
  type Client,
  type TestServer,
} from './helpers/web.js';

/**
 * The main screens in the light and the dark theme, written to docs/screenshots/. Each theme is
 * forced through the browser's colour scheme (the app follows the system by default) and checked
 * on the rendered page, so a screenshot never shows a theme other than its name says.
 */
describe(`screenshots of the main screens (${dialect})`, () => {
  let server: TestServer;
  let browser: Browser;
  let alice: Client;

  beforeAll(async () => {
    [server, browser] = await Promise.all([startWebServer(), launchBrowser()]);
    alice = await server.user('alice');
    const root = alice.rootId;
    for (const name of ['Documents', 'Photos', 'Music', 'Projects'])
      await alice.json('POST', `/api/nodes/${root}/folders`, { name }, 201);
    const files: [string, number][] = [
      ['/Annual report 2026.pdf', 2_400_000],
      ['/Budget.xlsx', 48_000],
      ['/holiday.jpg', 1_250_000],
      ['/notes.md', 2_100],
      ['/Roadmap.pptx', 5_600_000],
      ['/theme song.mp3', 3_100_000],
      ['/Photos/beach.jpg', 900_000],
      ['/old draft.docx', 31_000],
      ['/Archive 2019/scan.pdf', 700_000],
    ];
    for (const [p, size] of files) {
      expect((await alice.upload(p, Buffer.alloc(size, p.length))).status).toBe(201);
    }
    for (const p of ['/old draft.docx', '/Archive 2019']) {
      const n = await alice.resolve(p);
      await alice.json('DELETE', `/api/nodes/${n.id}`, undefined, 204);
    }
  });
  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  for (const theme of ['light', 'dark'] as const) {
    it(`${theme} theme: sign-in, sign-up errors, files, trash, phone`, async () => {
      const expectTheme = async (page: Page) => {
        expect(await page.evaluate(() => document.documentElement.dataset.theme)).toBe(theme);
        const lum = await backgroundLuminance(page);
        if (theme === 'dark') expect(lum).toBeLessThan(0.2);
        else expect(lum).toBeGreaterThan(0.5);
      };

      const visitor = await openTab(browser, server, { colorScheme: theme });
      await visitor.page.goto('/signin');
      await visitor.page.getByRole('heading', { name: 'Sign in' }).waitFor();
      await expectTheme(visitor.page);
      await shot(visitor.page, `signin-${theme}`);
      await visitor.page.getByRole('link', { name: 'Create an account' }).click();
      await fillSignUp(visitor.page, { username: 'alice', email: 'alice@example', password: 'secret' });
      await visitor.page.locator('[aria-invalid=true]').first().waitFor();
      await shot(visitor.page, `signup-errors-${theme}`);
      expectNoProblems(visitor);
      await visitor.close();

      const tab = await openTab(browser, server, { as: alice, colorScheme: theme });
      const { page } = tab;
      await page.goto('/files');
      await waitForFolder(page, []);
      expect(await rowNames(page)).toEqual([
        'Documents',
        'Music',
        'Photos',
        'Projects',
        'Annual report 2026.pdf',
        'Budget.xlsx',
        'holiday.jpg',
        'notes.md',
        'Roadmap.pptx',
        'theme song.mp3',
      ]);
      await expectTheme(page);
      await row(page, 'Budget.xlsx').getByRole('gridcell').nth(2).click();
      await page.mouse.move(0, 0);
      await shot(page, `files-${theme}`);
      await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Trash' }).click();
      const items = page.getByRole('list', { name: 'Deleted items' }).getByRole('listitem');
      await expect.poll(() => items.count()).toBe(2);
      await expectTheme(page);
      await shot(page, `trash-${theme}`);

      await page.setViewportSize(PHONE);
      await page.goto('/files');
      await waitForFolder(page, []);
      await expectTheme(page);
      await shot(page, `files-phone-${theme}`);
      await page.getByRole('button', { name: 'Open navigation' }).click();
      await expect
        .poll(() => page.getByRole('button', { name: 'Open navigation' }).getAttribute('aria-expanded'))
        .toBe('true');
      await expect
        .poll(async () => (await page.getByRole('navigation', { name: 'Main' }).boundingBox())?.x)
        .toBe(0);
      await shot(page, `drawer-phone-${theme}`);
      expectNoProblems(tab);
      await tab.close();
    });
  }
});

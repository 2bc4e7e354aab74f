import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  clickRow,
  dialect,
  expectNoProblems,
  grid,
  launchBrowser,
  openTab,
  resolvePath,
  rowNames,
  selectedNames,
  shot,
  startWebServer,
  waitForFolder,
  type TestServer,
} from './helpers/web.js';

const focusedName = (page: Page) =>
  page.evaluate(() => {
    const g = document.querySelector('[role=grid]');
    const id = g?.getAttribute('aria-activedescendant');
    return id ? (document.getElementById(id)?.getAttribute('data-name') ?? null) : null;
  });

const sortState = (page: Page) =>
  grid(page)
    .getByRole('columnheader')
    .evaluateAll((hs) =>
      Object.fromEntries(
        hs.filter((h) => h.textContent).map((h) => [h.textContent, h.getAttribute('aria-sort')]),
      ),
    );

describe(`browsing in the browser (${dialect})`, () => {
  let server: TestServer;
  let browser: Browser;

  beforeAll(async () => {
    [server, browser] = await Promise.all([startWebServer(), launchBrowser()]);
  });
  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it('moves and selects with the keyboard and the mouse, and sorts by column', async () => {
    const c = await server.user('kim');
    await c.upload('/keys/sub/inside.txt', 'in');
    // Upload order (the modified order) differs from both the name and the size order.
    const sizes: Record<string, number> = { charlie: 200, echo: 400, alpha: 300, delta: 50, bravo: 100 };
    for (const [name, size] of Object.entries(sizes)) {
      server.clock.advance(60_000);
      expect((await c.upload(`/keys/${name}.txt`, Buffer.alloc(size, 97))).status).toBe(201);
    }
    const tab = await openTab(browser, server, { as: c });
    const { page } = tab;
    await page.goto('/files/keys');
    await waitForFolder(page, ['keys']);
    const byName = ['sub', 'alpha.txt', 'bravo.txt', 'charlie.txt', 'delta.txt', 'echo.txt'];
    expect(await rowNames(page)).toEqual(byName);

    // Arrows move the focus and the selection with it.
    await clickRow(page, 'alpha.txt');
    expect(await selectedNames(page)).toEqual(['alpha.txt']);
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('ArrowDown');
    expect(await selectedNames(page)).toEqual(['charlie.txt']);
    expect(await focusedName(page)).toBe('charlie.txt');
    await page.keyboard.press('ArrowUp');
    expect(await selectedNames(page)).toEqual(['bravo.txt']);
    await page.keyboard.press('ArrowDown');
    // Shift+arrows extend a range from the anchor.
    await page.keyboard.press('Shift+ArrowUp');
    await page.keyboard.press('Shift+ArrowUp');
    expect(await selectedNames(page)).toEqual(['alpha.txt', 'bravo.txt', 'charlie.txt']);
    await page.keyboard.press('Shift+ArrowDown');
    expect(await selectedNames(page)).toEqual(['bravo.txt', 'charlie.txt']);
    expect(
      await page.getByRole('toolbar', { name: 'File actions' }).getByText('2 selected').isVisible(),
    ).toBe(true);

    // Shift-click selects a range, Ctrl-click toggles single rows.
    await clickRow(page, 'bravo.txt');
    await clickRow(page, 'echo.txt', ['Shift']);
    expect(await selectedNames(page)).toEqual(['bravo.txt', 'charlie.txt', 'delta.txt', 'echo.txt']);
    await clickRow(page, 'charlie.txt', ['ControlOrMeta']);
    expect(await selectedNames(page)).toEqual(['bravo.txt', 'delta.txt', 'echo.txt']);
    await clickRow(page, 'sub', ['ControlOrMeta']);
    expect(await selectedNames(page)).toEqual(['sub', 'bravo.txt', 'delta.txt', 'echo.txt']);
    // Escape clears, Ctrl+A selects everything.
    await page.keyboard.press('Escape');
    expect(await selectedNames(page)).toEqual([]);
    await page.keyboard.press('ControlOrMeta+a');
    expect(await selectedNames(page)).toEqual(byName);
    expect(
      await page.getByRole('toolbar', { name: 'File actions' }).getByText('6 selected').isVisible(),
    ).toBe(true);
    await page.keyboard.press('Escape');
    expect(await selectedNames(page)).toEqual([]);

    // Enter opens the focused folder.
    await page.keyboard.press('Home');
    expect(await focusedName(page)).toBe('sub');
    await page.keyboard.press('Enter');
    await waitForFolder(page, ['keys', 'sub']);
    expect(await rowNames(page)).toEqual(['inside.txt']);
    await page.goBack();
    await waitForFolder(page, ['keys']);

    // Sorting by a column header: folders stay first.
    expect(await sortState(page)).toEqual({ Name: 'ascending', Size: 'none', Modified: 'none' });
    await grid(page).getByRole('button', { name: 'Size' }).click();
    await expect.poll(() => sortState(page)).toEqual({ Name: 'none', Size: 'ascending', Modified: 'none' });
    await expect
      .poll(() => rowNames(page))
      .toEqual(['sub', 'delta.txt', 'bravo.txt', 'charlie.txt', 'alpha.txt', 'echo.txt']);
    await grid(page).getByRole('button', { name: 'Size' }).click();
    await expect.poll(() => sortState(page)).toEqual({ Name: 'none', Size: 'descending', Modified: 'none' });
    await expect
      .poll(() => rowNames(page))
      .toEqual(['sub', 'echo.txt', 'alpha.txt', 'charlie.txt', 'bravo.txt', 'delta.txt']);
    await grid(page).getByRole('button', { name: 'Modified' }).click();
    await expect.poll(() => sortState(page)).toEqual({ Name: 'none', Size: 'none', Modified: 'ascending' });
    await expect
      .poll(() => rowNames(page))
      .toEqual(['sub', 'charlie.txt', 'echo.txt', 'alpha.txt', 'delta.txt', 'bravo.txt']);
    await grid(page).getByRole('button', { name: 'Modified' }).click();
    await expect.poll(() => sortState(page)).toEqual({ Name: 'none', Size: 'none', Modified: 'descending' });
    await expect
      .poll(() => rowNames(page))
      .toEqual(['sub', 'bravo.txt', 'delta.txt', 'alpha.txt', 'echo.txt', 'charlie.txt']);
    // The choice is remembered.
    await page.reload();
    await waitForFolder(page, ['keys']);
    expect(await sortState(page)).toEqual({ Name: 'none', Size: 'none', Modified: 'descending' });
    expectNoProblems(tab);
    await tab.close();
  });

  it('searches from the header: suggestions with their folder, the results page, and the file selected', async () => {
    const c = await server.user('sam');
    await c.upload('/Projects/Reports/quarterly-report.pdf', '%PDF-1.4 quarterly');
    await c.upload('/Projects/plan.txt', 'plan');
    await c.upload('/Projects/Reports/annual.pdf', '%PDF-1.4 annual');
    await c.upload('/Misc/quarterly-notes.txt', 'notes');
    const target = await resolvePath(c, '/Projects/Reports/quarterly-report.pdf');
    const tab = await openTab(browser, server, { as: c });
    const { page } = tab;
    await page.goto('/files');
    await waitForFolder(page, []);

    const box = page.getByRole('combobox', { name: 'Search files by name' });
    await box.fill('ly-rep');
    const suggestions = page.getByRole('listbox', { name: 'Search suggestions' }).getByRole('option');
    await expect.poll(() => suggestions.count()).toBe(1);
    expect(await suggestions.first().textContent()).toBe('quarterly-report.pdf/Projects/Reports');
    expect(await box.getAttribute('aria-expanded')).toBe('true');

    // Enter opens the results page.
    await box.fill('QUARTERLY');
    await expect.poll(() => suggestions.count()).toBe(2);
    await box.press('Enter');
    await page.waitForURL((u) => u.pathname === '/search' && u.searchParams.get('q') === 'QUARTERLY');
    await page.getByRole('heading', { name: 'Results for “QUARTERLY”' }).waitFor();
    const results = page.getByRole('list', { name: 'Search results' }).getByRole('listitem');
    await expect.poll(() => results.count()).toBe(2);
    expect(await results.filter({ hasText: 'quarterly-report.pdf' }).textContent()).toContain(
      'In /Projects/Reports',
    );
    expect(await results.filter({ hasText: 'quarterly-notes.txt' }).textContent()).toContain('In /Misc');
    await shot(page, 'search-light');

    // A result opens its folder with the file selected.
    await page.getByRole('button', { name: 'quarterly-report.pdf' }).click();
    await waitForFolder(page, ['Projects', 'Reports']);
    expect(new URL(page.url()).searchParams.get('select')).toBe(target.id);
    await expect.poll(() => selectedNames(page)).toEqual(['quarterly-report.pdf']);
    expect(await rowNames(page)).toEqual(['annual.pdf', 'quarterly-report.pdf']);

    // A suggestion does the same, with the keyboard.
    await box.fill('notes');
    await expect.poll(() => suggestions.count()).toBe(1);
    await box.press('ArrowDown');
    expect(await suggestions.first().getAttribute('aria-selected')).toBe('true');
    await box.press('Enter');
    await waitForFolder(page, ['Misc']);
    await expect.poll(() => selectedNames(page)).toEqual(['quarterly-notes.txt']);
    expectNoProblems(tab);
    await tab.close();
  });
});

import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readZip } from '../../server/test/helpers/zip.js';
import { dropDirectory } from './helpers/drop.js';
import {
  clickRow,
  dialect,
  downloadBytes,
  expectNoProblems,
  fillSignIn,
  fillSignUp,
  grid,
  launchBrowser,
  openTab,
  PASSWORD,
  PHONE,
  resolvePath,
  row,
  rowAction,
  rowNames,
  sha256,
  shot,
  startWebServer,
  waitForFolder,
  type TestServer,
} from './helpers/web.js';

describe(`main journey (${dialect})`, () => {
  let server: TestServer;
  let browser: Browser;
  let tmp: string;

  beforeAll(async () => {
    [server, browser] = await Promise.all([startWebServer(), launchBrowser()]);
    tmp = mkdtempSync(path.join(os.tmpdir(), 'loft-web-journey-'));
  });
  afterAll(async () => {
    await browser?.close();
    await server?.close();
    if (tmp) rmSync(tmp, { recursive: true, force: true });
  });

  it('signs up, uploads, drops a folder, browses, downloads, renames, moves, trashes, restores, signs in again', async () => {
    const tab = await openTab(browser, server);
    const { page, context } = tab;
    const username = 'alice';

    // Sign up through the UI, from the sign-in page a visitor is sent to.
    await page.goto('/');
    await page.waitForURL((u) => u.pathname === '/signin');
    await page.getByRole('link', { name: 'Create an account' }).click();
    await page.waitForURL((u) => u.pathname === '/signup');
    await fillSignUp(page, { username, email: `${username}@example.test`, password: PASSWORD });
    await waitForFolder(page, []);
    await expect.poll(() => page.getByText('This folder is empty').isVisible()).toBe(true);
    // An API client of the same account checks what the UI did.
    const api = server.anonymous();
    expect((await api.login(username, PASSWORD)).status).toBe(200);

    // New folder.
    await page.getByRole('button', { name: 'New folder' }).click();
    await page.getByLabel('Folder name').fill('Projects');
    await page.getByRole('dialog', { name: 'New folder' }).getByRole('button', { name: 'Create' }).click();
    await row(page, 'Projects').waitFor();

    // Upload files with the "Upload files" input.
    const data = randomBytes(300_000);
    await page.getByLabel('Files to upload').setInputFiles([
      { name: 'hello.txt', mimeType: 'text/plain', buffer: Buffer.from('hello world\n') },
      { name: 'data.bin', mimeType: 'application/octet-stream', buffer: data },
    ]);
    const transfers = page.getByRole('region', { name: 'Transfers' });
    await expect.poll(() => transfers.locator('[data-status=done]').count()).toBe(2);
    await row(page, 'hello.txt').waitFor();
    await row(page, 'data.bin').waitFor();
    await transfers.getByRole('button', { name: 'Close transfers' }).click();

    // Drop a whole folder from the disk: nested folders, an empty one, and one with more entries
    // than Chromium's readEntries batch (100).
    const album = path.join(tmp, 'album');
    const files: Record<string, Buffer> = {
      'cover.txt': Buffer.from('cover'),
      '2024/jan/a.txt': Buffer.from('january\n'),
      '2024/feb/b.bin': randomBytes(50_000),
    };
    for (let i = 0; i < 105; i++) files[`many/f${String(i).padStart(3, '0')}.txt`] = Buffer.from(`file ${i}`);
    for (const [rel, bytes] of Object.entries(files)) {
      mkdirSync(path.dirname(path.join(album, rel)), { recursive: true });
      writeFileSync(path.join(album, rel), bytes);
    }
    mkdirSync(path.join(album, 'empty'));
    const how = await dropDirectory(page, album, grid(page));
    console.log(`[${dialect}] folder drop done through: ${how}`);
    await expect
      .poll(() => transfers.locator('[data-status=done]').count(), { timeout: 60_000 })
      .toBe(Object.keys(files).length);
    await expect(transfers.getByText('Uploads complete').isVisible()).resolves.toBe(true);
    await transfers.getByRole('button', { name: 'Close transfers' }).click();
    await row(page, 'album').waitFor();
    // The structure is recreated, empty folder included (checked through the REST API).
    for (const [rel, bytes] of Object.entries(files)) {
      const n = await resolvePath(api, `/album/${rel}`);
      expect(n?.kind, rel).toBe('file');
      expect(n.size, rel).toBe(bytes.length);
    }
    const empty = await resolvePath(api, '/album/empty');
    expect(empty?.kind).toBe('folder');
    expect(
      (await api.json('GET', `/api/nodes/${empty.id}/children?total=true`, undefined, 200)).body.total,
    ).toBe(0);
    const many = await resolvePath(api, '/album/many');
    expect(
      (await api.json('GET', `/api/nodes/${many.id}/children?total=true`, undefined, 200)).body.total,
    ).toBe(105);

    // Browse by clicking, with the breadcrumb and with back/forward.
    await grid(page).getByRole('link', { name: 'album', exact: true }).click();
    await waitForFolder(page, ['album']);
    expect(await rowNames(page)).toEqual(['2024', 'empty', 'many', 'cover.txt']);
    await grid(page).getByRole('link', { name: '2024', exact: true }).click();
    await waitForFolder(page, ['album', '2024']);
    expect(await rowNames(page)).toEqual(['feb', 'jan']);
    await page.getByRole('navigation', { name: 'Breadcrumb' }).getByRole('link', { name: 'album' }).click();
    await waitForFolder(page, ['album']);
    await page.goBack();
    await waitForFolder(page, ['album', '2024']);
    await page.goForward();
    await waitForFolder(page, ['album']);
    await grid(page).getByRole('link', { name: 'empty', exact: true }).click();
    await waitForFolder(page, ['album', 'empty']);
    await expect.poll(() => page.getByText('This folder is empty').isVisible()).toBe(true);
    // A deep link opens directly.
    await page.goto('/files/album/2024/jan');
    await waitForFolder(page, ['album', '2024', 'jan']);
    expect(await rowNames(page)).toEqual(['a.txt']);

    // Download a file from its menu, and another by double-click: the same bytes come back.
    let download = page.waitForEvent('download');
    await rowAction(page, 'a.txt', 'Download');
    let d = await download;
    expect(d.suggestedFilename()).toBe('a.txt');
    expect(sha256(await downloadBytes(d))).toBe(sha256(files['2024/jan/a.txt']!));
    await page
      .getByRole('navigation', { name: 'Breadcrumb' })
      .getByRole('link', { name: 'My files' })
      .click();
    await waitForFolder(page, []);
    download = page.waitForEvent('download');
    await row(page, 'data.bin').dblclick();
    d = await download;
    expect(d.suggestedFilename()).toBe('data.bin');
    expect(sha256(await downloadBytes(d))).toBe(sha256(data));

    // A folder downloads as a zip of everything inside.
    download = page.waitForEvent('download');
    await rowAction(page, 'album', 'Download as zip');
    d = await download;
    expect(d.suggestedFilename()).toBe('album.zip');
    const zip = readZip(await downloadBytes(d));
    for (const [rel, bytes] of Object.entries(files)) expect(zip.hashes[rel], rel).toBe(sha256(bytes));
    expect(zip.names).toContain('empty/');

    // Rename with F2 ...
    await clickRow(page, 'hello.txt');
    await page.keyboard.press('F2');
    const rename = page.getByRole('dialog', { name: 'Rename' });
    expect(await rename.getByLabel('New name').inputValue()).toBe('hello.txt');
    await rename.getByLabel('New name').fill('greeting.txt');
    await rename.getByRole('button', { name: 'Rename' }).click();
    await row(page, 'greeting.txt').waitFor();
    await expect.poll(() => row(page, 'hello.txt').count()).toBe(0);
    // ... and from the row menu.
    await rowAction(page, 'Projects', 'Rename');
    await rename.getByLabel('New name').fill('Work');
    await rename.getByRole('button', { name: 'Rename' }).click();
    await row(page, 'Work').waitFor();
    expect((await resolvePath(api, '/Work'))?.kind).toBe('folder');
    expect(await resolvePath(api, '/Projects')).toBeNull();

    // Move into a folder with the folder picker.
    await rowAction(page, 'greeting.txt', 'Move to…');
    const picker = page.getByRole('dialog', { name: 'Move “greeting.txt”' });
    await picker.getByRole('list', { name: 'Folders' }).getByRole('button', { name: 'Work' }).waitFor();
    await shot(page, 'move-dialog-light');
    await picker.getByRole('list', { name: 'Folders' }).getByRole('button', { name: 'Work' }).click();
    await picker.getByRole('button', { name: 'Move to “Work”' }).click();
    await expect.poll(() => picker.count()).toBe(0);
    await expect.poll(() => row(page, 'greeting.txt').count()).toBe(0);
    expect((await resolvePath(api, '/Work/greeting.txt'))?.size).toBe(12);

    // Delete with the Delete key; Undo brings it back.
    const toaster = page.getByRole('status').filter({ has: page.locator('.toast') });
    await clickRow(page, 'data.bin');
    await page.keyboard.press('Delete');
    await toaster.getByText('Moved “data.bin” to trash.').waitFor();
    await expect.poll(() => row(page, 'data.bin').count()).toBe(0);
    expect(await resolvePath(api, '/data.bin')).toBeNull();
    await toaster.getByRole('button', { name: 'Undo' }).click();
    await toaster.getByText('Restored “data.bin”.').waitFor();
    await row(page, 'data.bin').waitFor();
    expect((await resolvePath(api, '/data.bin'))?.size).toBe(data.length);
    // Delete again, and find it in the trash.
    await clickRow(page, 'data.bin');
    await page.keyboard.press('Delete');
    await expect.poll(() => row(page, 'data.bin').count()).toBe(0);
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Trash' }).click();
    await page.waitForURL((u) => u.pathname === '/trash');
    const item = page
      .getByRole('list', { name: 'Deleted items' })
      .getByRole('listitem')
      .filter({ hasText: 'data.bin' });
    await item.waitFor();
    expect(await item.textContent()).toContain('30 days left');
    // Restore from the trash.
    await item.getByRole('button', { name: 'Restore data.bin' }).click();
    await toaster.getByText('Restored “data.bin” to /.').waitFor();
    await page.getByText('The trash is empty').waitFor();
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'My files' }).click();
    await waitForFolder(page, []);
    await row(page, 'data.bin').waitFor();

    // Sign out, then in again with "Stay signed in": everything is still there.
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.waitForURL((u) => u.pathname === '/signin');
    expect((await context.cookies()).find((c) => c.name === 'loft_session')).toBeUndefined();
    await fillSignIn(page, username, PASSWORD, true);
    await waitForFolder(page, []);
    expect(await rowNames(page)).toEqual(['album', 'Work', 'data.bin']);
    const cookie = (await context.cookies()).find((c) => c.name === 'loft_session');
    // A remembered session survives closing the browser: the cookie has a lifetime (30 days).
    expect(cookie?.expires ?? -1).toBeGreaterThan(Date.now() / 1000 + 29 * 86_400);
    expect(cookie?.httpOnly).toBe(true);

    expectNoProblems(tab);
    await tab.close();
  });

  it('keeps the key controls reachable on a 360 px wide phone', async () => {
    const c = await server.user();
    await c.upload('/Notes/list.txt', 'milk');
    await c.upload('/report.txt', 'quarterly');
    const tab = await openTab(browser, server, { as: c, viewport: PHONE });
    const { page } = tab;
    await page.goto('/files');
    await waitForFolder(page, []);
    // Nothing wider than the screen.
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(PHONE.width);
    for (const name of ['Upload files', 'Upload folder', 'New folder', 'Open navigation', 'Sign out'])
      expect(await page.getByRole('button', { name }).isVisible(), name).toBe(true);
    expect(await page.getByRole('combobox', { name: 'Search files by name' }).isVisible()).toBe(true);
    // The sidebar is a drawer: hidden until opened (not just off screen, so Tab never reaches it).
    const nav = page.getByRole('navigation', { name: 'Main' });
    expect(await nav.isVisible()).toBe(false);
    await page.keyboard.press('Tab');
    expect(await page.evaluate(() => !!document.activeElement?.closest('.sidebar'))).toBe(false);
    const right = async () => {
      const b = await nav.getByRole('link', { name: 'Trash' }).boundingBox();
      return b ? b.x + b.width : -1;
    };
    await page.getByRole('button', { name: 'Open navigation' }).click();
    await expect.poll(right).toBeGreaterThan(0);
    await expect.poll(right).toBeLessThanOrEqual(PHONE.width);
    await nav.getByRole('link', { name: 'Trash' }).click();
    await page.waitForURL((u) => u.pathname === '/trash');
    await page.getByRole('heading', { name: 'Trash', exact: true }).waitFor();
    await page.getByRole('button', { name: 'Open navigation' }).click();
    await nav.getByRole('link', { name: 'My files' }).click();
    await waitForFolder(page, []);
    // Row actions work on a phone: open a folder, and a file's menu fits on screen.
    await grid(page).getByRole('link', { name: 'Notes', exact: true }).click();
    await waitForFolder(page, ['Notes']);
    await page.getByRole('button', { name: 'Actions for list.txt' }).click();
    const menu = page.getByRole('menu', { name: 'Actions for list.txt' });
    await menu.waitFor();
    const box = (await menu.boundingBox())!;
    expect(box.x).toBeGreaterThanOrEqual(0);
    expect(box.x + box.width).toBeLessThanOrEqual(PHONE.width);
    expect(await menu.getByRole('menuitem', { name: 'Rename' }).isVisible()).toBe(true);
    await page.keyboard.press('Escape');
    expectNoProblems(tab);
    await tab.close();
  });
});

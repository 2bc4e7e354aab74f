import { mkdtempSync, openSync, closeSync, ftruncateSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dropTreeSynthetic } from './helpers/drop.js';
import {
  childNames,
  dialect,
  downloadBytes,
  expectNoProblems,
  grid,
  launchBrowser,
  openTab,
  resolvePath,
  row,
  rowAction,
  rowNames,
  shot,
  startWebServer,
  waitForFolder,
  type Client,
  type TestServer,
} from './helpers/web.js';

describe(`uploads in the browser (${dialect})`, () => {
  let server: TestServer;
  let browser: Browser;
  let admin: Client;
  let tmp: string;

  beforeAll(async () => {
    [server, browser] = await Promise.all([startWebServer(), launchBrowser()]);
    // The first account is the administrator.
    admin = await server.user('boss');
    expect(admin.user!.role).toBe('admin');
    tmp = mkdtempSync(path.join(os.tmpdir(), 'loft-web-uploads-'));
  });
  afterAll(async () => {
    await browser?.close();
    await server?.close();
    if (tmp) rmSync(tmp, { recursive: true, force: true });
  });

  const reservedBytes = async (userId: string) => {
    const u = await server.app.services.database.db
      .selectFrom('users')
      .select('reserved_bytes')
      .where('id', '=', userId)
      .executeTakeFirstOrThrow();
    return Number(u.reserved_bytes);
  };

  it('shows "Quota exceeded" for a file bigger than the quota', async () => {
    const c = await server.user();
    const patched = await admin.json('PATCH', `/api/admin/users/${c.user!.id}`, { quotaBytes: 4096 }, 200);
    expect(patched.body.user.quotaBytes).toBe(4096);
    const tab = await openTab(browser, server, { as: c });
    const { page } = tab;
    await page.goto('/files');
    await waitForFolder(page, []);
    await page.getByLabel('Files to upload').setInputFiles([
      { name: 'small.txt', mimeType: 'text/plain', buffer: Buffer.from('fits') },
      { name: 'toobig.bin', mimeType: 'application/octet-stream', buffer: Buffer.alloc(10_000, 7) },
    ]);
    const transfers = page.getByRole('region', { name: 'Transfers' });
    const big = transfers.getByRole('listitem').filter({ hasText: 'toobig.bin' });
    await big.getByRole('alert').waitFor();
    expect(await big.getByRole('alert').textContent()).toMatch(
      /^Quota exceeded: This file needs 9\.8 KB but only 4 KB of your 4 KB is free\.$/,
    );
    expect(await big.getAttribute('data-status')).toBe('error');
    await expect
      .poll(() =>
        transfers.getByRole('listitem').filter({ hasText: 'small.txt' }).getAttribute('data-status'),
      )
      .toBe('done');
    expect(await transfers.getByText('1 upload failed').isVisible()).toBe(true);
    // It can be retried (and fails the same way while the quota is unchanged).
    expect(await big.getByRole('button', { name: 'Retry upload of toobig.bin' }).isVisible()).toBe(true);
    await row(page, 'small.txt').waitFor();
    await shot(page, 'transfers-quota-light');
    expect(await rowNames(page)).toEqual(['small.txt']);
    expect(await childNames(c, c.rootId)).toEqual(['small.txt']);
    expect((await c.me()).usedBytes).toBe(4);
    expectNoProblems(tab);
    await tab.close();
  });

  it('cancels an upload in flight: "Canceled", and nothing half-written in the folder', async () => {
    const c = await server.user();
    const bigFile = path.join(tmp, 'big.bin');
    const fd = openSync(bigFile, 'w');
    ftruncateSync(fd, 200 * 1024 * 1024);
    closeSync(fd);
    const tab = await openTab(browser, server, { as: c });
    const { page } = tab;
    await page.goto('/files');
    await waitForFolder(page, []);
    // Slow the page's uploads down so that one is surely in flight when it is canceled.
    const cdp = await page.context().newCDPSession(page);
    await cdp.send('Network.enable');
    await cdp.send('Network.emulateNetworkConditions', {
      offline: false,
      latency: 0,
      downloadThroughput: -1,
      uploadThroughput: 4 * 1024 * 1024,
    });
    await page.getByLabel('Files to upload').setInputFiles(bigFile);
    const transfers = page.getByRole('region', { name: 'Transfers' });
    const item = transfers.getByRole('listitem').filter({ hasText: 'big.bin' });
    const progress = transfers.getByRole('progressbar', { name: 'Upload of big.bin' });
    // Bytes are flowing and the server holds space for them.
    await expect.poll(async () => Number(await progress.getAttribute('aria-valuenow'))).toBeGreaterThan(0);
    await expect.poll(() => reservedBytes(c.user!.id)).toBe(200 * 1024 * 1024);
    await item.getByRole('button', { name: 'Cancel upload of big.bin' }).click();
    await expect.poll(() => item.getAttribute('data-status')).toBe('canceled');
    expect(await item.getByText('Canceled').isVisible()).toBe(true);
    expect(await item.getByRole('button', { name: 'Retry upload of big.bin' }).isVisible()).toBe(true);
    // The server saw the connection go: the space is released and no file was created.
    await expect.poll(() => reservedBytes(c.user!.id), { timeout: 30_000 }).toBe(0);
    expect(await childNames(c, c.rootId)).toEqual([]);
    expect((await c.me()).usedBytes).toBe(0);
    await page.reload();
    await waitForFolder(page, []);
    await page.getByText('This folder is empty').waitFor();
    await cdp.detach();
    expectNoProblems(tab);
    await tab.close();
  });

  it('keeps versions: upload the same name twice, restore the older one, download the old bytes', async () => {
    const c = await server.user();
    const tab = await openTab(browser, server, { as: c, colorScheme: 'dark' });
    const { page } = tab;
    await page.goto('/files');
    await waitForFolder(page, []);
    const v1 = Buffer.from('version one\n');
    const v2 = Buffer.from('version two, a longer text\n');
    const input = page.getByLabel('Files to upload');
    const done = page.getByRole('region', { name: 'Transfers' }).locator('[data-status=done]');
    await input.setInputFiles([{ name: 'doc.txt', mimeType: 'text/plain', buffer: v1 }]);
    await expect.poll(() => done.count()).toBe(1);
    await input.setInputFiles([{ name: 'doc.txt', mimeType: 'text/plain', buffer: v2 }]);
    await expect.poll(() => done.count()).toBe(2);
    await expect.poll(() => row(page, 'doc.txt').textContent()).toContain(`${v2.length} bytes`);
    expect(await rowNames(page)).toEqual(['doc.txt']);
    await page
      .getByRole('region', { name: 'Transfers' })
      .getByRole('button', { name: 'Close transfers' })
      .click();

    await rowAction(page, 'doc.txt', 'Versions');
    const dialog = page.getByRole('dialog', { name: 'Versions of “doc.txt”' });
    const versions = dialog.getByRole('list', { name: 'Versions' }).getByRole('listitem');
    await expect.poll(() => versions.count()).toBe(2);
    const older = versions.filter({ hasText: `${v1.length} bytes` });
    const newer = versions.filter({ hasText: `${v2.length} bytes` });
    expect(await newer.getByText('Current').count()).toBe(1);
    expect(await older.getByText('Current').count()).toBe(0);
    await shot(page, 'versions-dialog-dark');
    await older.getByRole('button', { name: 'Restore' }).click();
    await expect.poll(() => older.getByText('Current').count()).toBe(1);
    expect(await newer.getByText('Current').count()).toBe(0);
    expect(await newer.getByRole('button', { name: 'Restore' }).isVisible()).toBe(true);
    await dialog.getByRole('button', { name: 'Close' }).click();
    await expect.poll(() => row(page, 'doc.txt').textContent()).toContain(`${v1.length} bytes`);

    const download = page.waitForEvent('download');
    await rowAction(page, 'doc.txt', 'Download');
    expect((await downloadBytes(await download)).equals(v1)).toBe(true);
    expect((await resolvePath(c, '/doc.txt')).size).toBe(v1.length);
    expectNoProblems(tab);
    await tab.close();
  });

  it('uploads a folder dropped through the FileSystemEntry API (entries in batches, empty folders)', async () => {
    // The main journey drops a real folder from the disk; this drives the same traversal code with
    // entries built in the page, which browsers without that drag path would give the app.
    const c = await server.user();
    await c.json('POST', `/api/nodes/${c.rootId}/folders`, { name: 'Inbox' }, 201);
    const tab = await openTab(browser, server, { as: c });
    const { page } = tab;
    await page.goto('/files/Inbox');
    await waitForFolder(page, ['Inbox']);
    const tree = {
      name: 'scans',
      children: [
        { name: 'empty', children: [] },
        {
          name: 'deep',
          children: [
            { name: 'er', children: [{ name: 'x.txt', base64: Buffer.from('x').toString('base64') }] },
          ],
        },
        ...Array.from({ length: 120 }, (_, i) => ({
          name: `p${String(i).padStart(3, '0')}.txt`,
          base64: Buffer.from(`page ${i}`).toString('base64'),
        })),
      ],
    };
    await dropTreeSynthetic(page, tree, page.locator('.files-page'));
    const done = page.getByRole('region', { name: 'Transfers' }).locator('[data-status=done]');
    await expect.poll(() => done.count(), { timeout: 60_000 }).toBe(121);
    await row(page, 'scans').waitFor();
    await grid(page).getByRole('link', { name: 'scans', exact: true }).click();
    await waitForFolder(page, ['Inbox', 'scans']);
    const scans = await resolvePath(c, '/Inbox/scans');
    const names = await childNames(c, scans.id);
    expect(names).toHaveLength(122);
    expect(names).toContain('p119.txt');
    expect((await resolvePath(c, '/Inbox/scans/empty'))?.kind).toBe('folder');
    expect((await resolvePath(c, '/Inbox/scans/deep/er/x.txt'))?.size).toBe(1);
    expectNoProblems(tab);
    await tab.close();
  });
});

import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  dialect,
  downloadBytes,
  expectNoProblems,
  grid,
  launchBrowser,
  openTab,
  row,
  rowAction,
  sha256,
  shot,
  startWebServer,
  uniqueName,
  waitForFolder,
  type TestServer,
} from './helpers/web.js';

describe(`sharing in the browser (${dialect})`, () => {
  let server: TestServer;
  let browser: Browser;

  beforeAll(async () => {
    [server, browser] = await Promise.all([startWebServer(), launchBrowser()]);
  });
  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it('shares a folder from the row menu; the recipient browses it with the role they were given', async () => {
    const owner = await server.user(uniqueName('owner'));
    const friend = await server.user(uniqueName('friend'));
    await owner.upload('/Trip/itinerary.txt', 'day one: the lake');
    await owner.upload('/Trip/Photos/lake.jpg', 'not really a jpeg');

    // The owner shares "Trip" as view-only.
    const o = await openTab(browser, server, { as: owner });
    await o.page.goto('/files');
    await waitForFolder(o.page, []);
    await rowAction(o.page, 'Trip', 'Share…');
    const dialog = o.page.getByRole('dialog', { name: 'Share “Trip”' });
    await dialog.getByLabel('Add people').fill('nobody-at-all');
    await dialog.getByRole('button', { name: 'Share' }).click();
    await expect
      .poll(() => dialog.getByRole('alert').textContent())
      .toBe('No user has that username or email.');
    await dialog.getByLabel('Add people').fill(friend.user!.username);
    await dialog.getByRole('button', { name: 'Share' }).click();
    const people = dialog.getByRole('list', { name: 'People with access' });
    await people.getByText(friend.user!.username).waitFor();
    expect(await dialog.getByLabel(`Role of ${friend.user!.username}`).inputValue()).toBe('viewer');
    await shot(o.page, 'share-dialog-light');
    await dialog.getByRole('button', { name: 'Close' }).click();

    // The friend finds it under "Shared with me" and opens it in the file browser.
    const f = await openTab(browser, server, { as: friend });
    await f.page.goto('/files');
    await f.page
      .getByRole('navigation', { name: 'Main' })
      .getByRole('link', { name: 'Shared with me' })
      .click();
    await f.page.waitForURL((u) => u.pathname === '/shared');
    const list = f.page.getByRole('list', { name: 'Shared with me' });
    await list.getByText(`From ${owner.user!.username}`, { exact: false }).waitFor();
    expect(await list.getByText('Can view').count()).toBe(1);
    await list.getByRole('button', { name: 'Trip', exact: true }).click();
    await f.page.waitForURL((u) => u.pathname.startsWith('/shared/'));
    await row(f.page, 'itinerary.txt').waitFor();
    const crumbs = f.page.getByRole('navigation', { name: 'Breadcrumb' });
    expect(await crumbs.getByRole('listitem').allTextContents()).toEqual(['Shared with me', 'Trip']);
    // View only: no upload or new-folder buttons, no rename or trash in the menu.
    expect(await f.page.getByText('View only').isVisible()).toBe(true);
    expect(await f.page.getByRole('button', { name: 'Upload files' }).count()).toBe(0);
    await f.page.getByRole('button', { name: 'Actions for itinerary.txt', exact: true }).click();
    const menu = f.page.getByRole('menu', { name: 'Actions for itinerary.txt' });
    const items = await menu.getByRole('menuitem').allTextContents();
    expect(items).toEqual(['Download', 'Copy to…', 'Versions']);
    const [dl] = await Promise.all([
      f.page.waitForEvent('download'),
      menu.getByRole('menuitem', { name: 'Download' }).click(),
    ]);
    expect(sha256(await downloadBytes(dl))).toBe(sha256('day one: the lake'));
    // Into a subfolder, and back with the breadcrumb.
    await grid(f.page).getByRole('link', { name: 'Photos', exact: true }).click();
    await row(f.page, 'lake.jpg').waitFor();
    expect(await crumbs.getByRole('listitem').allTextContents()).toEqual([
      'Shared with me',
      'Trip',
      'Photos',
    ]);
    await crumbs.getByRole('link', { name: 'Trip' }).click();
    await row(f.page, 'itinerary.txt').waitFor();
    await shot(f.page, 'shared-folder-light');

    // The owner makes the friend an editor: after a reload the friend can upload.
    await rowAction(o.page, 'Trip', 'Share…');
    await dialog.getByLabel(`Role of ${friend.user!.username}`).selectOption('editor');
    await expect
      .poll(
        async () =>
          (await owner.json('GET', `/api/nodes/${(await owner.resolve('/Trip')).id}/shares`)).body.items[0]
            .role,
      )
      .toBe('editor');
    await dialog.getByRole('button', { name: 'Close' }).click();
    await f.page.reload();
    await row(f.page, 'itinerary.txt').waitFor();
    await f.page
      .getByLabel('Files to upload')
      .setInputFiles([{ name: 'packing.txt', mimeType: 'text/plain', buffer: Buffer.from('boots, map') }]);
    await row(f.page, 'packing.txt').waitFor();
    // The upload is the owner's file, in the owner's folder.
    expect((await owner.resolve('/Trip/packing.txt')).size).toBe(10);

    // Revoked: the friend's next visit says so.
    await rowAction(o.page, 'Trip', 'Share…');
    await dialog.getByRole('button', { name: `Stop sharing with ${friend.user!.username}` }).click();
    await expect.poll(() => dialog.getByText('Only you. Add someone above.').count()).toBe(1);
    await f.page.reload();
    await f.page.getByRole('heading', { name: 'Not available' }).waitFor();
    expectNoProblems(o);
    expectNoProblems(f);
    await o.close();
    await f.close();
  });

  it('gives a folder to another user from the share dialog', async () => {
    const giver = await server.user(uniqueName('giver'));
    const taker = await server.user(uniqueName('taker'));
    await giver.upload('/Handover/notes.txt', 'all yours');
    const g = await openTab(browser, server, { as: giver });
    await g.page.goto('/files');
    await waitForFolder(g.page, []);
    await rowAction(g.page, 'Handover', 'Share…');
    const dialog = g.page.getByRole('dialog', { name: 'Share “Handover”' });
    await dialog.getByText('Give to someone else').click();
    await dialog.getByLabel('New owner').fill(taker.user!.username);
    await dialog.getByLabel('Keep edit access for me').uncheck();
    await dialog.getByRole('button', { name: 'Give away' }).click();
    await g.page.getByText(`“Handover” now belongs to ${taker.user!.username}.`).waitFor();
    await expect.poll(() => row(g.page, 'Handover').count()).toBe(0);
    expect((await taker.resolve('/Handover/notes.txt')).size).toBe(9);
    expectNoProblems(g);
    await g.close();
  });
});

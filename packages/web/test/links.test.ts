import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  dialect,
  downloadBytes,
  expectNoProblems,
  launchBrowser,
  openTab,
  rowAction,
  sha256,
  shot,
  startWebServer,
  uniqueName,
  waitForFolder,
  type TestServer,
} from './helpers/web.js';

describe(`public links in the browser (${dialect})`, () => {
  let server: TestServer;
  let browser: Browser;

  beforeAll(async () => {
    [server, browser] = await Promise.all([startWebServer(), launchBrowser()]);
  });
  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it('creates a password link with a QR code; a visitor unlocks it, browses and downloads; revoking ends it', async () => {
    const owner = await server.user(uniqueName('linker'));
    await owner.upload('/Album/cover.txt', 'front cover');
    await owner.upload('/Album/Songs/one.txt', 'la la la');

    const o = await openTab(browser, server, { as: owner });
    await o.page.goto('/files');
    await waitForFolder(o.page, []);
    await rowAction(o.page, 'Album', 'Get link…');
    const dialog = o.page.getByRole('dialog', { name: 'Public links to “Album”' });
    await dialog.getByLabel('Password (optional)').fill('open sesame');
    await dialog.getByRole('button', { name: 'Create link' }).click();
    const url = dialog.getByRole('textbox', { name: 'Link to Album' });
    await url.waitFor();
    const href = await url.inputValue();
    expect(href).toMatch(new RegExp(`^${server.url}/s/[A-Za-z0-9_-]{40,}$`));
    await dialog.getByRole('button', { name: 'Show QR code' }).click();
    const qr = dialog.getByRole('img', { name: 'QR code of the link to Album' });
    await expect
      .poll(() => qr.evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth))
      .toBeGreaterThan(0);
    await shot(o.page, 'link-dialog-light');

    // An anonymous visitor: password first, then the folder.
    const v = await openTab(browser, server);
    await v.page.goto(href);
    await v.page.getByRole('heading', { name: 'This link is protected' }).waitFor();
    await v.page.getByLabel('Password').fill('wrong one');
    await v.page.getByRole('button', { name: 'Open' }).click();
    await expect.poll(() => v.page.getByRole('alert').textContent()).toBe('That password is not right.');
    await v.page.getByLabel('Password').fill('open sesame');
    await v.page.getByRole('button', { name: 'Open' }).click();
    const files = v.page.getByRole('list', { name: 'Files' });
    await files.getByText('cover.txt').waitFor();
    await files.getByRole('button', { name: 'Songs' }).click();
    await files.getByText('one.txt').waitFor();
    expect(new URL(v.page.url()).searchParams.get('path')).toBe('/Songs');
    const [dl] = await Promise.all([
      v.page.waitForEvent('download'),
      v.page.getByRole('link', { name: 'Download one.txt' }).click(),
    ]);
    expect(sha256(await downloadBytes(dl))).toBe(sha256('la la la'));
    await shot(v.page, 'public-folder-light');
    // Nothing above the linked folder: the breadcrumb starts at it.
    expect(
      await v.page.getByRole('navigation', { name: 'Breadcrumb' }).getByRole('listitem').allTextContents(),
    ).toEqual(['Album', 'Songs']);

    // Revoked: the visitor's next load says so; the owner's list is empty.
    await dialog.getByRole('button', { name: 'Revoke link to Album' }).click();
    await expect.poll(() => dialog.getByRole('list', { name: 'Links' }).count()).toBe(0);
    await v.page.reload();
    await v.page.getByRole('heading', { name: 'This link does not exist' }).waitFor();
    expectNoProblems(o);
    expectNoProblems(v);
    await o.close();
    await v.close();
  });

  it('honours a download limit, and an upload-only folder takes files it never shows', async () => {
    const owner = await server.user(uniqueName('dropper'));
    const file = await owner.upload('/report.txt', 'quarterly numbers');
    await owner.upload('/Inbox/existing.txt', 'private');
    const inbox = await owner.resolve('/Inbox');
    const once = (await owner.json('POST', `/api/nodes/${file.body.id}/links`, { maxDownloads: 1 }, 201))
      .body;
    const drop = (await owner.json('POST', `/api/nodes/${inbox.id}/links`, { uploadOnly: true }, 201)).body;

    const v = await openTab(browser, server);
    await v.page.goto(once.url);
    await v.page.getByRole('heading', { name: 'report.txt' }).waitFor();
    const [dl] = await Promise.all([
      v.page.waitForEvent('download'),
      v.page.getByRole('link', { name: 'Download' }).click(),
    ]);
    expect((await downloadBytes(dl)).toString()).toBe('quarterly numbers');
    await v.page.reload();
    await v.page.getByRole('heading', { name: 'This link has been used up' }).waitFor();

    await v.page.goto(drop.url);
    await v.page.getByRole('heading', { name: 'Send files to “Inbox”' }).waitFor();
    expect(await v.page.getByText('existing.txt').count()).toBe(0);
    await v.page
      .getByLabel('Files to send')
      .setInputFiles([{ name: 'gift.txt', mimeType: 'text/plain', buffer: Buffer.from('for you') }]);
    await v.page.getByRole('list', { name: 'Sent files' }).getByText('Sent · 7 bytes').waitFor();
    expect((await owner.resolve('/Inbox/gift.txt')).size).toBe(7);
    await shot(v.page, 'public-drop-light');

    // The owner's "Public links" page lists both, with their counts.
    const o = await openTab(browser, server, { as: owner });
    await o.page.goto('/links');
    const list = o.page.getByRole('list', { name: 'My public links' });
    await list.getByText('Download limit reached').waitFor();
    expect(await list.getByRole('listitem').count()).toBe(2);
    expectNoProblems(v);
    expectNoProblems(o);
    await v.close();
    await o.close();
  });

  it('sends a file from the Sends page: a link that works for a while, then the send can be ended', async () => {
    const owner = await server.user(uniqueName('sender'));
    const o = await openTab(browser, server, { as: owner });
    await o.page.goto('/sends');
    await o.page.getByRole('heading', { name: 'No active sends' }).waitFor();
    await o.page.getByLabel('Available for').selectOption('60');
    await o.page
      .getByLabel('File to send')
      .setInputFiles([
        { name: 'ticket.pdf', mimeType: 'application/pdf', buffer: Buffer.from('%PDF ticket') },
      ]);
    const list = o.page.getByRole('list', { name: 'Active sends' });
    const item = list.locator('li.send-item[data-name="ticket.pdf"]');
    await item.waitFor();
    expect(await item.textContent()).toMatch(/(59 min \d+ s|1 h 0 min) left/);
    const href = await item.getByRole('textbox', { name: 'Link to ticket.pdf' }).inputValue();
    await shot(o.page, 'sends-light');

    const v = await openTab(browser, server);
    await v.page.goto(href);
    await v.page.getByRole('heading', { name: 'ticket.pdf' }).waitFor();
    const [dl] = await Promise.all([
      v.page.waitForEvent('download'),
      v.page.getByRole('link', { name: 'Download' }).click(),
    ]);
    expect((await downloadBytes(dl)).toString()).toBe('%PDF ticket');

    await item.getByRole('button', { name: 'End the send of ticket.pdf' }).click();
    await o.page.getByRole('heading', { name: 'No active sends' }).waitFor();
    await v.page.reload();
    await v.page.getByRole('heading', { name: 'This link does not exist' }).waitFor();
    expectNoProblems(o);
    expectNoProblems(v);
    await o.close();
    await v.close();
  });

  it('changes a link from the Public links page: a password and a download limit take effect at once', async () => {
    const owner = await server.user(uniqueName('editor'));
    const file = await owner.upload('/menu.txt', 'soup of the day');
    const link = (await owner.json('POST', `/api/nodes/${file.body.id}/links`, {}, 201)).body;
    const v = await openTab(browser, server);
    await v.page.goto(link.url);
    await v.page.getByRole('heading', { name: 'menu.txt' }).waitFor();

    const o = await openTab(browser, server, { as: owner });
    await o.page.goto('/links');
    await o.page.getByRole('button', { name: 'Change link to menu.txt' }).click();
    const form = o.page.getByRole('form', { name: 'Change link to menu.txt' });
    await form.getByLabel('Password').fill('secret menu');
    await form.getByLabel('Download limit').fill('5');
    await form.getByRole('button', { name: 'Save' }).click();
    const card = o.page.getByRole('list', { name: 'My public links' }).getByRole('listitem').first();
    await expect.poll(() => card.textContent()).toMatch(/Password · never expires · 0 of 5 downloads/);

    await v.page.reload();
    await v.page.getByRole('heading', { name: 'This link is protected' }).waitFor();
    expectNoProblems(o);
    expectNoProblems(v);
    await o.close();
    await v.close();
  });
});

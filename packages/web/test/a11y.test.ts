import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { AxeResults, ElementContext, ImpactValue, RunOptions } from 'axe-core';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  dialect,
  expectNoProblems,
  fillSignUp,
  launchBrowser,
  openTab,
  PHONE,
  row,
  rowAction,
  selectedNames,
  startWebServer,
  waitForFolder,
  type Client,
  type Tab,
  type TabOptions,
  type TestServer,
} from './helpers/web.js';

/** axe-core's browser build, evaluated in the page as a script. */
const AXE_SOURCE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
/** WCAG 2.0 and 2.1, levels A and AA: colour contrast is part of AA. */
const WCAG_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'];
const BLOCKING: ImpactValue[] = ['serious', 'critical'];
/** What the evaluated source puts on the page's window. */
type AxeWindow = { axe: { run(context: ElementContext, options: RunOptions): Promise<AxeResults> } };

interface Finding {
  screen: string;
  id: string;
  impact: ImpactValue | undefined;
  help: string;
  /** Each failing element: its selector and why it fails. */
  nodes: { target: string; summary: string }[];
}

/**
 * Runs axe on the page as it is now. The app's CSP allows only its own scripts ('self', nothing
 * inline), so axe is not added as a <script>: it is evaluated through the DevTools protocol, which
 * the page's CSP does not govern. The CSP stays as served, and the test checks no violation of it
 * was reported along the way.
 */
async function audit(page: Page, screen: string): Promise<Finding[]> {
  if (!(await page.evaluate(() => 'axe' in window))) await page.evaluate(AXE_SOURCE);
  // Fonts in, and no transition (the drawer, a dialog opening) caught halfway.
  await page.evaluate(() => document.fonts.ready.then(() => undefined));
  await page.evaluate(() =>
    Promise.all(document.getAnimations().map((a) => a.finished.catch(() => undefined))).then(() => undefined),
  );
  const results: AxeResults = await page.evaluate(
    (tags) =>
      (window as unknown as AxeWindow).axe.run(document, {
        runOnly: { type: 'tag', values: tags },
        resultTypes: ['violations'],
      }),
    WCAG_TAGS,
  );
  // A run that checked nothing would pass any screen: make sure the rules ran on this one.
  expect(results.testEngine.name).toBe('axe-core');
  expect(results.passes.length, `axe checked nothing on ${screen}`).toBeGreaterThan(0);
  return results.violations.map((v) => ({
    screen,
    id: v.id,
    impact: v.impact ?? undefined,
    help: v.help,
    nodes: v.nodes.map((n) => ({
      target: n.target.map(String).join(' >> '),
      summary: (n.failureSummary ?? '').replace(/\s+/g, ' ').trim(),
    })),
  }));
}

/** Prints every finding, then fails on the serious and critical ones. */
function report(findings: Finding[]): void {
  for (const f of findings) {
    const lines = [`[axe] ${f.screen}: ${f.id} (${f.impact}) ${f.help}`];
    for (const n of f.nodes) lines.push(`    at ${n.target}`, `      ${n.summary}`);
    console.log(lines.join('\n'));
  }
  const blocking = findings.filter((f) => f.impact && BLOCKING.includes(f.impact));
  expect(
    blocking.map((f) => `${f.screen}: ${f.id} (${f.impact}) at ${f.nodes.map((n) => n.target).join(', ')}`),
    'serious or critical accessibility violations',
  ).toEqual([]);
}

describe(`accessibility of the main screens, WCAG 2.1 A and AA (${dialect})`, () => {
  let server: TestServer;
  let browser: Browser;
  let alice: Client;
  /** Has Projects shared with them as a viewer, and one send. */
  let bob: Client;
  /** Public links of carol's, opened by anonymous visitors. */
  const visit = { locked: '', file: '', folder: '', drop: '' };

  beforeAll(async () => {
    [server, browser] = await Promise.all([startWebServer(), launchBrowser()]);
    alice = await server.user('alice');
    const root = alice.rootId;
    for (const name of ['Documents', 'Photos', 'Projects'])
      await alice.json('POST', `/api/nodes/${root}/folders`, { name }, 201);
    for (const [p, size] of [
      ['/Annual report 2026.pdf', 240_000],
      ['/Budget.xlsx', 48_000],
      ['/holiday.jpg', 125_000],
      ['/notes.md', 2_100],
      ['/Projects/quarterly plan.md', 900],
      ['/old draft.docx', 31_000],
      ['/Archive 2019/scan.pdf', 70_000],
    ] as const) {
      expect((await alice.upload(p, Buffer.alloc(size, p.length))).status).toBe(201);
    }
    // A second version of notes.md, for the versions dialog.
    const notes = await alice.resolve('/notes.md');
    server.clock.advance(3_600_000);
    const put = await alice.request('PUT', `/api/nodes/${notes.id}/content`, {
      headers: { 'content-type': 'text/markdown' },
      body: '# Notes\n\nA second version.\n',
    });
    expect(put.status).toBe(200);
    for (const p of ['/old draft.docx', '/Archive 2019']) {
      const n = await alice.resolve(p);
      await alice.json('DELETE', `/api/nodes/${n.id}`, undefined, 204);
    }

    // Sharing: Projects, view only, with bob. No new nodes in alice's files (the screens above count them).
    bob = await server.user('bob');
    const projects = await alice.resolve('/Projects');
    await alice.json('POST', `/api/nodes/${projects.id}/shares`, { user: 'bob', role: 'viewer' }, 201);
    // Alice's two public links: one with a password and a limit, one used up.
    const budget = await alice.resolve('/Budget.xlsx');
    await alice.json(
      'POST',
      `/api/nodes/${budget.id}/links`,
      { password: 'open sesame', maxDownloads: 10 },
      201,
    );
    const report = await alice.resolve('/Annual report 2026.pdf');
    const once = (await alice.json('POST', `/api/nodes/${report.id}/links`, { maxDownloads: 1 }, 201)).body;
    expect((await server.anonymous().request('GET', `/api/public/links/${once.token}/content`)).status).toBe(
      200,
    );
    // Bob's send: its link is listed among its owner's links, so alice's page keeps just her two.
    const sent = await bob.request('POST', `/api/sends?name=${encodeURIComponent('boarding pass.pdf')}`, {
      headers: { 'content-type': 'application/pdf', 'content-length': '14' },
      body: 'PDF bytes here',
    });
    expect(sent.status).toBe(201);
    // Carol's links, for the anonymous pages.
    const carol = await server.user('carol');
    await carol.upload('/Album/cover.jpg', Buffer.alloc(84_000, 1));
    await carol.upload('/Album/Songs/one.txt', 'la la la');
    await carol.upload('/Album/liner notes.md', '# Liner notes\n');
    const file = await carol.upload('/report.pdf', Buffer.alloc(52_000, 2));
    const inbox = await carol.json('POST', `/api/nodes/${carol.rootId}/folders`, { name: 'Inbox' }, 201);
    const album = await carol.resolve('/Album');
    const link = async (id: string, body: Record<string, unknown>) =>
      (await carol.json('POST', `/api/nodes/${id}/links`, body, 201)).body.url as string;
    visit.locked = await link(album.id, { password: 'open sesame' });
    visit.file = await link(file.body.id, { maxDownloads: 5 });
    visit.folder = await link(album.id, {});
    visit.drop = await link(inbox.body.id, { uploadOnly: true });
  });
  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  for (const theme of ['light', 'dark'] as const) {
    describe(`${theme} theme`, () => {
      /** A tab in this theme (the browser's colour scheme; the app follows the system). */
      const tabIn = (opts: TabOptions = {}): Promise<Tab> =>
        openTab(browser, server, { colorScheme: theme, ...opts });
      /** Checked on the rendered page, so a screen is never audited in the other theme. */
      const expectTheme = async (page: Page) =>
        expect(await page.evaluate(() => document.documentElement.dataset.theme)).toBe(theme);

      it('sign-in, and sign-up with field errors', async () => {
        const tab = await tabIn();
        const { page } = tab;
        const res = await page.goto('/signin');
        // axe runs under the app's own strict policy, not a loosened one.
        expect(res?.headers()['content-security-policy']).toContain("script-src 'self';");
        await page.getByRole('heading', { name: 'Sign in' }).waitFor();
        await expectTheme(page);
        const findings = await audit(page, `sign-in (${theme})`);
        // The same form with its error alert, as after a session ran out.
        await page.goto('/signin?expired=1');
        await page.getByRole('alert').filter({ hasText: 'Your session has expired' }).waitFor();
        findings.push(...(await audit(page, `sign-in, session expired (${theme})`)));

        await page.getByRole('link', { name: 'Create an account' }).click();
        await page.getByRole('heading', { name: 'Create your account' }).waitFor();
        // A malformed email and a short password: an error under each, the username keeps its hint.
        await fillSignUp(page, { username: 'newcomer', email: 'newcomer@example', password: 'secret' });
        await expect.poll(() => page.locator('[aria-invalid=true]').count()).toBe(2);
        findings.push(...(await audit(page, `sign-up with errors (${theme})`)));
        report(findings);
        expectNoProblems(tab);
        await tab.close();
      });

      it('file browser with a row selected, its context menu, the move and the versions dialogs', async () => {
        const tab = await tabIn({ as: alice });
        const { page } = tab;
        await page.goto('/files');
        await waitForFolder(page, []);
        await row(page, 'Budget.xlsx').getByRole('gridcell').nth(2).click();
        await expect.poll(() => selectedNames(page)).toEqual(['Budget.xlsx']);
        await page.mouse.move(0, 0);
        await expectTheme(page);
        const findings = await audit(page, `files, one row selected (${theme})`);

        // The context menu of a row, by right click.
        await row(page, 'notes.md').getByRole('gridcell').nth(2).click({ button: 'right' });
        const menu = page.getByRole('menu', { name: 'Actions for notes.md' });
        await menu.waitFor();
        findings.push(...(await audit(page, `row context menu (${theme})`)));

        await menu.getByRole('menuitem', { name: 'Move to…' }).click();
        const move = page.getByRole('dialog', { name: 'Move “notes.md”' });
        await expect
          .poll(() => move.getByRole('list', { name: 'Folders' }).getByRole('button').count())
          .toBe(3);
        findings.push(...(await audit(page, `move dialog (${theme})`)));
        await move.getByRole('button', { name: 'Cancel' }).click();
        await move.waitFor({ state: 'detached' });

        await row(page, 'notes.md').getByRole('button', { name: 'Actions for notes.md' }).click();
        await page
          .getByRole('menu', { name: 'Actions for notes.md' })
          .getByRole('menuitem', { name: 'Versions' })
          .click();
        const versions = page.getByRole('dialog', { name: 'Versions of “notes.md”' });
        const items = versions.getByRole('list', { name: 'Versions' }).getByRole('listitem');
        await expect.poll(() => items.count()).toBe(2);
        findings.push(...(await audit(page, `versions dialog (${theme})`)));
        report(findings);
        expectNoProblems(tab);
        await tab.close();
      });

      it('trash with items and the search results page', async () => {
        const tab = await tabIn({ as: alice });
        const { page } = tab;
        await page.goto('/trash');
        const deleted = page.getByRole('list', { name: 'Deleted items' }).getByRole('listitem');
        await expect.poll(() => deleted.count()).toBe(2);
        await expectTheme(page);
        const findings = await audit(page, `trash (${theme})`);

        await page.goto('/search?q=o');
        await page.getByRole('heading', { name: 'Results for “o”' }).waitFor();
        const results = page.getByRole('list', { name: 'Search results' }).getByRole('listitem');
        await expect.poll(() => results.count()).toBe(6);
        findings.push(...(await audit(page, `search results (${theme})`)));
        report(findings);
        expectNoProblems(tab);
        await tab.close();
      });

      it('share dialog, public-link dialog with its QR code and "Change" form, and the public links page', async () => {
        const tab = await tabIn({ as: alice });
        const { page } = tab;
        await page.goto('/files');
        await waitForFolder(page, []);
        await expectTheme(page);
        await rowAction(page, 'Projects', 'Share…');
        const share = page.getByRole('dialog', { name: 'Share “Projects”' });
        await share.getByRole('list', { name: 'People with access' }).getByText('bob').waitFor();
        await share.getByText('Give to someone else').click();
        await share.getByLabel('New owner').waitFor();
        const findings = await audit(page, `share dialog (${theme})`);
        // A danger button under the pointer keeps its colours (the plain button hover must not win).
        await share.getByRole('button', { name: 'Give away' }).hover();
        findings.push(...(await audit(page, `share dialog, "Give away" hovered (${theme})`)));
        await share.getByRole('button', { name: 'Close' }).click();
        await share.waitFor({ state: 'detached' });

        await rowAction(page, 'Budget.xlsx', 'Get link…');
        const dialog = page.getByRole('dialog', { name: 'Public links to “Budget.xlsx”' });
        const links = dialog.getByRole('list', { name: 'Links' }).getByRole('listitem');
        await expect.poll(() => links.count()).toBe(1);
        await dialog.getByRole('button', { name: 'Show QR code' }).click();
        const qr = dialog.getByRole('img', { name: 'QR code of the link to Budget.xlsx' });
        await expect
          .poll(() => qr.evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth))
          .toBeGreaterThan(0);
        await dialog.getByRole('button', { name: 'Change link to Budget.xlsx' }).click();
        await dialog.getByRole('form', { name: 'Change link to Budget.xlsx' }).waitFor();
        findings.push(...(await audit(page, `public-link dialog (${theme})`)));
        await dialog.getByRole('button', { name: 'Close' }).click();
        await dialog.waitFor({ state: 'detached' });

        await page.goto('/links');
        const mine = page.getByRole('list', { name: 'My public links' });
        await mine.getByText('Download limit reached').waitFor();
        expect(await mine.getByRole('listitem').count()).toBe(2);
        findings.push(...(await audit(page, `public links page (${theme})`)));
        report(findings);
        expectNoProblems(tab);
        await tab.close();
      });

      it('sends with an active send, shared with me, and a shared folder opened by a viewer', async () => {
        const tab = await tabIn({ as: bob });
        const { page } = tab;
        await page.goto('/sends');
        await page
          .getByRole('list', { name: 'Active sends' })
          .locator('li.send-item[data-name="boarding pass.pdf"]')
          .getByRole('textbox', { name: 'Link to boarding pass.pdf' })
          .waitFor();
        await expectTheme(page);
        const findings = await audit(page, `sends (${theme})`);

        await page.goto('/shared');
        const shared = page.getByRole('list', { name: 'Shared with me' });
        await shared.getByText('Can view').waitFor();
        expect(await shared.getByRole('listitem').count()).toBe(1);
        findings.push(...(await audit(page, `shared with me (${theme})`)));

        await shared.getByRole('button', { name: 'Projects', exact: true }).click();
        await page.waitForURL((u) => u.pathname.startsWith('/shared/'));
        await row(page, 'quarterly plan.md').waitFor();
        await page.getByText('View only').waitFor();
        await expect.poll(() => page.locator('.page[aria-busy=true], .file-row.placeholder').count()).toBe(0);
        findings.push(...(await audit(page, `shared folder, view only (${theme})`)));
        report(findings);
        expectNoProblems(tab);
        await tab.close();
      });

      it('public link pages: password prompt with an error, a file, a folder, a file drop, a missing link', async () => {
        const tab = await tabIn();
        const { page } = tab;
        await page.goto(visit.locked);
        await page.getByRole('heading', { name: 'This link is protected' }).waitFor();
        await expectTheme(page);
        await page.getByLabel('Password').fill('wrong one');
        await page.getByRole('button', { name: 'Open' }).click();
        await expect.poll(() => page.getByRole('alert').textContent()).toBe('That password is not right.');
        const findings = await audit(page, `public link, wrong password (${theme})`);

        await page.goto(visit.file);
        await page.getByRole('heading', { name: 'report.pdf' }).waitFor();
        findings.push(...(await audit(page, `public link to a file (${theme})`)));

        await page.goto(visit.folder);
        const files = page.getByRole('list', { name: 'Files' }).getByRole('listitem');
        await expect.poll(() => files.count()).toBe(3);
        findings.push(...(await audit(page, `public link to a folder (${theme})`)));

        await page.goto(visit.drop);
        await page.getByRole('heading', { name: 'Send files to “Inbox”' }).waitFor();
        await page
          .getByLabel('Files to send')
          .setInputFiles([{ name: 'gift.txt', mimeType: 'text/plain', buffer: Buffer.from('for you') }]);
        await page.getByRole('list', { name: 'Sent files' }).getByText('Sent · 7 bytes').waitFor();
        findings.push(...(await audit(page, `public file drop (${theme})`)));

        await page.goto(`/s/${'A'.repeat(43)}`);
        await page.getByRole('heading', { name: 'This link does not exist' }).waitFor();
        findings.push(...(await audit(page, `missing public link (${theme})`)));
        report(findings);
        expectNoProblems(tab);
        await tab.close();
      });

      it('settings with every how-to open, a new token shown once, and the revoke dialog', async () => {
        const tab = await tabIn({ as: alice });
        const { page } = tab;
        await page.goto('/settings');
        await page.getByRole('heading', { level: 1, name: 'Settings' }).waitFor();
        await page.getByRole('list', { name: 'Signed-in sessions' }).getByText('This device').waitFor();
        await expectTheme(page);
        for (const summary of await page.locator('details.howto > summary').all()) await summary.click();
        // The name refused, with its message tied to the field.
        await page.getByRole('button', { name: 'Create token' }).click();
        await page.locator('#token-name-error').waitFor();
        const findings = await audit(page, `settings, how-tos open, name error (${theme})`);

        const name = `Audit drive (${theme})`;
        await page.getByRole('textbox', { name: 'Token name' }).fill(name);
        await page.getByRole('button', { name: 'Create token' }).click();
        await page.getByRole('textbox', { name: 'New token' }).waitFor();
        await page.getByRole('list', { name: 'Access tokens' }).getByText(name).waitFor();
        findings.push(...(await audit(page, `settings, new token shown (${theme})`)));

        await page.getByRole('button', { name: `Revoke ${name}` }).click();
        const dialog = page.getByRole('dialog', { name: 'Revoke token' });
        await dialog.waitFor();
        findings.push(...(await audit(page, `revoke token dialog (${theme})`)));
        await dialog.getByRole('button', { name: 'Revoke' }).click();
        await dialog.waitFor({ state: 'detached' });
        report(findings);
        expectNoProblems(tab);
        await tab.close();
      });

      it('360 px phone layout with the navigation drawer open', async () => {
        const tab = await tabIn({ as: alice, viewport: PHONE });
        const { page } = tab;
        await page.goto('/files');
        await waitForFolder(page, []);
        await expectTheme(page);
        const findings = await audit(page, `phone files (${theme})`);

        await page.getByRole('button', { name: 'Open navigation' }).click();
        await expect
          .poll(() => page.getByRole('button', { name: 'Open navigation' }).getAttribute('aria-expanded'))
          .toBe('true');
        await expect
          .poll(async () => (await page.getByRole('navigation', { name: 'Main' }).boundingBox())?.x)
          .toBe(0);
        findings.push(...(await audit(page, `phone drawer open (${theme})`)));
        report(findings);
        expectNoProblems(tab);
        await tab.close();
      });
    });
  }
});

import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  backgroundLuminance,
  dialect,
  expectNoProblems,
  fillSignIn,
  fillSignUp,
  launchBrowser,
  openTab,
  PASSWORD,
  PHONE,
  shot,
  startWebServer,
  uniqueName,
  waitForFolder,
  type Client,
  type TestServer,
} from './helpers/web.js';

const IPHONE =
  'Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1';
const FIREFOX_WINDOWS = 'Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:128.0) Gecko/20100101 Firefox/128.0';

/** The rows of a list on the settings page, by the list's accessible name. */
const items = (page: Page, list: 'Access tokens' | 'Signed-in sessions') =>
  page.getByRole('list', { name: list }).getByRole('listitem');

/** No sideways scrolling: neither the document nor the page's own scroll container is wider than the window. */
const overflow = (page: Page) =>
  page.evaluate(() => {
    const main = document.querySelector('.page')!;
    return {
      document: document.documentElement.scrollWidth - document.documentElement.clientWidth,
      page: main.scrollWidth - main.clientWidth,
    };
  });

describe(`settings: WebDAV, access tokens and sessions in the browser (${dialect})`, () => {
  let server: TestServer;
  let browser: Browser;

  beforeAll(async () => {
    [server, browser] = await Promise.all([startWebServer(), launchBrowser()]);
  });
  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it('creates a token shown once that works on the API, and revoking it in the page ends it', async () => {
    const username = uniqueName('tok');
    const tab = await openTab(browser, server);
    const { page } = tab;
    await page.goto('/signup');
    await fillSignUp(page, { username, email: `${username}@example.test`, password: PASSWORD });
    await waitForFolder(page, []);
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Settings' }).click();
    await page.waitForURL((u) => u.pathname === '/settings');
    await page.getByRole('heading', { level: 1, name: 'Settings' }).waitFor();
    expect(await page.title()).toBe('Settings · Loft');

    // How to connect: the address, the username, and the rclone line with both filled in.
    expect(await page.getByRole('textbox', { name: 'WebDAV address' }).inputValue()).toBe(
      `${server.url}/dav/`,
    );
    expect(await page.getByRole('textbox', { name: 'Username' }).inputValue()).toBe(username);
    await page.getByText('rclone (any system)').click();
    expect(await page.locator('.snippet code').last().textContent()).toBe(
      `rclone config create loft webdav url=${server.url}/dav/ vendor=owncloud user=${username} pass=$(rclone obscure TOKEN)`,
    );
    await page.getByText('Windows', { exact: true }).click();
    await page.getByText('This server is on plain HTTP', { exact: false }).waitFor();
    await page.getByText('No tokens yet.').waitFor();

    // "Create a token" leads to the name field; an empty name is refused in words.
    await page.getByRole('button', { name: 'Create a token' }).click();
    const nameField = page.getByRole('textbox', { name: 'Token name' });
    await expect.poll(() => nameField.evaluate((el) => el === document.activeElement)).toBe(true);
    await page.getByRole('button', { name: 'Create token' }).click();
    const fieldError = page.locator('#token-name-error');
    await expect.poll(() => fieldError.textContent()).toBe('Enter a name, like “Laptop drive”.');
    expect(await nameField.getAttribute('aria-invalid')).toBe('true');

    // The server out of reach: the app's words for it, not an exception.
    await page.route('**/api/auth/tokens', (route) =>
      route.request().method() === 'POST' ? route.abort() : route.continue(),
    );
    await nameField.fill('Laptop drive');
    await page.getByRole('button', { name: 'Create token' }).click();
    await expect
      .poll(() => fieldError.textContent())
      .toBe('Cannot reach the server. Check your connection and try again.');
    await page.unroute('**/api/auth/tokens');

    await page.getByRole('button', { name: 'Create token' }).click();
    const secretField = page.getByRole('textbox', { name: 'New token' });
    await secretField.waitFor();
    const secret = await secretField.inputValue();
    expect(secret).toMatch(/^loftpat_\S{20,}$/);
    // Focus lands on the secret, described by the warning that it is shown once.
    expect(await secretField.evaluate((el) => el === document.activeElement)).toBe(true);
    const warning = await secretField.evaluate(
      (el) => document.getElementById(el.getAttribute('aria-describedby') ?? '')?.textContent ?? '',
    );
    expect(warning).toContain('won’t be shown again');
    expect(await nameField.inputValue()).toBe('');
    await expect.poll(() => items(page, 'Access tokens').count()).toBe(1);
    expect(await items(page, 'Access tokens').first().textContent()).toMatch(
      /^Laptop driveCreated .* · not used yet/,
    );
    await page.mouse.move(0, 0);
    await shot(page, 'settings-light');

    // The secret works on the API from outside the browser, as a Bearer token. (The server notes a
    // token's use at most once a minute, the minute after its creation included.)
    server.clock.advance(61_000);
    const outside = server.anonymous();
    outside.token = secret;
    const me = await outside.json('GET', '/api/me');
    expect(me.status).toBe(200);
    expect(me.body.user.username).toBe(username);

    // Shown once: after a reload the token is listed, used, and its secret is nowhere on the page.
    await page.reload();
    await expect.poll(() => items(page, 'Access tokens').count()).toBe(1);
    await expect.poll(() => items(page, 'Access tokens').first().textContent()).toMatch(/last used/);
    expect(await secretField.count()).toBe(0);
    expect(await page.content()).not.toContain(secret);

    // Revoke, confirmed in a dialog: the API refuses the token from then on.
    await page.getByRole('button', { name: 'Revoke Laptop drive' }).click();
    const dialog = page.getByRole('dialog', { name: 'Revoke token' });
    await dialog.getByText('“Laptop drive” will stop working at once').waitFor();
    await dialog.getByRole('button', { name: 'Revoke' }).click();
    await dialog.waitFor({ state: 'detached' });
    await page.getByText('No tokens yet.').waitFor();
    const after = await outside.json('GET', '/api/me');
    expect(after.status).toBe(401);
    expect(after.body.error.code).toBe('unauthenticated');
    // The browser's own session is untouched.
    await page.reload();
    await page.getByText('No tokens yet.').waitFor();
    expectNoProblems(tab);
    await tab.close();
  });

  it('lists signed-in sessions with this one marked, and signs out of the others', async () => {
    const username = uniqueName('ses');
    const api = await server.user(username);
    const signIn = async (userAgent: string): Promise<Client> => {
      const c = server.anonymous();
      const r = await c.json('POST', '/api/auth/login', { login: username, password: PASSWORD }, 200, {
        'user-agent': userAgent,
      });
      c.token = r.body.token;
      return c;
    };
    const phone = await signIn(IPHONE);
    const laptop = await signIn(FIREFOX_WINDOWS);

    const tab = await openTab(browser, server);
    const { page } = tab;
    await page.goto('/signin');
    await fillSignIn(page, username);
    await waitForFolder(page, []);
    // The user chip in the header leads to the settings too.
    await page.getByRole('link', { name: `${username} (settings)` }).click();
    await page.waitForURL((u) => u.pathname === '/settings');
    const sessions = items(page, 'Signed-in sessions');
    await expect.poll(() => sessions.count()).toBe(4);
    // This browser first, marked, and with no button to sign itself out here.
    const first = sessions.first();
    expect(await first.getAttribute('data-current')).toBe('true');
    expect(await first.textContent()).toMatch(/^Chrome on LinuxThis device/);
    expect(await first.getByRole('button').count()).toBe(0);
    expect(await sessions.allTextContents()).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^Safari on iOS/),
        expect.stringMatching(/^Firefox on Windows/),
        expect.stringMatching(/^Unknown device/),
      ]),
    );

    await page.getByRole('button', { name: /^Sign out Safari on iOS/ }).click();
    await expect.poll(() => sessions.count()).toBe(3);
    expect((await phone.json('GET', '/api/me')).status).toBe(401);
    expect((await laptop.json('GET', '/api/me')).status).toBe(200);

    await page.getByRole('button', { name: 'Sign out of all others' }).click();
    await expect.poll(() => sessions.count()).toBe(1);
    await page.getByText('No other sessions.').waitFor();
    expect((await laptop.json('GET', '/api/me')).status).toBe(401);
    expect((await api.json('GET', '/api/me')).status).toBe(401);
    // Still signed in here.
    await page.reload();
    await expect.poll(() => sessions.count()).toBe(1);
    expect(await page.getByRole('button', { name: 'Sign out of all others' }).count()).toBe(0);
    expectNoProblems(tab);
    await tab.close();
  });

  for (const theme of ['light', 'dark'] as const) {
    it(`fits a 360 px phone without sideways scrolling (${theme} theme)`, async () => {
      const user = await server.user(uniqueName('phone'));
      await user.json('POST', '/api/auth/tokens', { name: 'rclone on the home server' }, 201);
      await user.json('POST', '/api/auth/tokens', { name: 'Work laptop drive' }, 201);
      const tab = await openTab(browser, server, { as: user, viewport: PHONE, colorScheme: theme });
      const { page } = tab;
      await page.goto('/settings');
      await expect.poll(() => items(page, 'Access tokens').count()).toBe(2);
      expect(await page.evaluate(() => document.documentElement.dataset.theme)).toBe(theme);
      const lum = await backgroundLuminance(page);
      if (theme === 'dark') expect(lum).toBeLessThan(0.2);
      else expect(lum).toBeGreaterThan(0.5);
      await page.getByRole('textbox', { name: 'Token name' }).fill('Phone');
      await page.getByRole('button', { name: 'Create token' }).click();
      await page.getByRole('textbox', { name: 'New token' }).waitFor();
      // Every how-to open: the long rclone line and registry path wrap instead of widening the page.
      for (const summary of await page.locator('details.howto > summary').all()) await summary.click();
      expect(await overflow(page)).toEqual({ document: 0, page: 0 });
      for (const b of await page.getByRole('button').all()) {
        if (!(await b.isVisible())) continue;
        const box = (await b.boundingBox())!;
        const label = (await b.getAttribute('aria-label')) ?? (await b.textContent()) ?? '';
        expect(box.x, label).toBeGreaterThanOrEqual(0);
        expect(box.x + box.width, label).toBeLessThanOrEqual(PHONE.width);
      }
      await page.locator('.page').evaluate((el) => el.scrollTo(0, 0));
      await shot(page, `settings-phone-${theme}`);
      if (theme === 'dark') {
        await page.setViewportSize({ width: 1280, height: 800 });
        await page.locator('.page').evaluate((el) => el.scrollTo(0, 0));
        await page.mouse.move(0, 0);
        await shot(page, 'settings-dark');
      }
      expectNoProblems(tab);
      await tab.close();
    });
  }
});

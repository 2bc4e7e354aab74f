import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  dialect,
  expectNoProblems,
  fillSignIn,
  fillSignUp,
  launchBrowser,
  openTab,
  PASSWORD,
  row,
  startWebServer,
  uniqueName,
  waitForFolder,
  type TestServer,
} from './helpers/web.js';

/** What the form shows for one field: aria-invalid, and the text of the message it points to. */
async function fieldState(page: Page, name: 'username' | 'email' | 'password') {
  return page.locator(`input[name=${name}]`).evaluate((input) => {
    const ids = (input.getAttribute('aria-describedby') ?? '').split(' ').filter(Boolean);
    const error = ids
      .map((id) => document.getElementById(id))
      .find((el) => el?.className.includes('field-error'));
    return {
      invalid: input.getAttribute('aria-invalid') === 'true',
      // The message sits next to its field: in the same label.
      error: error && error.closest('label') === input.closest('label') ? error.textContent : null,
    };
  });
}

describe(`accounts in the browser (${dialect})`, () => {
  let server: TestServer;
  let browser: Browser;

  beforeAll(async () => {
    [server, browser] = await Promise.all([startWebServer(), launchBrowser()]);
  });
  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it('shows sign-up errors from the server next to the right fields', async () => {
    const taken = await server.user(uniqueName('taken'));
    const tab = await openTab(browser, server);
    const { page } = tab;
    await page.goto('/signup');
    const ok = { invalid: false, error: null };

    // A bad email and a short password.
    const username = 'robin';
    await fillSignUp(page, { username, email: 'not-an-email', password: 'short' });
    await expect
      .poll(() => fieldState(page, 'email'))
      .toEqual({
        invalid: true,
        error: 'Enter a valid email address, like name@example.com.',
      });
    expect(await fieldState(page, 'password')).toEqual({
      invalid: true,
      error: 'Use at least 8 characters.',
    });
    expect(await fieldState(page, 'username')).toEqual(ok);
    expect(page.url()).toContain('/signup');

    // Editing a field clears its message.
    await page.getByLabel('Email').fill(`${username}@example.test`);
    expect(await fieldState(page, 'email')).toEqual(ok);

    // A username and an email that belong to someone else.
    const who = taken.user!.username;
    await fillSignUp(page, { username: who, email: `${who}@example.test`, password: PASSWORD });
    await expect
      .poll(() => fieldState(page, 'username'))
      .toEqual({
        invalid: true,
        error: 'This username is already taken.',
      });
    expect(await fieldState(page, 'email')).toEqual({
      invalid: true,
      error: 'An account with this email already exists.',
    });
    expect(await fieldState(page, 'password')).toEqual(ok);

    // Only the email taken.
    await fillSignUp(page, { username, email: `${who}@example.test`, password: PASSWORD });
    await expect.poll(() => fieldState(page, 'username')).toEqual(ok);
    expect(await fieldState(page, 'email')).toEqual({
      invalid: true,
      error: 'An account with this email already exists.',
    });

    // Fixed: the account is created and the person lands in their files.
    await fillSignUp(page, { username, email: `${username}@example.test`, password: PASSWORD });
    await waitForFolder(page, []);
    expectNoProblems(tab);
    await tab.close();
  });

  it('sends an expired session to sign-in, then back to the folder it was in', async () => {
    const c = await server.user();
    const name = c.user!.username;
    await c.upload('/Clients/Acme/brief.txt', 'the brief');
    const tab = await openTab(browser, server);
    const { page, context } = tab;
    await page.goto('/signin');
    await fillSignIn(page, name, PASSWORD, false);
    await waitForFolder(page, []);
    await page.goto('/files/Clients/Acme');
    await waitForFolder(page, ['Clients', 'Acme']);
    await row(page, 'brief.txt').waitFor();

    // The session ends on the server (signed out elsewhere with the same token).
    const token = (await context.cookies()).find((k) => k.name === 'loft_session')!.value;
    const out = await server.anonymous().request('POST', '/api/auth/logout', {
      headers: { authorization: `Bearer ${token}` },
    });
    expect(out.status).toBe(204);

    // The next action finds it gone.
    await page.getByRole('button', { name: 'New folder' }).click();
    await page.getByLabel('Folder name').fill('Drafts');
    await page.getByRole('dialog', { name: 'New folder' }).getByRole('button', { name: 'Create' }).click();
    await page.waitForURL((u) => u.pathname === '/signin');
    const url = new URL(page.url());
    expect(url.searchParams.get('next')).toBe('/files/Clients/Acme');
    expect(url.searchParams.get('expired')).toBe('1');
    expect(await page.getByRole('alert').textContent()).toBe(
      'Your session has expired. Sign in again to continue.',
    );
    expect(await c.resolve('/Clients/Acme')).toBeTruthy();
    expect(
      (await c.json('GET', `/api/resolve?path=${encodeURIComponent('/Clients/Acme/Drafts')}`)).status,
    ).toBe(404);

    await fillSignIn(page, name, PASSWORD, false);
    await waitForFolder(page, ['Clients', 'Acme']);
    await row(page, 'brief.txt').waitFor();
    // Not remembered: a cookie for this browser session only.
    expect((await context.cookies()).find((k) => k.name === 'loft_session')?.expires).toBe(-1);
    expectNoProblems(tab);
    await tab.close();
  });
});

// Accounts in the browser: login and logout, a second account that sees
// nothing of the first, an invitation, and hostile names that stay text.
import { Browser, Page } from '@playwright/test';
import { expect, open, shot, test } from './helpers';
import { expectSummary, mobile, next, openWizard, paste, tag } from './import-helpers';
import { OWNER } from './account';

/** A GB mobile no other test run uses. */
const anyMobile = () => mobile(100_000 + Math.floor(Math.random() * 900_000));

// Every test here starts logged out, in a context of its own.
test.use({ storageState: { cookies: [], origins: [] } });

async function logIn(page: Page, email: string, password: string, path = '/contacts') {
  await page.goto(path);
  await expect(page).toHaveURL(/\/login\?next=/);
  await expect(page.locator('[data-hydrated="true"]')).toBeVisible();
  await page.getByTestId('login-email').fill(email);
  await page.getByTestId('login-password').fill(password);
  await page.getByTestId('login-submit').click();
}

/** Waits for the page a login sends to, loaded and hydrated (a click before
 * hydration would do nothing). */
async function landed(page: Page, url: RegExp) {
  await page.waitForURL(url);
  await expect(page.locator('[data-hydrated="true"]')).toBeVisible();
}

async function signUp(page: Page, account: string, email: string) {
  await open(page, '/signup');
  await page.getByTestId('signup-account').fill(account);
  await page.getByTestId('signup-email').fill(email);
  await page.getByTestId('signup-password').fill(OWNER.password);
  await page.getByTestId('signup-submit').click();
  await landed(page, /\/contacts$/);
  await expect(page.getByTestId('toolbar-account')).toHaveText(account);
}

async function pasteImport(page: Page, rows: string, group: string) {
  await openWizard(page);
  await paste(page, rows);
  await next(page);
  await expect(page.getByTestId('mapping-unassigned-count')).toHaveText('0');
  await next(page);
  await page.getByTestId('group-new').check();
  await page.getByTestId('group-new-name').fill(group);
  await next(page);
}

test('log in, import, log out: the session ends and pages ask for a login again', async ({ page }) => {
  await logIn(page, OWNER.email, 'not my password');
  await expect(page.getByTestId('auth-error')).toContainText('do not match');
  await shot(page, 'login');
  await page.getByTestId('login-password').fill(OWNER.password);
  await page.getByTestId('login-submit').click();
  await landed(page, /\/contacts$/);
  await expect(page.getByTestId('toolbar-account')).toHaveText(OWNER.account);

  const t = tag();
  await pasteImport(page, `Name\tMobile\nLogin ${t}\t${anyMobile()}\n`, `Login ${t}`);
  await expectSummary(page, { created: 1, updated: 0, rejected: 0 });

  await page.getByTestId('logout').click();
  await landed(page, /\/login$/);
  await page.goto('/contacts/import');
  await expect(page).toHaveURL(/\/login\?next=%2Fcontacts%2Fimport$/);
  // Back after logging in again, where the login was asked for.
  await expect(page.locator('[data-hydrated="true"]')).toBeVisible();
  await page.getByTestId('login-email').fill(OWNER.email);
  await page.getByTestId('login-password').fill(OWNER.password);
  await page.getByTestId('login-submit').click();
  await landed(page, /\/contacts\/import$/);
});

test('a second account sees none of the first account\'s contacts, groups or imports', async ({ page, browser }) => {
  const t = tag();
  // The first account imports a contact into a group.
  await logIn(page, OWNER.email, OWNER.password);
  await landed(page, /\/contacts$/);
  const privatePhone = anyMobile();
  await pasteImport(page, `Name\tMobile\tE-mail\nPrivate ${t}\t${privatePhone}\tprivate.${t}@example.com\n`, `Secret ${t}`);
  await expectSummary(page, { created: 1, updated: 0, rejected: 0 });
  await open(page, '/contacts');
  await page.getByTestId('contact-search').fill(`Private ${t}`);
  await expect(page.getByTestId('contact-row')).toHaveCount(1);
  await page.getByTestId('contact-edit').click();
  await expect(page).toHaveURL(/\/contacts\/\d+\/edit(\?|$)/);
  const editUrl = new URL(page.url()).pathname;

  // Someone else signs up in another browser.
  const other = await (browser as Browser).newContext({ storageState: { cookies: [], origins: [] } });
  const them = await other.newPage();
  const dialogs: string[] = [];
  them.on('dialog', (d) => { dialogs.push(d.message()); void d.dismiss(); });
  await signUp(them, `Other ${t}`, `other.${t}@example.com`);
  await expect(them.getByTestId('contacts-empty')).toBeVisible();
  await expect(them.getByTestId('group-sidebar')).not.toContainText(`Secret ${t}`);
  await them.getByTestId('contact-search').fill(privatePhone);
  await expect(them.getByTestId('contacts-empty')).toBeVisible();
  await open(them, '/contacts/groups');
  await expect(them.getByText(`Secret ${t}`)).toHaveCount(0);
  await open(them, '/contacts/import');
  await expect(them.getByText('Recent imports')).toHaveCount(0);
  // The first account's contact, by its address: not found.
  await open(them, editUrl);
  await expect(them.getByText('no longer exists')).toBeVisible();
  await shot(them, 'second-account');
  await other.close();
});

test('an invitation link lets a colleague into the same account', async ({ page, browser }) => {
  const t = tag();
  await logIn(page, OWNER.email, OWNER.password, '/settings');
  await landed(page, /\/settings$/);
  await page.getByTestId('invite-create').click();
  const link = await page.getByTestId('invite-link').inputValue();
  expect(link).toMatch(/\/invite\/[0-9a-f]{64}$/);
  await shot(page, 'settings');

  const other = await (browser as Browser).newContext({ storageState: { cookies: [], origins: [] } });
  const them = await other.newPage();
  await them.goto(link);
  await expect(them.locator('[data-hydrated="true"]')).toBeVisible();
  await expect(them.getByTestId('invite-account')).toContainText(OWNER.account);
  await them.getByTestId('invite-email').fill(`colleague.${t}@example.com`);
  await them.getByTestId('invite-password').fill(OWNER.password);
  await them.getByTestId('invite-submit').click();
  await landed(them, /\/contacts$/);
  await expect(them.getByTestId('toolbar-account')).toHaveText(OWNER.account);
  await open(them, '/settings');
  await expect(them.getByTestId('users-list')).toContainText(OWNER.email);
  await expect(them.getByTestId('users-list')).toContainText(`colleague.${t}@example.com`);
  // Used once.
  const third = await (browser as Browser).newContext({ storageState: { cookies: [], origins: [] } });
  const p3 = await third.newPage();
  await p3.goto(link);
  await expect(p3.getByTestId('invite-error')).toContainText('used, expired or wrong');
  await other.close();
  await third.close();
});

test('names that look like code are shown as text everywhere: no script runs', async ({ page }) => {
  const dialogs: string[] = [];
  page.on('dialog', (d) => { dialogs.push(d.message()); void d.dismiss(); });
  const t = tag();
  const hostile = '<script>alert(1)</script>';
  const img = `<img src=x onerror=alert(2)>${t}`;
  await logIn(page, OWNER.email, OWNER.password);
  await landed(page, /\/contacts$/);

  // Typed in the form, with a group of a hostile name.
  await open(page, '/contacts/groups');
  await page.getByTestId('group-name').fill(img);
  await page.getByTestId('group-create').click();
  await expect(page.getByTestId('group-message')).toContainText('created');
  await open(page, '/contacts/new');
  await page.getByTestId('contact-first-name').fill(hostile);
  await page.getByTestId('contact-last-name').fill(`"><svg onload=alert(3)> ${t}`);
  await page.getByTestId('contact-phone-0').fill(anyMobile());
  await page.getByTestId(`contact-group-${img}`).check();
  await page.getByTestId('contact-save').click();
  await expect(page).toHaveURL(/\/contacts\?sort=updated$/);

  // And imported, with a formula and markup in the cells.
  await pasteImport(page, `Name\tMobile\tCompany\n${hostile} ${t}\t${anyMobile()}\t=HYPERLINK("http://evil.example")\n<b onmouseover=alert(4)>Bold ${t}</b>\tnot a phone\t@SUM(1)\n`, `<i>${t}</i>`);
  await expectSummary(page, { created: 1, updated: 0, rejected: 1 });

  for (const path of ['/contacts?sort=updated', '/contacts/groups', '/contacts/import']) {
    await open(page, path);
    await page.waitForTimeout(300);
  }
  await open(page, '/contacts?sort=updated');
  await expect(page.getByTestId('contact-name').filter({ hasText: hostile }).first()).toBeVisible();
  await expect(page.getByTestId('group-sidebar')).toContainText(img);
  await shot(page, 'hostile-names');
  // Long unbroken text wraps inside its cell: the list never gets wider than the window.
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  expect(overflow, 'the contacts page fits the window').toBeLessThanOrEqual(0);
  await page.getByTestId('contact-edit').first().click();
  await expect(page.getByTestId('contact-first-name')).toHaveValue(/^<script>alert\(1\)<\/script>/);
  await page.waitForTimeout(300);
  expect(dialogs, 'no script from the data ran').toEqual([]);
  expect(await page.evaluate(() => document.querySelectorAll('svg[onload], img[onerror], b[onmouseover]').length)).toBe(0);
});

test.describe('from an Israeli browser', () => {
  test.use({ locale: 'he-IL' });

  test('the sign-up proposes Israel as the account\'s country, and an Israeli number is read as such', async ({ page }) => {
    const t = tag();
    await open(page, '/signup');
    await expect(page.getByTestId('signup-country')).toHaveValue('IL');
    await page.getByTestId('signup-account').fill(`Tel Aviv ${t}`);
    await page.getByTestId('signup-email').fill(`il.${t}@example.com`);
    await page.getByTestId('signup-password').fill(OWNER.password);
    await page.getByTestId('signup-submit').click();
    await landed(page, /\/contacts$/);
    await open(page, '/contacts/new');
    await page.getByTestId('contact-phone-0').fill('050-234-5678');
    await expect(page.getByTestId('line-phone-0').getByTestId('line-type')).toHaveAttribute('data-line', 'mobile');
  });
});

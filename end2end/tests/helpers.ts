// Find / act / check helpers: tests speak in these, so a restyle breaks no test.
import { test as base, expect, Page } from '@playwright/test';

/**
 * `test` with a check after each test: no uncaught error and no console error
 * in the page (hydration mismatches and panics show up there). Failed HTTP
 * responses are expected (refused input answers 4xx/5xx) and not counted.
 */
export const test = base.extend({
  page: async ({ page }, use) => {
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
    page.on('console', (m) => {
      if (m.type() === 'error' && !m.text().startsWith('Failed to load resource')) errors.push(`console: ${m.text()}`);
    });
    await use(page);
    expect(errors, 'errors in the page').toEqual([]);
  },
});
export { expect };

let counter = 0;

/** A name and a valid GB mobile (07400 + any six digits) that no other test uses. */
export function uniquePerson(first: string) {
  counter += 1;
  const n = (Date.now() % 100000) * 10 + counter;
  const digits = String(n).padStart(6, '0').slice(-6);
  return { first: `${first}${counter}`, last: `Test${digits}`, phone: `07400 ${digits}`, e164: `+447400${digits}` };
}

// ---- find
export const find = {
  rows: (page: Page) => page.getByTestId('contact-row'),
  row: (page: Page, name: string) => page.getByTestId('contact-row').filter({ hasText: name }),
};

// ---- act
export async function open(page: Page, path: string) {
  await page.goto(path);
  await expect(page.locator('[data-hydrated="true"]')).toBeVisible();
}

export async function fillContact(page: Page, c: { first?: string; last?: string; company?: string; phone?: string; email?: string }) {
  if (c.first !== undefined) await page.getByTestId('contact-first-name').fill(c.first);
  if (c.last !== undefined) await page.getByTestId('contact-last-name').fill(c.last);
  if (c.company !== undefined) await page.getByTestId('contact-company').fill(c.company);
  if (c.phone !== undefined) await page.getByTestId('contact-phone-0').fill(c.phone);
  if (c.email !== undefined) await page.getByTestId('contact-email-0').fill(c.email);
}

export async function addContact(page: Page, c: { first: string; last: string; phone?: string; email?: string }, groups: string[] = []) {
  await open(page, '/contacts');
  await page.getByTestId('add-contact').click();
  await expect(page.getByTestId('contact-form')).toBeVisible();
  await fillContact(page, c);
  for (const g of groups) await page.getByTestId(`contact-group-${g}`).check();
  await page.getByTestId('contact-save').click();
  await expect(page).toHaveURL(/\/contacts\?sort=updated$/);
  await expect(page.getByTestId('notice')).toContainText(`Added ${c.first} ${c.last}`);
}

export async function search(page: Page, text: string) {
  await page.getByTestId('contact-search').fill(text);
}

/** A screenshot to look at after a run, in the ignored test-results/ folder
 * (the README's pictures come from `make screenshots` instead). */
export async function shot(page: Page, name: string) {
  await page.screenshot({ path: `test-results/screenshots/${name}.png`, fullPage: true });
}

// ---- check
export async function expectOnlyRow(page: Page, name: string) {
  await expect(find.rows(page)).toHaveCount(1);
  await expect(find.rows(page).first()).toContainText(name);
}

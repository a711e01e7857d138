// The README's pictures, from a realistic demo account (see screenshots.config.ts).
import { Page } from '@playwright/test';
import { expect, test } from '../tests/helpers';
import { demoWorkbook } from './demo-data';

const OUT = '../docs/screenshots';
const OWNER = { account: 'Northwind Bakeries', email: 'sam@northwind.example', password: 'warm bread every morning' };

async function shot(page: Page, name: string) {
  await page.evaluate(() => window.scrollTo(0, 0));
  await page.screenshot({ path: `${OUT}/${name}.png` });
}

async function hydrated(page: Page) {
  await expect(page.locator('[data-hydrated="true"]')).toBeVisible();
}

test('the README pictures, from the demo data set', async ({ page }) => {
  // Sign up: the first run of a fresh database.
  await page.goto('/contacts');
  await expect(page).toHaveURL(/\/signup$/);
  await hydrated(page);
  await page.getByTestId('signup-account').fill(OWNER.account);
  await page.getByTestId('signup-email').fill(OWNER.email);
  await page.getByTestId('signup-password').fill(OWNER.password);
  await page.getByTestId('signup-submit').click();
  await expect(page).toHaveURL(/\/contacts$/);
  for (const name of ['VIP', 'Newsletter']) {
    const res = await page.request.post('/api/groups/create', { data: { name } });
    expect(res.ok(), await res.text()).toBeTruthy();
  }

  // 1. The file.
  await page.goto('/contacts/import');
  await hydrated(page);
  await page.getByTestId('import-file-tab').click();
  await page.getByTestId('import-file-input').setInputFiles({
    name: 'customers-march.xlsx',
    mimeType: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
    buffer: demoWorkbook(),
  });
  await expect(page.getByTestId('import-source')).toBeVisible();
  await shot(page, 'import-1-input');

  // 2. The mapping: Branch becomes each contact's group, Notes stays behind.
  await page.getByTestId('import-continue').click();
  await expect(page.getByTestId('mapping-select-0')).toBeVisible();
  await shot(page, 'import-2-mapping');
  await page.getByTestId('mapping-select-5').selectOption('group');
  await page.getByTestId('mapping-select-6').selectOption('ignore');
  await expect(page.getByTestId('mapping-unassigned-count')).toHaveText('0');
  await expect(page.getByTestId('import-continue')).toBeEnabled();
  // The two rows that will not come in, their bad cells in red.
  await page.getByTestId('mapping-only-problems').check();
  await shot(page, 'import-2-mapping-ready');

  // 4. The summary (a Group column skips stage 3).
  await page.getByTestId('import-continue').click();
  await expect(page.getByTestId('summary-title')).toBeVisible({ timeout: 60_000 });
  await shot(page, 'import-4-summary');

  // The contacts it made, newest first: the lead picture.
  await page.goto('/contacts?sort=updated');
  await hydrated(page);
  await expect(page.getByTestId('contact-row').first()).toBeVisible();
  await shot(page, 'contacts-page');
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  expect(overflow, 'the contacts page fits a 1280 px window').toBeLessThanOrEqual(0);

  await page.goto('/contacts/groups');
  await hydrated(page);
  await shot(page, 'groups');

  // Add Single Contact, refusing what cannot be texted or mailed.
  await page.goto('/contacts');
  await hydrated(page);
  await page.getByTestId('add-contact').click();
  await expect(page.getByTestId('contact-form')).toBeVisible();
  await page.getByTestId('contact-first-name').fill('Hannah');
  await page.getByTestId('contact-last-name').fill('Reid');
  await page.getByTestId('contact-phone-0').fill('07400 31');
  await page.getByTestId('contact-email-0').fill('hannah.reid@example');
  await page.getByTestId('contact-save').click();
  await expect(page.getByTestId('error-phone-0')).toBeVisible();
  await expect(page.getByTestId('error-email-0')).toBeVisible();
  await shot(page, 'contact-form-errors');
});

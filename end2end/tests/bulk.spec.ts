import * as fs from 'fs';
import { expect, open, shot, test } from './helpers';
import { chooseNewGroup, expectSummary, mobile, next, openWizard, tag, upload } from './import-helpers';

// Bulk actions on the list, an export read back, and a contact's own page.
test('a group of 30 is exported, read back, then all of it is removed from its group; picked rows are deleted', async ({ page }) => {
  const t = tag();
  const group = `Bulk ${t}`;
  const base = Math.floor(Math.random() * 800_000) + 100_000;
  const rows = Array.from({ length: 30 }, (_, i) => `P${String(i).padStart(2, '0')},${t},${mobile(base + i)},Leeds`);
  const csv = [`First name,Last name,Mobile,Town ${t}`, ...rows].join('\n');
  await openWizard(page);
  await upload(page, `bulk-${t}.csv`, Buffer.from(csv));
  await next(page);
  await page.getByTestId('mapping-select-3').selectOption('ignore');
  await next(page);
  await chooseNewGroup(page, group);
  await next(page);
  await expectSummary(page, { created: 30, updated: 0, rejected: 0 });

  // The group's list: a page of 25 of its 30.
  await open(page, '/contacts');
  await page.getByTestId(`filter-group-${group}`).click();
  await expect(page.getByTestId('pager-info')).toHaveText('1–25 of 30');

  // Export what the list shows, as csv, and read it back.
  await page.getByTestId('export-menu').locator('summary').click();
  const [download] = await Promise.all([
    page.waitForEvent('download'),
    page.getByTestId('export-shown-csv').click(),
  ]);
  const text = fs.readFileSync(await download.path(), 'utf8').replace(/^\uFEFF/, '');
  const lines = text.split(/\r?\n/).filter((l) => l.length > 0);
  expect(lines).toHaveLength(31);
  expect(lines[0]).toMatch(/^First name,Last name,Company,Phone/);
  expect(lines.filter((l) => l.includes(group))).toHaveLength(30);
  expect(lines.some((l) => l.startsWith(`P07,${t},`))).toBe(true);
  await expect(page.getByTestId('export-menu')).not.toHaveAttribute('open');

  // Tick the page, then every contact the filter finds.
  await page.getByTestId('pick-page').check();
  await expect(page.getByTestId('bulk-selected')).toHaveText('25 selected');
  await page.getByTestId('bulk-all').click();
  await expect(page.getByTestId('bulk-selected')).toHaveText('All 30 matching contacts selected');
  await page.getByTestId('bulk-action').selectOption('remove');
  await expect(page.getByTestId('bulk-group')).toHaveValue(/\d+/);
  await expect(page.getByTestId('bulk-group').locator('option:checked')).toHaveText(group);
  await shot(page, 'bulk-1-all-selected');
  await page.getByTestId('bulk-apply').click();
  await expect(page.getByTestId('confirm-dialog')).toContainText(`Remove 30 contacts from ${group}?`);
  await page.getByTestId('confirm-ok').click();
  await expect(page.getByTestId('notice')).toHaveText(`Removed 30 contacts from ${group}.`);
  await expect(page.getByTestId('contacts-empty')).toBeVisible();
  await expect(page.getByTestId(`filter-group-${group}`)).toContainText('0');

  // The contacts are still there, in no group. A number field set on two
  // of them: checked on the page first, by the field's type.
  const score = `Score ${t}`;
  const made = await page.request.post('/api/fields/create', { data: { name: score, kind: 'number', choices: [] } });
  expect(made.status()).toBe(200);
  await open(page, `/contacts?q=${t}`);
  await expect(page.getByTestId('pager-info')).toHaveText('1–25 of 30');
  await page.getByTestId('pick-contact').nth(0).check();
  await page.getByTestId('pick-contact').nth(1).check();
  await page.getByTestId('bulk-action').selectOption('field');
  await page.getByTestId('bulk-field').selectOption({ label: score });
  await page.getByTestId('bulk-value').fill('lots');
  await page.getByTestId('bulk-apply').click();
  await expect(page.getByTestId('bulk-progress')).toContainText('number');
  await page.getByTestId('bulk-value').fill('1,234.5');
  await page.getByTestId('bulk-apply').click();
  await expect(page.getByTestId('notice')).toHaveText(`Set ${score} to “1234.5” on 2 contacts.`);
  await expect(page.getByTestId('bulk-bar')).toHaveCount(0);

  // Pick two and delete them.
  await page.getByTestId('pick-contact').nth(0).check();
  await page.getByTestId('pick-contact').nth(1).check();
  await expect(page.getByTestId('bulk-selected')).toHaveText('2 selected');
  await page.getByTestId('bulk-action').selectOption('delete');
  await page.getByTestId('bulk-apply').click();
  await expect(page.getByTestId('confirm-dialog')).toContainText('Delete 2 contacts?');
  await shot(page, 'bulk-2-delete-confirm');
  await page.getByTestId('confirm-ok').click();
  await expect(page.getByTestId('notice')).toHaveText('Deleted 2 contacts.');
  await expect(page.getByTestId('pager-info')).toHaveText('1–25 of 28');

  // A contact's own page: its number with its line type, no group, the import that created it.
  await page.getByTestId('contact-name').first().click();
  await expect(page.getByTestId('contact-page-name')).toContainText(t);
  await expect(page.getByTestId('contact-phone')).toContainText('mobile');
  await expect(page.getByTestId('contact-no-group')).toBeVisible();
  await expect(page.getByTestId('contact-import')).toContainText(`bulk-${t}.csv`);
  await expect(page.getByTestId('contact-import')).toContainText('last created or changed it');
  await shot(page, 'bulk-3-contact-page');
  await page.getByTestId('contact-page-delete').click();
  await page.getByTestId('confirm-ok').click();
  await expect(page).toHaveURL(/\/contacts\?q=/);
  await expect(page.getByTestId('notice')).toContainText('Deleted P');
  await expect(page.getByTestId('pager-info')).toHaveText('1–25 of 27');
});

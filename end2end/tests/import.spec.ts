import * as fs from 'fs';
import { expect, find, open, shot, test, uniquePerson } from './helpers';
import {
  chooseNewGroup, expectMapping, expectStage, expectSummary, mobile, next, openWizard, paste, tag, upload, xlsxBytes,
} from './import-helpers';

test('an xlsx with a title row and Google headers maps itself, skips the group stage, and imports', async ({ page }) => {
  const t = tag();
  const g = `Google ${t}`;
  const bytes = xlsxBytes([
    [`Contacts exported ${t}`],
    [],
    ['Name', 'Given Name', 'Family Name', 'Group Membership', 'E-mail 1 - Type', 'E-mail 1 - Value', 'Phone 1 - Type', 'Phone 1 - Value'],
    [`Ann ${t}`, 'Ann', t, `${g} ::: * myContacts`, '* Work', `ann.${t}@example.com`, 'Mobile', mobile(100001)],
    [`Bob ${t}`, 'Bob', t, g, '', `bob.${t}@example.com`, 'Home', 'not a phone'],
    [`Cy ${t}`, 'Cy', t, g, '', '', '', ''],
  ]);
  await openWizard(page);
  await upload(page, `google-${t}.xlsx`, bytes);
  await expect(page.getByTestId('import-file-name')).toHaveText(`google-${t}.xlsx`);
  await expect(page.getByTestId('import-file-size')).toContainText('KB');
  await expect(page.getByTestId('import-header-row')).toHaveValue('3');
  await expect(page.getByTestId('import-row-count')).toContainText('3 rows');
  await shot(page, 'import-1-input');
  await next(page);

  await expectStage(page, 'Mapping');
  await expectMapping(page, ['full_name', 'first_name', 'last_name', 'group', 'ignore', 'email', 'ignore', 'phone']);
  await expect(page.getByTestId('mapping-unassigned-count')).toHaveText('0');
  await expect(page.getByTestId('mapping-will-import')).toHaveText('2');
  await expect(page.getByTestId('mapping-will-reject')).toHaveText('1');
  await expect(page.getByTestId('group-skip-note')).toContainText('Group Membership');
  await shot(page, 'import-2-mapping');
  await next(page);

  await expectStage(page, 'Summary');
  await expect(page.locator('[data-stage="Group"]')).toHaveClass(/stages__item--skipped/);
  await expectSummary(page, { created: 2, updated: 0, rejected: 1 });
  await expect(page.getByTestId('summary-dropped')).toContainText('1 invalid detail');
  await shot(page, 'import-4-summary');
  // The rejected row comes back as an xlsx, written by the bundle the worker
  // loads only for it (frontend/writer).
  const [download] = await Promise.all([
    page.waitForEvent('download'),
    page.getByTestId('summary-error-download').click(),
  ]);
  expect(download.suggestedFilename()).toBe(`google-${t}-rejected.xlsx`);
  const XLSX = await import('xlsx');
  const book = XLSX.read(fs.readFileSync(await download.path()));
  const rows = XLSX.utils.sheet_to_json<string[]>(book.Sheets[book.SheetNames[0]], { header: 1 });
  expect(rows[0]).toContain('Reason');
  expect(rows[0]).toContain('Given Name');
  expect(rows.map((r) => r[0])).toContain(`Cy ${t}`);

  await open(page, '/contacts');
  await page.getByTestId(`filter-group-${g}`).click();
  await expect(page.getByTestId('contact-row')).toHaveCount(2);
  await expect(page.getByTestId('contact-row').filter({ hasText: `Ann ${t}` })).toContainText('work');
});

test('pasted rows go into a new group, then more into the same existing group, updating a contact', async ({ page }) => {
  const t = tag();
  const group = `Pasted ${t}`;
  await openWizard(page);
  await page.getByTestId('import-view-examples').click();
  await expect(page.getByTestId('import-examples')).toContainText('First name,Last name,Phone,Email,Group');
  await paste(page, `First name\tLast name\tMobile\tE-mail\nDee\t${t}\t${mobile(200001)}\tdee.${t}@example.com\nEd\t${t}\t${mobile(200002)}\t`);
  await next(page);
  await expectMapping(page, ['first_name', 'last_name', 'phone', 'email']);
  // Back to stage 1 keeps what was pasted.
  await page.getByTestId('import-back').click();
  await expect(page.getByTestId('import-paste-input')).toHaveValue(/^First name\tLast name/);
  await next(page);
  await next(page);

  await expectStage(page, 'Group');
  await chooseNewGroup(page, group);
  await shot(page, 'import-3-group');
  await next(page);
  await expectSummary(page, { created: 2, updated: 0, rejected: 0 });
  await expect(page.getByTestId('summary-error-download')).toHaveCount(0);

  // Again, into the existing group: Ed (same phone, other notation) gets an e-mail.
  await page.getByTestId('import-again').click();
  await paste(page, `Name,Phone,Email\nEd ${t},+44 7400 ${mobile(200002).slice(6)},ed.${t}@example.com\nFay ${t},${mobile(200003)},`);
  await next(page);
  await next(page);
  // The group exists now: a new group of that name is refused.
  await chooseNewGroup(page, group.toUpperCase());
  await expect(page.getByTestId('import-blocked')).toContainText('already exists');
  await expect(page.getByTestId('import-continue')).toBeDisabled();
  await page.getByTestId('group-existing').check();
  await page.getByTestId('group-existing-select').selectOption({ label: `${group} (2 contacts)` });
  await next(page);
  await expectSummary(page, { created: 1, updated: 1, rejected: 0 });

  // The summary links to exactly the contacts this import created or changed.
  await page.getByTestId('summary-view-contacts').click();
  await expect(page.getByTestId('import-filter')).toBeVisible();
  await expect(page.getByTestId('contact-row')).toHaveCount(2);
  await expect(page.getByTestId('contact-row').filter({ hasText: `Dee` })).toHaveCount(0);
  await shot(page, 'import-5-imported-contacts');

  await open(page, '/contacts');
  await page.getByTestId(`filter-group-${group}`).click();
  await expect(page.getByTestId('contact-row')).toHaveCount(3);
  await expect(page.getByTestId('contact-row').filter({ hasText: `ed.${t}@example.com` })).toHaveCount(1);
});

test('a column left orange blocks Continue until it is assigned or ignored', async ({ page }) => {
  const t = tag();
  await openWizard(page);
  await paste(page, `Who,Mobile,Colour\nGus ${t},${mobile(300001)},blue\nHal ${t},${mobile(300002)},green`);
  await next(page);
  await expect(page.getByTestId('mapping-unassigned-count')).toHaveText('2');
  await expect(page.getByTestId('mapping-column-2')).toHaveClass(/grid__head--open/);
  await expect(page.getByTestId('import-continue')).toBeDisabled();
  await expect(page.getByTestId('import-blocked')).toContainText('2 columns (in orange) still need a field');
  await page.getByTestId('mapping-select-0').selectOption('full_name');
  await expect(page.getByTestId('mapping-unassigned-count')).toHaveText('1');
  await expect(page.getByTestId('import-continue')).toBeDisabled();
  // A single-valued field moves: the column that had it turns orange again.
  await page.getByTestId('mapping-select-2').selectOption('full_name');
  await expect(page.getByTestId('mapping-message')).toContainText('Full name moved here from the column “Who”');
  await expect(page.getByTestId('mapping-column-0')).toHaveClass(/grid__head--open/);
  await expect(page.getByTestId('mapping-unassigned-count')).toHaveText('1');
  await page.getByTestId('mapping-select-0').selectOption('full_name');
  await expect(page.getByTestId('mapping-message')).toContainText('Full name moved here from the column “Colour”');
  await expect(page.getByTestId('mapping-column-2')).toHaveClass(/grid__head--open/);
  await page.getByTestId('mapping-select-2').selectOption('ignore');
  await expect(page.getByTestId('mapping-message')).toHaveCount(0);
  await expect(page.getByTestId('mapping-unassigned-count')).toHaveText('0');
  await expect(page.getByTestId('import-continue')).toBeEnabled();
  await next(page);
  await expectStage(page, 'Group');
  await page.getByTestId('import-back').click();
  await expectMapping(page, ['full_name', 'phone', 'ignore']);
});

test('invalid cells are fixed in place, the region revalidates, and rejected rows come back as a file that imports once fixed', async ({ page }) => {
  const t = tag();
  await openWizard(page);
  // 06 12 34 56 78 is French: invalid in GB, valid once the region is FR.
  await paste(page, `Name,Phone\nIda ${t},06 12 34 56 78\nJo ${t},12\nKim ${t},${mobile(400001)}`);
  await next(page);
  await page.getByTestId('import-region-select').selectOption('GB');
  await expect(page.getByTestId('mapping-will-reject')).toHaveText('2');
  await expect(page.getByTestId('mapping-cell-0-1')).toBeVisible();
  await expect(page.getByTestId('mapping-cell-2-1')).toHaveCount(0);
  await shot(page, 'import-2-mapping-invalid');
  // In France, Ida's number is valid and Kim's British one is not.
  await page.getByTestId('import-region-select').selectOption('FR');
  await expect(page.getByTestId('mapping-cell-0-1')).toHaveCount(0);
  await expect(page.getByTestId('mapping-cell-2-1')).toBeVisible();
  await page.getByTestId('import-region-select').selectOption('GB');
  // Fix Ida's number in place: her row is checked again at once.
  const ida = page.getByTestId('mapping-cell-0-1');
  await ida.fill(mobile(400002));
  await ida.press('Enter');
  await expect(page.getByTestId('mapping-will-reject')).toHaveText('1');
  await expect(page.getByTestId('mapping-will-import')).toHaveText('2');
  await next(page);
  await page.getByTestId('group-none').check();
  await next(page);
  await expectSummary(page, { created: 2, updated: 0, rejected: 1 });

  const [download] = await Promise.all([
    page.waitForEvent('download'),
    page.getByTestId('summary-error-download').click(),
  ]);
  expect(download.suggestedFilename()).toMatch(/\.csv$/);
  const text = fs.readFileSync(await download.path(), 'utf8');
  expect(text).toContain('Reason');
  expect(text).toContain(`Jo ${t},12,`);
  const fixed = text.replace(`Jo ${t},12,`, `Jo ${t},${mobile(400003)},`);

  await page.getByTestId('import-again').click();
  await upload(page, 'fixed.csv', Buffer.from(fixed, 'utf8'), 'text/csv');
  await next(page);
  await expectMapping(page, ['full_name', 'phone', 'ignore']);
  await next(page);
  await page.getByTestId('group-none').check();
  await next(page);
  await expectSummary(page, { created: 1, updated: 0, rejected: 0 });
});

test('one click on Continue right after fixing a cell moves on (the edit ends and the rows are checked first)', async ({ page }) => {
  const t = tag();
  await openWizard(page);
  await paste(page, `Name,Phone\nIda ${t},12\nKim ${t},${mobile(410001)}`);
  await next(page);
  await page.getByTestId('import-region-select').selectOption('GB');
  await expect(page.getByTestId('mapping-will-reject')).toHaveText('1');
  const ida = page.getByTestId('mapping-cell-0-1');
  await ida.fill(mobile(410002));
  // No Enter, no click elsewhere: the click on Continue ends the edit.
  await page.getByTestId('import-continue').click();
  await expectStage(page, 'Group');
  await page.getByTestId('group-none').check();
  await next(page);
  await expectSummary(page, { created: 2, updated: 0, rejected: 0 });
});

test('placeholders and headers as databases write them: n/a is no phone, mobileNumber and E_MAIL map themselves', async ({ page }) => {
  const t = tag();
  await openWizard(page);
  await paste(page, `first_name,lastName,mobileNumber,E_MAIL,group_name\nNia,${t},n/a,nia.${t}@example.org,Leads ${t}\nOla,${t},${mobile(420001)},N/A,Leads ${t}\nPia,${t},-,-,Leads ${t}`);
  await next(page);
  await expectMapping(page, ['first_name', 'last_name', 'phone', 'email', 'group']);
  await expect(page.getByTestId('mapping-will-import')).toHaveText('2');
  await expect(page.getByTestId('mapping-will-reject')).toHaveText('1');
  // The placeholders are not shown as invalid numbers or addresses.
  await expect(page.getByTestId('mapping-cell-0-2')).toHaveCount(0);
  await expect(page.getByTestId('mapping-cell-1-3')).toHaveCount(0);
  await next(page);
  await expectSummary(page, { created: 2, updated: 0, rejected: 1 });
});

test('the browser\'s Back goes to the previous stage; a reload says the file must be chosen again', async ({ page }) => {
  const t = tag();
  await openWizard(page);
  await paste(page, `Name,Phone\nLea ${t},${mobile(430001)}`);
  await next(page);
  await expectStage(page, 'Mapping');
  await expect(page).toHaveURL(/stage=mapping/);
  await next(page);
  await expectStage(page, 'Group');
  await page.goBack();
  await expectStage(page, 'Mapping');
  await expectMapping(page, ['full_name', 'phone']);
  await page.goBack();
  await expectStage(page, 'Input');
  await expect(page.getByTestId('import-paste-input')).toHaveValue(new RegExp(`Lea ${t}`));
  await next(page);
  await expectStage(page, 'Mapping');
  await page.reload();
  await expect(page.locator('[data-hydrated="true"]')).toBeVisible();
  await expectStage(page, 'Input');
  await expect(page.getByTestId('import-file-lost')).toContainText('Choose it again');
  await expect(page).not.toHaveURL(/stage=/);
  await shot(page, 'import-reloaded');
});

test('a corrupt file shows a clear message and stays on the first stage', async ({ page }) => {
  await openWizard(page);
  await upload(page, 'broken.xlsx', Buffer.concat([Buffer.from('PK\u0003\u0004'), Buffer.alloc(200, 7)]));
  await expect(page.getByTestId('import-error')).toBeVisible();
  await expect(page.getByTestId('import-error')).toContainText(/damaged|corrupt|could not/i);
  await expectStage(page, 'Input');
  await expect(page.getByTestId('import-continue')).toBeDisabled();
  await shot(page, 'import-error');
});

test('a workbook with several sheets offers a sheet picker and a header row to change', async ({ page }) => {
  const t = tag();
  const XLSX = await import('xlsx');
  const wb = XLSX.utils.book_new();
  XLSX.utils.book_append_sheet(wb, XLSX.utils.aoa_to_sheet([['Notes'], ['nothing here']]), 'Readme');
  XLSX.utils.book_append_sheet(wb, XLSX.utils.aoa_to_sheet([['Name', 'Email'], [`Lu ${t}`, `lu.${t}@example.com`]]), 'People');
  const bytes = XLSX.write(wb, { type: 'buffer', bookType: 'xlsx' }) as Buffer;
  await openWizard(page);
  await upload(page, 'two-sheets.xlsx', bytes);
  await expect(page.getByTestId('import-sheet-select')).toHaveValue('1');
  await expect(page.getByTestId('import-header-row')).toHaveValue('1');
  await page.getByTestId('import-header-row').fill('0');
  await page.getByTestId('import-header-row').press('Enter');
  await expect(page.getByTestId('import-row-count')).toContainText('2 rows');
  await page.getByTestId('import-sheet-select').selectOption('0');
  await expect(page.getByTestId('import-row-count')).toContainText('1 row');
});

test('a 100,000-row file is read in a Web Worker; the grid renders only the rows in view and scrolls to the last one', async ({ page }) => {
  test.setTimeout(180_000);
  const n = 100_000;
  const lines = ['First name,Last name,Mobile,Email'];
  for (let i = 0; i < n; i++) lines.push(`F${i},L${i},07400 ${String(i).padStart(6, '0')},p${i}@big.example.com`);
  await openWizard(page);
  await upload(page, 'big.csv', Buffer.from(lines.join('\n')), 'text/csv');
  await expect(page.getByTestId('import-row-count')).toContainText('100,000 rows', { timeout: 60_000 });
  // The file was read off the page's thread, which shows how far the check of every row is.
  expect(page.workers().map((w) => new URL(w.url()).pathname)).toContain('/reader-worker.js');
  await expect(page.getByTestId('import-busy')).toContainText(/Checking 100,000 rows… \d+%/, { timeout: 60_000 });
  await shot(page, 'import-1-checking');
  await next(page);
  await expect(page.getByTestId('mapping-will-import')).toHaveText('100,000', { timeout: 90_000 });
  expect(await page.locator('tr.grid__row').count()).toBeLessThan(60);
  await page.getByTestId('mapping-grid').evaluate((el) => { el.scrollTop = el.scrollHeight; });
  await expect(page.locator(`tr[data-row="${n + 1}"]`)).toBeVisible();
  expect(await page.locator('tr.grid__row').count()).toBeLessThan(60);
  // A change of mapping checks every row again: Continue waits for it.
  await page.getByTestId('mapping-select-3').selectOption('ignore');
  await expect(page.getByTestId('mapping-column-3')).toHaveClass(/grid__head--ignored/, { timeout: 90_000 });
  await expect(page.getByTestId('import-continue')).toBeEnabled({ timeout: 90_000 });
  await expect(page.getByTestId('mapping-will-import')).toHaveText('100,000');
  await expect(page.getByTestId('mapping-error')).toHaveCount(0);
});

test('a consent column and a landline: counted in the preview; an opt-out is kept and the summary says so', async ({ page }) => {
  const t = tag();
  // Someone who replied STOP last month.
  const stop = uniquePerson('Stopped');
  await open(page, '/contacts/new');
  await page.getByTestId('contact-first-name').fill(stop.first);
  await page.getByTestId('contact-last-name').fill(stop.last);
  await page.getByTestId('contact-phone-0').fill(stop.phone);
  await page.getByTestId('contact-sms-status').selectOption('opted_out');
  await page.getByTestId('contact-save').click();
  await expect(page).toHaveURL(/\/contacts\?sort=updated$/);

  await openWizard(page);
  await paste(page, [
    'Name,Phone,SMS consent',
    `${stop.first} ${stop.last},${stop.phone},yes`,
    `Office ${t},020 7946 ${String(Date.now() % 10000).padStart(4, '0')},yes`,
    `Mo ${t},${mobile(Date.now() % 1000000)},STOP`,
  ].join('\n'));
  await next(page);
  await expectMapping(page, ['full_name', 'phone', 'sms_consent']);
  await expect(page.getByTestId('mapping-landlines-1')).toHaveText("1 can't receive SMS");
  await expect(page.getByTestId('mapping-no-textable')).toContainText('1 contact will have no number that can receive SMS');
  await expect(page.getByTestId('mapping-consent')).toHaveText('SMS consent in the file: 2 yes, 1 no or STOP');
  await expect(page.getByTestId('import-consent-hint')).toContainText('opted out stay opted out');
  await shot(page, 'import-2-mapping-consent');
  await next(page);
  // No group: the contact who opted out is not touched at all.
  await page.getByTestId('group-none').check();
  await next(page);
  await expectSummary(page, { created: 2, updated: 0, rejected: 0 });
  await expect(page.getByTestId('summary-unchanged')).toContainText('1 contact already up to date');
  await expect(page.getByTestId('summary-kept-opted-out')).toContainText('Kept opted out: 1');
  await expect(page.getByTestId('summary-kept-opted-out')).toContainText('row 2');
  await expect(page.getByTestId('summary-opted-in')).toHaveText('1 contact opted in to SMS');
  await expect(page.getByTestId('summary-opted-out')).toHaveText('1 contact opted out of SMS');
  await shot(page, 'import-4-summary-consent');

  await open(page, '/contacts');
  await page.getByTestId('contact-search').fill(stop.last);
  await expect(find.row(page, stop.last).getByTestId('sms-status')).toHaveText('SMS: opted out');
});

test('a French file in a UK account: the mapping stage says the numbers look French and switches in one click', async ({ page }) => {
  const t = tag();
  await openWizard(page);
  const rows = ['06 12 34 56 78', '07 81 22 33 44', '01 23 45 67 89', '06 98 76 54 32', '04 72 10 20 30', '06 11 22 33 44']
    .map((n, i) => `Client${i} ${t},${n.replace(/\d\d$/, String(10 + (Date.now() + i) % 90))}`);
  await paste(page, ['Nom,Téléphone', ...rows].join('\n'));
  await next(page);
  await expect(page.getByTestId('region-hint')).toContainText('These look like numbers from France');
  await expect(page.getByTestId('region-hint')).toContainText('as United Kingdom');
  await shot(page, 'import-2-region-hint');
  await page.getByTestId('region-hint-switch').click();
  await expect(page.getByTestId('import-region-select')).toHaveValue('FR');
  await expect(page.getByTestId('region-hint')).toHaveCount(0);
  await expect(page.getByTestId('mapping-will-import')).toHaveText('6');
  await expect(page.getByTestId('mapping-will-reject')).toHaveText('0');
});

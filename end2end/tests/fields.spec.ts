import { expect, open, shot, test } from './helpers';
import { expectStage, expectSummary, mobile, next, openWizard, tag, upload } from './import-helpers';

// Custom fields made in the mapping stage, filled by the import, then
// filtering the list and shown as its columns.
test('an import makes a City and a Birthday field from the mapping stage, then the list filters by City', async ({ page }) => {
  const t = tag();
  const city = `City ${t}`;
  const birthday = `Birthday ${t}`;
  const base = Math.floor(Math.random() * 800_000) + 100_000;
  const csv = [
    `First name,Last name,Mobile,${city},${birthday}`,
    `Ann,${t},${mobile(base + 1)},Leeds,13/02/1990`,
    `Bob,${t},${mobile(base + 2)},leeds,25/12/1985`,
    `Cy,${t},${mobile(base + 3)},York,31/02/1980`,
  ].join('\n');
  await openWizard(page);
  await upload(page, `fields-${t}.csv`, Buffer.from(csv));
  await next(page);
  await expectStage(page, 'Mapping');

  // "City …": nothing built in keeps it; a new field, named by its header,
  // text (the header says so).
  await page.getByTestId('mapping-select-3').selectOption('new-field');
  await expect(page.getByTestId('new-field')).toBeVisible();
  await expect(page.getByTestId('new-field-name')).toHaveValue(city);
  await expect(page.getByTestId('new-field-kind')).toHaveValue('text');
  await page.getByTestId('new-field-create').click();
  await expect(page.getByTestId('new-field')).toHaveCount(0);
  await expect(page.getByTestId('mapping-select-3')).toHaveValue('pending-field');

  // "Birthday …": guessed a date from its values.
  await page.getByTestId('mapping-select-4').selectOption('new-field');
  await expect(page.getByTestId('new-field-name')).toHaveValue(birthday);
  await expect(page.getByTestId('new-field-kind')).toHaveValue('date');
  await shot(page, 'fields-1-new-field');
  await page.getByTestId('new-field-create').click();
  await expect(page.getByTestId('mapping-select-4')).toHaveValue('pending-field');
  // 31/02 is no date: the row imports without it, and the cell says why.
  await expect(page.getByTestId('mapping-values-ignored')).toContainText('1 value will be ignored');
  await expect(page.getByTestId('mapping-will-import')).toHaveText('3');
  await next(page);

  await expectStage(page, 'Group');
  await page.getByTestId('group-none').check();
  await next(page);
  await expectSummary(page, { created: 3, updated: 0, rejected: 0 });

  // The fields exist now, with their types.
  await open(page, '/settings');
  await expect(page.getByTestId(`field-row-${city}`)).toContainText('Text');
  await expect(page.getByTestId(`field-row-${birthday}`)).toContainText('Date');

  // Filter the list by City (case aside), the City column shown.
  await open(page, '/contacts');
  await page.getByTestId('field-filter-field').selectOption({ label: city });
  await page.getByTestId('field-filter-value').fill('LEEDS');
  await page.getByTestId('field-filter-apply').click();
  await expect(page.getByTestId('contact-row')).toHaveCount(2);
  await expect(page.getByTestId(`field-value-${city}`).first()).toHaveText(/leeds/i);
  await page.getByTestId('field-columns').click();
  await page.getByTestId(`field-column-${birthday}`).check();
  await expect(page.getByTestId(`field-value-${birthday}`)).toHaveText(['13 Feb 1990', '25 Dec 1985']);
  await shot(page, 'fields-2-filtered-list');

  // The same file again maps both columns to the fields by their names.
  await openWizard(page);
  await upload(page, `fields-${t}-again.csv`, Buffer.from(csv.replace('York', 'Hull')));
  await next(page);
  await expect(page.getByTestId('mapping-select-3')).toHaveValue(/^field:\d+$/);
  await expect(page.getByTestId('mapping-select-4')).toHaveValue(/^field:\d+$/);
  await next(page);
  await page.getByTestId('group-none').check();
  await next(page);
  await expectSummary(page, { created: 0, updated: 1, rejected: 0 });
});

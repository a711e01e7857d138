import * as fs from 'fs';
import { addContact, expect, test, expectOnlyRow, fillContact, find, open, search, shot, uniquePerson } from './helpers';

test('add a contact and find it by name and by phone in another notation', async ({ page }) => {
  const p = uniquePerson('Ada');
  await addContact(page, { ...p, email: `${p.first.toLowerCase()}@Example.org` });
  await expect(find.row(page, `${p.first} ${p.last}`)).toBeVisible();
  await shot(page, 'contacts-list');

  await search(page, p.last);
  await expectOnlyRow(page, `${p.first} ${p.last}`);
  await expect(page).toHaveURL(new RegExp(`q=${p.last}`));

  await search(page, p.e164.replace('+447400', '+44 7400 '));
  await expectOnlyRow(page, `${p.first} ${p.last}`);
  await expect(find.rows(page).first()).toContainText(`${p.first.toLowerCase()}@example.org`);
  await shot(page, 'contacts-search');
});

test('an invalid contact is refused with messages next to the fields', async ({ page }) => {
  await open(page, '/contacts/new');
  await fillContact(page, { first: 'Nobody' });
  await page.getByTestId('contact-save').click();
  await expect(page.getByTestId('error-contact')).toHaveText('needs at least one valid phone or e-mail');

  await fillContact(page, { phone: '+44 7700 900123', email: 'not-an-email' });
  await expect(page.getByTestId('error-phone-0')).toHaveText('+44 7700 900123 is not a valid mobile or landline for GB');
  await expect(page.getByTestId('error-email-0')).toContainText('not-an-email is not a valid e-mail address');
  await expect(page.getByTestId('error-contact')).toHaveCount(0);
  await shot(page, 'contact-form-errors');
  await page.getByTestId('contact-save').click();
  await expect(page).toHaveURL(/\/contacts\/new$/);

  await open(page, '/contacts');
  await search(page, 'Nobody');
  await expect(page.getByTestId('contacts-empty')).toBeVisible();
});

test('a phone number already used is refused, naming its contact', async ({ page }) => {
  const owner = uniquePerson('Owner');
  await addContact(page, owner);
  await open(page, '/contacts/new');
  await fillContact(page, { first: 'Copy', last: 'Cat', phone: owner.e164 });
  await page.getByTestId('contact-save').click();
  await expect(page.getByTestId('error-phone-0')).toContainText(`already belongs to ${owner.first} ${owner.last}`);
  await shot(page, 'contact-form-taken');
  await page.getByTestId('open-owner').click();
  await expect(page.getByTestId('contact-first-name')).toHaveValue(owner.first);
});

test('create a group, add a contact to it, filter by it', async ({ page }) => {
  const group = `Team ${Date.now() % 100000}`;
  await open(page, '/contacts/groups');
  await page.getByTestId('group-name').fill(group);
  await page.getByTestId('group-create').click();
  await expect(page.getByTestId(`group-row-${group}`)).toBeVisible();

  const member = uniquePerson('Member');
  const outsider = uniquePerson('Outsider');
  await addContact(page, member, [group]);
  await addContact(page, outsider);
  await expect(find.row(page, member.last).locator('.badge')).toHaveText(group);

  await page.getByTestId(`filter-group-${group}`).click();
  await expectOnlyRow(page, `${member.first} ${member.last}`);
  await expect(page.getByTestId(`filter-group-${group}`)).toContainText('1');
  await shot(page, 'contacts-group-filter');

  await open(page, '/contacts/groups');
  await expect(page.getByTestId(`group-row-${group}`).getByTestId('group-count')).toHaveText('1');
  await shot(page, 'groups');
});

test('delete a contact after confirming', async ({ page }) => {
  const p = uniquePerson('Gone');
  await addContact(page, p);
  await search(page, p.last);
  await expectOnlyRow(page, p.last);
  await find.row(page, p.last).getByTestId('contact-delete').click();
  await expect(page.getByTestId('confirm-dialog')).toContainText(`Delete ${p.first} ${p.last}?`);
  await shot(page, 'contacts-delete-confirm');
  await page.getByTestId('confirm-cancel').click();
  await expectOnlyRow(page, p.last);

  await find.row(page, p.last).getByTestId('contact-delete').click();
  await page.getByTestId('confirm-ok').click();
  await expect(page.getByTestId('contacts-empty')).toBeVisible();
  await expect(page.getByTestId('notice')).toHaveText('Contact deleted.');
});

test('an edit goes back to the filtered list it came from and says it saved', async ({ page }) => {
  const p = uniquePerson('Edit');
  await addContact(page, p);
  await expect(page.getByTestId('notice')).toHaveText(`Added ${p.first} ${p.last}.`);
  await search(page, p.last);
  await expect(page).toHaveURL(new RegExp(`q=${p.last}`));
  const list = page.url();
  await find.row(page, p.last).getByTestId('contact-edit').click();
  await expect(page.getByTestId('contact-first-name')).toHaveValue(p.first);
  await fillContact(page, { company: 'Renamed Ltd' });
  await shot(page, 'contact-edit');
  await page.getByTestId('contact-save').click();
  // The same search, the saved contact in it, and a word that it worked.
  await expect(page).toHaveURL(list);
  await expect(page.getByTestId('contact-search')).toHaveValue(p.last);
  await expectOnlyRow(page, p.last);
  await expect(find.row(page, p.last)).toContainText('Renamed Ltd');
  await expect(page.getByTestId('notice')).toHaveText(`Saved ${p.first} ${p.last}.`);
  // Cancel goes back to the same list too.
  await find.row(page, p.last).getByTestId('contact-edit').click();
  await page.getByTestId('contact-cancel').click();
  await expect(page).toHaveURL(list);
});

test('a name with a control character is refused with a message', async ({ page }) => {
  const p = uniquePerson('Ctl');
  await open(page, '/contacts/new');
  await fillContact(page, { first: `${p.first}\u0007`, last: p.last, phone: p.phone });
  await page.getByTestId('contact-save').click();
  await expect(page.getByTestId('error-first-name')).toContainText('control character');
  await expect(page).toHaveURL(/\/contacts\/new/);
});

test('a landline is flagged as it is typed and in the list: it cannot receive SMS', async ({ page }) => {
  const p = uniquePerson('Line');
  const landline = `020 7${p.phone.slice(-6)}0`;
  await open(page, '/contacts/new');
  await fillContact(page, { first: p.first, last: p.last, phone: landline });
  await expect(page.getByTestId('line-phone-0')).toHaveText("landline: can't receive SMS");
  await page.getByTestId('contact-phone-0').fill(p.phone);
  await expect(page.getByTestId('line-phone-0')).toHaveText('mobile');
  await page.getByTestId('contact-phone-0').fill(landline);
  await shot(page, 'contact-form-landline');
  await page.getByTestId('contact-save').click();
  await expect(page).toHaveURL(/\/contacts\?sort=updated$/);
  await expect(find.row(page, p.last).getByTestId('line-type')).toHaveText("landline: can't receive SMS");
  await shot(page, 'contacts-landline');
});

for (const width of [800, 360]) {
  test(`the contacts list and the wizard fit a ${width} px window without scrolling sideways`, async ({ page }) => {
    await page.setViewportSize({ width, height: 800 });
    const p = uniquePerson('Narrow');
    await addContact(page, { ...p, email: `a.very.long.address.${p.last.toLowerCase()}@a-long-company-domain.example.org` });
    await open(page, '/contacts?sort=updated');
    await expect(find.row(page, p.last)).toBeVisible();
    const overflow = () => page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    expect(await overflow()).toBeLessThanOrEqual(0);
    await shot(page, `contacts-${width}px`);
    for (const path of ['/contacts/import', '/contacts/groups', '/contacts/new', '/settings']) {
      await open(page, path);
      expect(await overflow(), path).toBeLessThanOrEqual(0);
    }
    await shot(page, `settings-${width}px`);
  });
}

test('Messages: pick a group, see who can be texted and why not, download the numbers', async ({ page }) => {
  const group = `Msg ${Date.now() % 100000}`;
  await open(page, '/contacts/groups');
  await page.getByTestId('group-name').fill(group);
  await page.getByTestId('group-create').click();
  await expect(page.getByTestId(`group-row-${group}`)).toBeVisible();
  const mobile = uniquePerson('Mob');
  const land = uniquePerson('Land');
  const stop = uniquePerson('Stop');
  await addContact(page, mobile, [group]);
  await addContact(page, { first: land.first, last: land.last, phone: `020 7${land.phone.slice(-6)}1` }, [group]);
  await open(page, '/contacts/new');
  await fillContact(page, { first: stop.first, last: stop.last, phone: stop.phone });
  await page.getByTestId(`contact-group-${group}`).check();
  await page.getByTestId('contact-sms-status').selectOption('opted_out');
  await page.getByTestId('contact-save').click();
  await expect(page).toHaveURL(/\/contacts\?sort=updated$/);

  await open(page, '/messages');
  await expect(page.getByTestId('messages-note')).toContainText('not here');
  await page.getByTestId(`messages-group-${group}`).check();
  await expect(page.getByTestId('messages-selected')).toHaveText('3 contacts selected');
  await expect(page.getByTestId('messages-textable')).toHaveText('1');
  await expect(page.getByTestId('messages-excluded-opted_out')).toHaveText('1 left out: opted out');
  await expect(page.getByTestId('messages-excluded-landline_only')).toHaveText("1 left out: only numbers that can't receive SMS");
  await expect(page.getByTestId('messages-excluded-no_consent')).toHaveCount(0);
  // One contact more, one by one: already in the group, it counts once.
  await page.getByTestId('messages-search').fill(mobile.last);
  await page.getByTestId('messages-add').first().click();
  await expect(page.getByTestId('messages-chosen')).toContainText(mobile.first);
  await expect(page.getByTestId('messages-selected')).toHaveText('3 contacts selected');
  await shot(page, 'messages-recipients');
  const [download] = await Promise.all([
    page.waitForEvent('download'),
    page.getByTestId('messages-download-csv').click(),
  ]);
  expect(download.suggestedFilename()).toMatch(/^recipients-\d{4}-\d{2}-\d{2}\.csv$/);
  const text = fs.readFileSync(await download.path(), 'utf8');
  expect(text.replace(/^\uFEFF/, '').split('\r\n')).toEqual(['Name,Number', `${mobile.first} ${mobile.last},${mobile.e164}`, '']);

  await page.getByRole('link', { name: 'Go to Contacts' }).click();
  await expect(page).toHaveURL(/\/contacts$/);
  await open(page, '/contacts/import');
  await expect(page.getByTestId('import-stages')).toContainText('Mapping');
  await shot(page, 'import-frame');
});

test('overview: a populated contacts page (the README screenshot)', async ({ page, request }) => {
  const stamp = Date.now() % 100000;
  const group = async (name: string) => (await (await request.post('/api/groups/create', { data: { name } })).json()).id as number;
  const customers = await group(`Customers ${stamp}`);
  const suppliers = await group(`Suppliers ${stamp}`);
  const people: [string, string, string, string, string, number[]][] = [
    ['Grace', 'Hopper', 'Navy Labs', '07400 1', 'grace', [customers]],
    ['Alan', 'Turing', 'Bletchley Park', '07510 2', 'alan', [customers, suppliers]],
    ['Katherine', 'Johnson', 'NASA', '07123 3', 'katherine', []],
    ['Tim', 'Berners-Lee', 'CERN', '07801 4', 'tim', [suppliers]],
  ];
  for (const [first, last, company, prefix, mail, group_ids] of people) {
    const digits = String(stamp).padStart(5, '0');
    const res = await request.post('/api/contacts/create', {
      data: { contact: { first_name: first, last_name: last, company, group_ids,
        phones: [{ value: `${prefix}${digits}`, label: 'mobile' }],
        emails: [{ value: `${mail}.${digits}@example.org`, label: 'work' }] } },
    });
    expect(res.ok(), await res.text()).toBeTruthy();
  }
  await open(page, '/contacts?sort=updated');
  await expect(find.row(page, 'Tim Berners-Lee').first()).toBeVisible();
  await shot(page, 'contacts-page');
});

test('an opted-out contact is filtered, and re-subscribed only with a reason that its history keeps', async ({ page }) => {
  const p = uniquePerson('Stop');
  await open(page, '/contacts/new');
  await fillContact(page, { first: p.first, last: p.last, phone: p.phone });
  await page.getByTestId('contact-sms-status').selectOption('opted_out');
  await page.getByTestId('contact-save').click();
  await expect(page).toHaveURL(/\/contacts\?sort=updated$/);
  await expect(find.row(page, p.last).getByTestId('sms-status')).toHaveText('SMS: opted out');

  await page.getByTestId('contact-sms-filter').selectOption('textable');
  await expect(page).toHaveURL(/sms=textable/);
  await search(page, p.last);
  await expect(page.getByTestId('contacts-empty')).toBeVisible();
  await page.getByTestId('contact-sms-filter').selectOption('opted_out');
  await expectOnlyRow(page, `${p.first} ${p.last}`);

  await find.row(page, p.last).getByTestId('contact-edit').click();
  const panel = page.getByTestId('sms-panel');
  await expect(panel.getByTestId('sms-status')).toHaveText('SMS: opted out');
  await expect(panel.getByTestId('sms-since')).toContainText('Add Single Contact');
  await page.getByTestId('sms-status-select').selectOption('opted_in');
  await expect(page.getByTestId('sms-save')).toHaveText('Re-subscribe');
  await page.getByTestId('sms-save').click();
  await expect(page.getByTestId('sms-error')).toContainText('Say why they may be texted again');
  await expect(panel.getByTestId('sms-status')).toHaveText('SMS: opted out');
  await page.getByTestId('sms-reason').fill('asked to re-subscribe by e-mail');
  await page.getByTestId('sms-save').click();
  await expect(panel.getByTestId('sms-status')).toHaveText('SMS: opted in');
  await panel.locator('summary').click();
  await expect(page.getByTestId('sms-history-item')).toHaveCount(2);
  await expect(page.getByTestId('sms-history-item').first()).toContainText('Opted out → Opted in');
  await expect(page.getByTestId('sms-history-item').first()).toContainText('Reason: asked to re-subscribe by e-mail');
  await shot(page, 'contact-sms-history');
});

test('the browser (WASM) gives every number of the line-type table the type the server (native) gives', async ({ page }) => {
  const table = fs.readFileSync('../app/tests/fixtures/line_types.csv', 'utf8')
    .trim().split('\n').slice(1).map((l) => l.split(','));
  expect(table.length).toBeGreaterThanOrEqual(28);
  await open(page, '/contacts/new');
  for (const [, , e164, lineType] of table) {
    await page.getByTestId('contact-phone-0').fill(e164);
    await expect(page.getByTestId('line-phone-0').getByTestId('line-type'), e164).toHaveAttribute('data-line', lineType);
  }
});

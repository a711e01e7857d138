import { expect, open, shot, test } from './helpers';
import { chooseNewGroup, expectSummary, next, openWizard, tag, upload } from './import-helpers';

test('an import that loses its connection mid-way resumes without duplicates or losses', async ({ page }) => {
  test.setTimeout(120_000);
  const t = tag();
  const chunk = 4_000; // CHUNK_ROWS in app/src/import/wire.rs
  const rows = chunk * 2 + chunk / 2; // three chunks
  const lines = ['Name,Email'];
  for (let i = 0; i < rows; i++) lines.push(`P${i} ${t},p${i}.${t}@example.com`);
  await openWizard(page);
  await upload(page, `big-${t}.csv`, Buffer.from(lines.join('\n')), 'text/csv');
  await next(page);
  await expect(page.getByTestId('mapping-will-import')).toHaveText(rows.toLocaleString('en-US'));
  await next(page);
  await chooseNewGroup(page, `Resumed ${t}`);

  // Two chunks go at once. Chunk 0 goes through. Chunk 1 reaches the server
  // but its answer is lost; then the server is unreachable until the user
  // resumes. Chunk 2 starts when chunk 0 is done, so it may still get
  // through before the server goes down.
  let down = false;
  await page.route('**/api/imports/chunk', async (route) => {
    const no = JSON.parse(route.request().postData() ?? '{}').chunk?.chunk_no;
    if (no === 1 && !down) {
      await route.fetch();
      down = true;
      return route.abort('connectionreset');
    }
    if (down) return route.abort('connectionrefused');
    return route.continue();
  });
  await next(page);
  await expect(page.getByTestId('import-resume')).toBeVisible({ timeout: 60_000 });
  const message = (await page.getByTestId('import-run-error').textContent()) ?? '';
  const sent = /([\d,]+) of ([\d,]+) rows/.exec(message);
  expect(sent?.[2]).toBe(rows.toLocaleString('en-US'));
  const done = Number(sent?.[1].replaceAll(',', ''));
  // Chunk 0 alone, or with chunk 2 (the last, half-size one).
  expect([chunk, chunk + (rows - 2 * chunk)]).toContain(done);
  await expect(page.getByTestId('import-progress')).toHaveAttribute('value', String(done));

  // Closing the tab now asks first (the unsent rows live only in the page).
  const asked = new Promise<string>((resolve) => {
    page.once('dialog', async (d) => {
      resolve(d.type());
      await d.dismiss();
    });
  });
  await page.close({ runBeforeUnload: true });
  expect(await asked).toBe('beforeunload');
  expect(page.isClosed()).toBe(false);

  down = false;
  await page.unroute('**/api/imports/chunk');
  await page.getByTestId('import-resume').click();
  await expectSummary(page, { created: rows, updated: 0, rejected: 0 });

  // Exactly these contacts, each once.
  await open(page, '/contacts');
  await page.getByTestId(`filter-group-Resumed ${t}`).click();
  await expect(page.getByTestId('pager-info')).toContainText(`of ${rows.toLocaleString('en-US')}`);
  await page.getByTestId('contact-search').fill(`p1500.${t}@example.com`);
  await expect(page.getByTestId('contact-row')).toHaveCount(1);
});

test('after a reload, choosing the same file again offers to resume the unfinished import, which ends exactly', async ({ page }) => {
  test.setTimeout(120_000);
  const t = tag();
  const chunk = 4_000; // CHUNK_ROWS in app/src/import/wire.rs
  const rows = chunk * 2 + chunk / 2;
  const lines = ['Name,Email'];
  for (let i = 0; i < rows; i++) lines.push(`Q${i} ${t},q${i}.${t}@example.com`);
  const file = Buffer.from(lines.join('\n'));
  await openWizard(page);
  await upload(page, `again-${t}.csv`, file, 'text/csv');
  await next(page);
  await next(page);
  await chooseNewGroup(page, `Reloaded ${t}`);
  // Chunk 0 goes through; then the server is unreachable.
  await page.route('**/api/imports/chunk', async (route) => {
    const no = JSON.parse(route.request().postData() ?? '{}').chunk?.chunk_no;
    return no === 0 ? route.continue() : route.abort('connectionrefused');
  });
  await next(page);
  await expect(page.getByTestId('import-resume')).toBeVisible({ timeout: 60_000 });
  await page.unroute('**/api/imports/chunk');

  // The tab reloads (the user says yes to leaving): the rows are gone from the page.
  page.on('dialog', (d) => d.accept());
  await page.reload();
  await expect(page.locator('[data-hydrated="true"]')).toBeVisible();
  await expect(page.getByTestId('import-resume-offer')).toHaveCount(0);
  await upload(page, `again-${t}.csv`, file, 'text/csv');
  await expect(page.getByTestId('import-resume-offer')).toContainText(`again-${t}.csv`);
  await expect(page.getByTestId('import-resume-offer')).toContainText(`${chunk.toLocaleString('en-US')} contacts had been saved`);
  await shot(page, 'import-resume-offer');
  await page.getByTestId('import-resume-unfinished').click();
  await expectSummary(page, { created: rows, updated: 0, rejected: 0 });

  await open(page, '/contacts');
  await page.getByTestId(`filter-group-Reloaded ${t}`).click();
  await expect(page.getByTestId('pager-info')).toContainText(`of ${rows.toLocaleString('en-US')}`);
  // Chosen once more, the file is not offered again: that import is done.
  await openWizard(page);
  await upload(page, `again-${t}.csv`, file, 'text/csv');
  await expect(page.getByTestId('import-source')).toBeVisible();
  await expect(page.getByTestId('import-resume-offer')).toHaveCount(0);
});

import { expect, open, test } from './helpers';
import { chooseNewGroup, expectSummary, next, openWizard, tag, upload } from './import-helpers';

test('an import that loses its connection mid-way resumes without duplicates or losses', async ({ page }) => {
  test.setTimeout(120_000);
  const t = tag();
  const rows = 2_500; // three chunks
  const lines = ['Name,Email'];
  for (let i = 0; i < rows; i++) lines.push(`P${i} ${t},p${i}.${t}@example.com`);
  await openWizard(page);
  await upload(page, `big-${t}.csv`, Buffer.from(lines.join('\n')), 'text/csv');
  await next(page);
  await expect(page.getByTestId('mapping-will-import')).toHaveText('2,500');
  await next(page);
  await chooseNewGroup(page, `Resumed ${t}`);

  // Chunk 0 goes through. Chunk 1 reaches the server but its answer is
  // lost; then the server is unreachable until the user resumes.
  let calls = 0;
  let down = false;
  await page.route('**/api/imports/chunk', async (route) => {
    calls += 1;
    if (calls === 1) return route.continue();
    if (calls === 2) {
      await route.fetch();
      down = true;
      return route.abort('connectionreset');
    }
    if (down) return route.abort('connectionrefused');
    return route.continue();
  });
  await next(page);
  await expect(page.getByTestId('import-resume')).toBeVisible({ timeout: 30_000 });
  await expect(page.getByTestId('import-run-error')).toContainText('1,000 of 2,500 rows');
  await expect(page.getByTestId('import-progress')).toHaveAttribute('value', '1000');

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
  await expectSummary(page, { created: 2_500, updated: 0, rejected: 0 });

  // Exactly the 2,500 contacts, each once.
  await open(page, '/contacts');
  await page.getByTestId(`filter-group-Resumed ${t}`).click();
  await expect(page.getByTestId('pager-info')).toContainText('of 2500');
  await page.getByTestId('contact-search').fill(`p1500.${t}@example.com`);
  await expect(page.getByTestId('contact-row')).toHaveCount(1);
});

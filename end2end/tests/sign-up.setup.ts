// Runs first, on the fresh database: the first run sends every page to the
// sign-up, which creates the account all the other tests use.
import { expect, shot, test } from './helpers';
import { OWNER, SESSION_FILE } from './account';

test('the first run signs up the first account', async ({ page }) => {
  await page.goto('/contacts');
  await expect(page).toHaveURL(/\/signup$/);
  await expect(page.locator('[data-hydrated="true"]')).toBeVisible();
  await expect(page.getByTestId('first-run')).toBeVisible();
  await page.getByTestId('signup-account').fill(OWNER.account);
  await page.getByTestId('signup-email').fill(OWNER.email);
  await page.getByTestId('signup-password').fill('too short');
  await page.getByTestId('signup-submit').click();
  await expect(page.getByTestId('auth-error')).toContainText('at least 10 characters');
  await page.getByTestId('signup-password').fill(OWNER.password);
  // Proposed from the browser's language (en-GB).
  await expect(page.getByTestId('signup-country')).toHaveValue('GB');
  await shot(page, 'signup');
  await page.getByTestId('signup-submit').click();
  await expect(page).toHaveURL(/\/contacts$/);
  await expect(page.getByTestId('toolbar-account')).toHaveText(OWNER.account);
  await page.context().storageState({ path: SESSION_FILE });
});

// Find / act / check helpers for the import wizard.
import { Page } from '@playwright/test';
import * as XLSX from 'xlsx';
import { expect, open } from './helpers';

/** A workbook with one sheet holding `rows` (arrays of cells), as bytes. */
export function xlsxBytes(rows: (string | number)[][], sheet = 'Contacts'): Buffer {
  const wb = XLSX.utils.book_new();
  XLSX.utils.book_append_sheet(wb, XLSX.utils.aoa_to_sheet(rows), sheet);
  return XLSX.write(wb, { type: 'buffer', bookType: 'xlsx' }) as Buffer;
}

/** A run-unique tag so tests never collide in the shared database. */
export function tag(): string {
  return `${Date.now().toString(36)}${Math.floor(Math.random() * 1e4).toString(36)}`;
}

/** A valid GB mobile ending in `n` (six digits). */
export function mobile(n: number): string {
  return `07400 ${String(n % 1_000_000).padStart(6, '0')}`;
}

// ---- act
export async function openWizard(page: Page) {
  await open(page, '/contacts/import');
  await expect(page.getByTestId('import-paste-input')).toBeVisible();
}

export async function paste(page: Page, text: string) {
  await page.getByTestId('import-paste-tab').click();
  await page.getByTestId('import-paste-input').fill(text);
  await expect(page.getByTestId('import-source')).toBeVisible();
}

export async function upload(page: Page, name: string, buffer: Buffer, mimeType = 'application/octet-stream') {
  await page.getByTestId('import-file-tab').click();
  await page.getByTestId('import-file-input').setInputFiles({ name, mimeType, buffer });
}

export async function next(page: Page) {
  await page.getByTestId('import-continue').click();
}

export async function chooseNewGroup(page: Page, name: string) {
  await page.getByTestId('group-new').check();
  await page.getByTestId('group-new-name').fill(name);
}

// ---- check
export async function expectStage(page: Page, stage: 'Input' | 'Mapping' | 'Group' | 'Summary') {
  await expect(page.locator(`[data-stage="${stage}"]`)).toHaveClass(/stages__item--active/);
}

export async function expectSummary(page: Page, c: { created: number; updated: number; rejected: number }) {
  const n = (v: number) => v.toLocaleString('en-US');
  await expect(page.getByTestId('summary-created')).toHaveText(n(c.created), { timeout: 30_000 });
  await expect(page.getByTestId('summary-updated')).toHaveText(n(c.updated));
  await expect(page.getByTestId('summary-rejected')).toHaveText(n(c.rejected));
}

export async function expectMapping(page: Page, fields: string[]) {
  for (const [i, f] of fields.entries()) {
    await expect(page.getByTestId(`mapping-select-${i}`)).toHaveValue(f);
  }
}

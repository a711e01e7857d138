import { defineConfig } from '@playwright/test';
import { chromium } from './chromium';

// `make screenshots`: the README's pictures, taken from the release build
// serving a fresh database filled with the demo data set (demo/demo-data.ts)
// through the real sign-up and import wizard. Not part of `make test`, which
// writes its own screenshots to the ignored test-results/ folder.
const port = Number(process.env.SHOTS_PORT ?? 3120);
const db = '/tmp/contacts-screenshots.db';

export default defineConfig({
  testDir: './demo',
  timeout: 120_000,
  expect: { timeout: 30_000 },
  workers: 1,
  retries: 0,
  reporter: [['list']],
  use: {
    baseURL: `http://127.0.0.1:${port}`,
    viewport: { width: 1280, height: 800 },
    locale: 'en-GB',
    deviceScaleFactor: 1,
    launchOptions: chromium(),
    trace: 'off',
  },
  webServer: {
    command: `rm -f ${db}*; ${process.env.CONTACTS_BIN ?? './target/release/contacts'} serve --addr 127.0.0.1:${port} 2>> /tmp/contacts-screenshots.log`,
    cwd: '..',
    url: `http://127.0.0.1:${port}/contacts`,
    reuseExistingServer: false,
    timeout: 60_000,
    env: { DATABASE_URL: `sqlite://${db}?mode=rwc`, LEPTOS_SITE_ROOT: 'target/site', RUST_LOG: 'warn' },
  },
});

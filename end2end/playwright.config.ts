import { defineConfig } from '@playwright/test';
import { chromium } from './chromium';
import { SESSION_FILE } from './tests/account';


const port = Number(process.env.E2E_PORT ?? 3100);
// The server's log: `make e2e` fails when it shows a panic.
const serverLog = process.env.E2E_SERVER_LOG ?? '/tmp/contacts-e2e-server.log';
const databaseUrl = process.env.E2E_DATABASE_URL ?? `sqlite:///tmp/contacts-e2e-${process.pid}.db?mode=rwc`;

export default defineConfig({
  testDir: './tests',
  timeout: 30_000,
  expect: { timeout: 10_000 },
  fullyParallel: false,
  workers: 1,
  retries: 0,
  reporter: [['list']],
  use: {
    baseURL: `http://127.0.0.1:${port}`,
    viewport: { width: 1280, height: 800 },
    // A UK business: sign-up proposes the United Kingdom from it.
    locale: 'en-GB',
    launchOptions: chromium(),
    trace: 'off',
  },
  // The first test signs up (the first run of a fresh database) and keeps
  // the session for every other test; auth.spec.ts starts logged out.
  projects: [
    { name: 'setup', testMatch: /sign-up\.setup\.ts/ },
    { name: 'app', dependencies: ['setup'], use: { storageState: SESSION_FILE } },
  ],
  webServer: {
    // The binary built by `cargo leptos build`, serving a fresh database.
    command: `${process.env.CONTACTS_BIN ?? './target/debug/contacts'} serve --addr 127.0.0.1:${port} 2>> ${serverLog}`,
    cwd: '..',
    url: `http://127.0.0.1:${port}/contacts`,
    reuseExistingServer: false,
    timeout: 60_000,
    env: { DATABASE_URL: databaseUrl, LEPTOS_SITE_ROOT: 'target/site', RUST_LOG: 'warn' },
  },
});

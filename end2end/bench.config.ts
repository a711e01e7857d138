import { defineConfig } from '@playwright/test';
import { chromium } from './chromium';

// The browser benchmark (`make bench-browser`): not part of `make test`
// except for a small smoke run (BENCH_ROWS=2000, see the Makefile). Two
// release servers, one on SQLite and one on PostgreSQL, for the end-to-end
// import; the readers run in pages of the first.

const bin = process.env.CONTACTS_BIN ?? './target/release/contacts';
const log = process.env.BENCH_SERVER_LOG ?? '/tmp/contacts-bench-server.log';
const pg = process.env.BENCH_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
export const SQLITE_PORT = 3110;
export const POSTGRES_PORT = 3111;

const env = { LEPTOS_SITE_ROOT: 'target/site', RUST_LOG: 'warn' };

export default defineConfig({
  testDir: './bench',
  timeout: 30 * 60_000,
  expect: { timeout: 120_000 },
  workers: 1,
  retries: 0,
  reporter: [['list']],
  use: {
    viewport: { width: 1280, height: 800 },
    locale: 'en-GB',
    // performance.memory without its coarse bucketing, and gc() between runs.
    launchOptions: chromium(['--enable-precise-memory-info', '--js-flags=--expose-gc']),
    trace: 'off',
  },
  webServer: [
    {
      command: `rm -f /tmp/contacts-bench.db*; ${bin} serve --addr 127.0.0.1:${SQLITE_PORT} 2>> ${log}`,
      cwd: '..',
      url: `http://127.0.0.1:${SQLITE_PORT}/contacts`,
      reuseExistingServer: false,
      timeout: 60_000,
      env: { ...env, DATABASE_URL: 'sqlite:///tmp/contacts-bench.db?mode=rwc' },
    },
    {
      // A fresh schema each run.
      command:
        `psql "${pg}" -q -c "DROP SCHEMA IF EXISTS contacts_bench CASCADE" -c "CREATE SCHEMA contacts_bench" ` +
        `&& ${bin} serve --addr 127.0.0.1:${POSTGRES_PORT} 2>> ${log}`,
      cwd: '..',
      url: `http://127.0.0.1:${POSTGRES_PORT}/contacts`,
      reuseExistingServer: false,
      timeout: 60_000,
      env: { ...env, DATABASE_URL: `${pg}?options=-c%20search_path%3Dcontacts_bench` },
    },
  ],
});

// The browser benchmark (`make bench-browser`; results in BENCHMARKS.md).
//
// Generates a BENCH_ROWS-row (default 100,000) × 8-column contacts file as
// xlsx and csv, then measures in headless Chromium, each run in a fresh page
// of the app:
//   1. readers on the same bytes: ours compiled to WASM (the reading
//      worker's bundle, loaded into the page; read + header +
//      auto-mapping; then the whole of stages 1→2, validation included),
//      SheetJS (`read` + `sheet_to_json`) and PapaParse, plus the native
//      build of ours and bare calamine / the csv crate (app/examples/read_time.rs);
//   2. the wizard itself: pick the file → input stage shows the rows →
//      Continue → mapping preview complete, with the page's long tasks and
//      the peak memory of the tab (its renderer process, Web Worker
//      included, read from /proc);
//   3. the end-to-end import, Continue → summary, on SQLite and PostgreSQL.
// BENCH_WIZARD picks the wizard runs (default
// xlsx_sqlite,csv_sqlite,csv_postgres; xlsx_sqlite_import and
// xlsx_postgres_import import the xlsx).
// Prints a table of times, memory and ratios and writes it as JSON to
// target/bench-browser.json. No timed assertions: only the counts are checked.
import { test, expect, Page, Browser, BrowserContext } from '@playwright/test';
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import * as XLSX from 'xlsx';
import { SQLITE_PORT, POSTGRES_PORT } from '../bench.config';

const ROWS = Number(process.env.BENCH_ROWS ?? 100_000);
const RUNS = Number(process.env.BENCH_RUNS ?? 3);
// Rows of the small files SheetJS and PapaParse warm up on (ours warms up on its own).
const WARM_ROWS = 3_000;
// BENCH_PARTS=wizard skips the readers (to time the import alone), =readers the wizard;
// load is the first load of the contacts page.
const PARTS = (process.env.BENCH_PARTS ?? 'load,readers,wizard').split(',');
const ROOT = path.resolve(__dirname, '../..');
const DIR = `/tmp/contacts-bench-files-deflated`;
const HEADERS = ['First name', 'Last name', 'Mobile', 'E-mail', 'Company', 'Group', 'City', 'Notes'];

function row(i: number): string[] {
  return [
    `First${i}`,
    `Last${i % 977}`,
    `07${400 + Math.floor(i / 1_000_000)} ${String(i % 1_000_000).padStart(6, '0')}`, // distinct valid GB mobiles
    `person${i}@example.com`,
    `Company ${i % 113}`,
    ['Friends', 'Work', 'Family', ''][i % 4],
    'London',
    'Met at the conference',
  ];
}

/** The bench files of `n` rows, generated once per size and kept in /tmp. */
function files(n = ROWS): { csv: string; xlsx: string } {
  fs.mkdirSync(DIR, { recursive: true });
  const csv = path.join(DIR, `contacts-${n}.csv`);
  const xlsx = path.join(DIR, `contacts-${n}.xlsx`);
  if (!fs.existsSync(csv) || !fs.existsSync(xlsx)) {
    const rows = [HEADERS];
    for (let i = 0; i < n; i++) rows.push(row(i));
    fs.writeFileSync(csv, rows.map((r) => r.join(',')).join('\n') + '\n');
    const wb = XLSX.utils.book_new();
    XLSX.utils.book_append_sheet(wb, XLSX.utils.aoa_to_sheet(rows), 'Contacts');
    // Deflated, as Excel saves it.
    fs.writeFileSync(xlsx, XLSX.write(wb, { type: 'buffer', bookType: 'xlsx', compression: true }) as Buffer);
  }
  return { csv, xlsx };
}

type Reader = 'ours-read' | 'ours-stages' | 'sheetjs' | 'papaparse';
interface Run { ms: number; memMiB: number; rows: number; peakRssMiB: number }

// The two servers under two host names: cookies do not tell ports apart,
// and each server has its own session.
const base = (port: number) => `http://${port === POSTGRES_PORT ? 'localhost' : '127.0.0.1'}:${port}`;

/** Signs the context up on the server at `port` (or logs in, on a second run). */
async function signIn(context: BrowserContext, port: number) {
  const form = { account_name: 'Bench', email: 'bench@example.com', password: 'bench password 1' };
  const up = await context.request.post(`${base(port)}/api/auth/signup`, { data: { form } });
  if (up.status() === 409) {
    const login = await context.request.post(`${base(port)}/api/auth/login`, { data: { form: { email: form.email, password: form.password } } });
    expect(login.status()).toBe(200);
  } else {
    expect(up.status(), await up.text()).toBe(200);
  }
}

/** A fresh page of the app, hydrated, with the bench files served at /bench-file/NAME. */
async function freshPage(context: BrowserContext, port = SQLITE_PORT): Promise<Page> {
  const page = await context.newPage();
  await page.route('**/bench-file/*', (route) =>
    route.fulfill({ body: fs.readFileSync(path.join(DIR, path.basename(new URL(route.request().url()).pathname))) }),
  );
  await page.goto(`${base(port)}/contacts/import`);
  await expect(page.locator('[data-hydrated="true"]')).toBeVisible();
  return page;
}

async function runReader(context: BrowserContext, reader: Reader, file: string, warmJs: boolean): Promise<Run> {
  const page = await freshPage(context);
  if (reader === 'sheetjs') await page.addScriptTag({ path: require.resolve('xlsx/dist/xlsx.full.min.js') });
  if (reader === 'papaparse') await page.addScriptTag({ path: require.resolve('papaparse/papaparse.min.js') });
  const name = path.basename(file);
  const warm = path.basename(file).replace(`-${ROWS}.`, `-${WARM_ROWS}.`);
  await page.evaluate(
    async ({ reader, name, warm, warmJs }) => {
      const w = window as any;
      const fetched = async (n: string) => new Uint8Array(await (await fetch(`/bench-file/${n}`)).arrayBuffer());
      const bytes = await fetched(name);
      const sheetjs = (b: Uint8Array) => {
        const wb = w.XLSX.read(b, { type: 'array', dense: true });
        return w.XLSX.utils.sheet_to_json(wb.Sheets[wb.SheetNames[0]], { header: 1, raw: false });
      };
      const papaparse = (b: Uint8Array) => w.Papa.parse(new TextDecoder().decode(b), { skipEmptyLines: true }).data;
      // The reading worker's bundle, loaded into the page for the comparison.
      const m: any = await import('/reader/reader.js' as string);
      const wasm = await m.default({ module_or_path: '/reader/reader_bg.wasm' });
      // Ours warms up as the worker does when it starts (two reads of a
      // small file of each kind: a csv it makes, the server's workbook). SheetJS and PapaParse run both cold and
      // after reading a small file of the bench's shape twice (`warmJs`):
      // `best` keeps whichever is faster (warming made PapaParse slower).
      if (reader.startsWith('ours')) m.reader_warm(new Uint8Array(await (await fetch('/import/warm-up.xlsx')).arrayBuffer()));
      else if (warmJs) {
        const small = await fetched(warm);
        for (let i = 0; i < 2; i++) (reader === 'sheetjs' ? sheetjs : papaparse)(small);
      }
      w.bench = { bytes, m, wasm, sheetjs, papaparse };
    },
    { reader, name, warm, warmJs },
  );
  // The tab's resident memory, sampled from /proc while the read runs: the
  // peak it needed, measured the same way for every reader (the heap and
  // WASM figures below compare our peak with what the others keep).
  const renderers = rendererPids();
  const rss0 = rssMiB(renderers);
  let peak = rss0;
  const sampler = setInterval(() => (peak = Math.max(peak, rssMiB(renderers))), 5);
  const run = await page.evaluate(
    async ({ reader, name }) => {
      const w = window as any;
      const { bytes, m, wasm, sheetjs, papaparse } = w.bench;
      w.bench = undefined;
      w.gc();
      const heap0 = (performance as any).memory.usedJSHeapSize;
      const wasm0 = wasm.memory.buffer.byteLength;
      const t0 = performance.now();
      let rows = 0;
      if (reader === 'ours-read') rows = m.bench_stages(bytes, name, false)[0];
      else if (reader === 'ours-stages') rows = m.bench_stages(bytes, name, true)[1];
      else {
        w.kept = (reader === 'sheetjs' ? sheetjs : papaparse)(bytes);
        rows = w.kept.length;
      }
      const ms = performance.now() - t0;
      // What the page holds afterwards (the result kept alive), after a GC;
      // WASM memory never shrinks, so for ours it is the peak.
      w.gc();
      const grown = (performance as any).memory.usedJSHeapSize - heap0 + (wasm.memory.buffer.byteLength - wasm0);
      return { ms, memMiB: grown / 2 ** 20, rows };
    },
    { reader, name },
  );
  clearInterval(sampler);
  peak = Math.max(peak, rssMiB(renderers));
  await page.close();
  return { ...run, peakRssMiB: peak - rss0 };
}

async function best(context: BrowserContext, reader: Reader, file: string): Promise<Run> {
  const runs: Run[] = [];
  for (const warmJs of reader.startsWith('ours') ? [false] : [false, true])
    for (let i = 0; i < RUNS; i++) runs.push(await runReader(context, reader, file, warmJs));
  return {
    ms: Math.min(...runs.map((r) => r.ms)),
    memMiB: Math.min(...runs.map((r) => r.memMiB)),
    peakRssMiB: Math.min(...runs.map((r) => r.peakRssMiB)),
    rows: runs[0].rows,
  };
}

/** Records clicks on Continue, long tasks and the time a condition first holds. */
async function instrument(page: Page) {
  await page.evaluate(() => {
    const w = window as any;
    w.benchClicks = [];
    w.benchChange = 0;
    w.benchLong = [];
    // Room for every chunk request of a 1,000,000-row import (the default keeps 250).
    performance.setResourceTimingBufferSize(100_000);
    document.addEventListener('click', (e) => {
      if ((e.target as Element).closest?.('[data-testid="import-continue"]')) w.benchClicks.push(performance.now());
    }, true);
    document.addEventListener('change', () => (w.benchChange = performance.now()), true);
    new PerformanceObserver((list) => {
      for (const e of list.getEntries()) w.benchLong.push(e.duration);
    }).observe({ type: 'longtask' });
  });
}

/**
 * performance.now() at the first animation frame where `testid` reads
 * `text` (thousands separators aside: the summary writes 100000, the
 * stages 100,000).
 */
async function whenText(page: Page, testid: string, text: string): Promise<number> {
  const handle = await page.waitForFunction(
    ({ testid, text }) => {
      const el = document.querySelector(`[data-testid="${testid}"]`);
      const plain = (s: string) => s.replace(/,/g, '');
      return el && plain(el.textContent ?? '').includes(plain(text)) ? performance.now() : null;
    },
    { testid, text },
    { polling: 'raf', timeout: 600_000 },
  );
  return (await handle.jsonValue()) as number;
}

const count = (n: number) => n.toLocaleString('en-US');

/** Chromium's renderer processes (the open page's, and any spare one). */
function rendererPids(): string[] {
  return fs.readdirSync('/proc').filter((pid) => {
    try {
      return /^\d+$/.test(pid) && fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('--type=renderer');
    } catch {
      return false;
    }
  });
}

/** Resident memory (MiB) of `pids` together. */
function rssMiB(pids: string[]): number {
  let kib = 0;
  for (const pid of pids) {
    try {
      kib += Number(/VmRSS:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0);
    } catch {
      // The process ended meanwhile.
    }
  }
  return kib / 1024;
}

/** Resident memory (MiB) of the biggest Chromium renderer process: the tab. */
function tabRssMiB(): number {
  let most = 0;
  for (const pid of fs.readdirSync('/proc').filter((d) => /^\d+$/.test(d))) {
    try {
      const cmd = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8');
      if (!cmd.includes('--type=renderer')) continue;
      const rss = /VmRSS:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
      if (rss) most = Math.max(most, Number(rss[1]) / 1024);
    } catch {
      // The process ended meanwhile.
    }
  }
  return most;
}

interface WizardRun {
  readMs: number;
  validateMs: number;
  pickToPreviewMs: number;
  importMs?: number;
  longestTaskMs: number;
  longTasks: number;
  peakTabMiB: number;
  /** Where the import's time goes (resource timing of its requests). */
  timeline?: ImportTimeline;
  /** WASM memory of the page and of the reading worker once the preview is in. */
  pageWasmMiB: number;
  workerWasmMiB: number;
}

interface ImportTimeline {
  /** Continue → the start request sent. */
  toStartMs: number;
  chunks: number;
  /** Each chunk request, sent → answered (the server's work plus loopback), summed. */
  chunkMsSum: number;
  chunkMsMax: number;
  /** First chunk sent → last chunk answered. */
  chunksWallMs: number;
  /** Last chunk answered → the summary shows (finish, error file, history). */
  afterChunksMs: number;
}

/** The size of the WASM memory of `module`, already loaded in `target` (page or worker). */
async function wasmMiB(target: { evaluate: Page['evaluate'] } | undefined, module: string): Promise<number> {
  if (!target) return 0;
  return target.evaluate(async (module) => {
    const m: any = await import(module);
    return (await m.default()).memory.buffer.byteLength / 2 ** 20;
  }, module);
}

/** The wizard on `file`: pick → mapping preview → (with `store`) group → summary. */
async function wizard(context: BrowserContext, file: string, port: number, store: boolean): Promise<WizardRun> {
  const page = await freshPage(context, port);
  await instrument(page);
  let peak = tabRssMiB();
  const sampler = setInterval(() => (peak = Math.max(peak, tabRssMiB())), 200);
  await page.getByTestId('import-file-tab').click();
  await page.getByTestId('import-file-input').setInputFiles(file);
  const read = await whenText(page, 'import-row-count', `${count(ROWS)} rows`);
  await page.getByTestId('import-continue').click();
  const validated = await whenText(page, 'mapping-will-import', count(ROWS));
  const pageWasm = await wasmMiB(page, '/pkg/contacts.js');
  const workerWasm = await wasmMiB(
    page.workers().find((w) => w.url().endsWith('/reader-worker.js')),
    '/reader/reader.js',
  );
  let done = 0;
  if (store) {
    await page.getByTestId('import-continue').click();
    if (await page.getByTestId('group-none').isVisible()) {
      await page.getByTestId('group-none').check();
      await page.getByTestId('import-continue').click();
    }
    done = await whenText(page, 'summary-created', count(ROWS));
  }
  clearInterval(sampler);
  const t = await page.evaluate(() => {
    const w = window as any;
    const api = performance
      .getEntriesByType('resource')
      .filter((e) => e.name.includes('/api/imports/'))
      .map((e) => ({ name: e.name, start: e.startTime, end: (e as PerformanceResourceTiming).responseEnd }));
    return { change: w.benchChange, clicks: w.benchClicks as number[], long: w.benchLong as number[], api };
  });
  let timeline: ImportTimeline | undefined;
  if (store) {
    const last = t.clicks[t.clicks.length - 1];
    const chunks = t.api.filter((e) => e.name.includes('/imports/chunk'));
    const start = t.api.find((e) => e.name.includes('/imports/start'));
    const ms = chunks.map((c) => c.end - c.start);
    timeline = {
      toStartMs: start ? start.start - last : NaN,
      chunks: chunks.length,
      chunkMsSum: ms.reduce((a, b) => a + b, 0),
      chunkMsMax: Math.max(0, ...ms),
      chunksWallMs: chunks.length ? Math.max(...chunks.map((c) => c.end)) - Math.min(...chunks.map((c) => c.start)) : 0,
      afterChunksMs: chunks.length ? done - Math.max(...chunks.map((c) => c.end)) : 0,
    };
  }
  await page.close();
  return {
    readMs: read - t.change,
    validateMs: validated - t.clicks[0],
    pickToPreviewMs: validated - t.change,
    importMs: store ? done - t.clicks[t.clicks.length - 1] : undefined,
    timeline,
    longestTaskMs: Math.max(0, ...t.long),
    longTasks: t.long.length,
    peakTabMiB: peak,
    pageWasmMiB: pageWasm,
    workerWasmMiB: workerWasm,
  };
}

/**
 * A cold first load of the contacts page in a fresh context (empty cache):
 * navigation start → hydrated (interactive), and the page's WASM as sent.
 */
async function firstLoad(browser: Browser): Promise<{ ms: number; wasmBytes: number }> {
  const context = await browser.newContext();
  await signIn(context, SQLITE_PORT);
  const page = await context.newPage();
  await page.goto(`${base(SQLITE_PORT)}/contacts`);
  const at = await page.waitForFunction(
    () => (document.querySelector('[data-hydrated="true"]') ? performance.now() : null),
    null,
    { polling: 'raf' },
  );
  const ms = (await at.jsonValue()) as number;
  const wasmBytes = await page.evaluate(() =>
    performance
      .getEntriesByType('resource')
      .filter((e) => e.name.endsWith('.wasm'))
      .reduce((n, e) => n + (e as PerformanceResourceTiming).encodedBodySize, 0),
  );
  await context.close();
  return { ms, wasmBytes };
}

test('import benchmark', async ({ browser }) => {
  const { csv, xlsx } = files();
  files(WARM_ROWS);
  // SheetJS and PapaParse are put into the app's page as inline scripts,
  // which its Content-Security-Policy refuses: the bench lets them in.
  const context = await browser.newContext({ bypassCSP: true });
  await signIn(context, SQLITE_PORT);
  await signIn(context, POSTGRES_PORT);
  const native = (file: string) =>
    JSON.parse(
      execFileSync(path.resolve(ROOT, process.env.READ_TIME_BIN ?? 'target/release/examples/read_time'), [file], {
        env: { ...process.env, RUNS: String(RUNS) },
      }).toString(),
    );

  const out: Record<string, any> = { rows: ROWS, runs: RUNS, date: new Date().toISOString() };
  if (PARTS.includes('load')) {
    const loads = [];
    for (let i = 0; i < RUNS; i++) loads.push(await firstLoad(browser));
    out.load = { ms: Math.min(...loads.map((l) => l.ms)), wasmBytes: loads[0].wasmBytes };
    // The bundles as built (gzip -9): the page's, the reading worker's and
    // the xlsx writer's (loaded only for the file of rejected rows).
    out.bundles = ['pkg/contacts.wasm', 'reader/reader_bg.wasm', 'writer/writer_bg.wasm'].map((f) => {
      const file = path.resolve(ROOT, 'target/site', f);
      // GNU gzip, as the earlier figures in BENCHMARKS.md (Node's zlib at
      // level 9 makes files ~3% larger).
      const gzip = execFileSync('gzip', ['-9', '-c', file], { maxBuffer: 1 << 30 }).length;
      return { file: f, raw: fs.statSync(file).size, gzip };
    });
  }
  const readers = PARTS.includes('readers');
  for (const [kind, file, js] of readers
    ? ([
        ['xlsx', xlsx, 'sheetjs'],
        ['csv', csv, 'papaparse'],
      ] as const)
    : []) {
    const nat = native(file);
    const ours = await best(context, 'ours-read', file);
    const stages = await best(context, 'ours-stages', file);
    const theirs = await best(context, js, file);
    expect(nat.bare_rows).toBe(ROWS + 1); // the header row is a row of the sheet
    expect(nat.rows).toBe(ROWS);
    expect(nat.contacts).toBe(ROWS);
    expect(ours.rows).toBe(ROWS);
    expect(stages.rows).toBe(ROWS);
    expect(theirs.rows).toBe(ROWS + 1);
    out[kind] = { native: nat, ours, stages, [js]: theirs };
  }
  // Each database imports the file once (a second run would only match).
  out.wizard = {};
  if (PARTS.includes('wizard')) {
    const runs = (process.env.BENCH_WIZARD ?? 'xlsx_sqlite,csv_sqlite,csv_postgres').split(',');
    const all: Record<string, [string, number, boolean]> = {
      xlsx_sqlite: [xlsx, SQLITE_PORT, false],
      xlsx_sqlite_import: [xlsx, SQLITE_PORT, true],
      xlsx_postgres_import: [xlsx, POSTGRES_PORT, true],
      csv_sqlite: [csv, SQLITE_PORT, true],
      csv_postgres: [csv, POSTGRES_PORT, true],
    };
    for (const name of runs) {
      const [f, port, store] = all[name];
      out.wizard[name] = await wizard(context, f, port, store);
    }
  }

  const s = (ms: number) => `${(ms / 1000).toFixed(3)} s`;
  const r = (a: number, b: number) => `${(a / b).toFixed(2)}×`;
  const lines: string[] = [];
  const line = (...cells: string[]) => lines.push(`| ${cells.join(' | ')} |`);
  lines.push(`\nBrowser benchmark: ${count(ROWS)} rows × 8 columns, best of ${RUNS}, headless Chromium`);
  line('what', 'time', 'page memory growth', 'reference', 'ratio');
  line('---', '---', '---', '---', '---');
  if (out.load) {
    line('first load of /contacts → interactive (cold cache)', s(out.load.ms), `WASM sent: ${(out.load.wasmBytes / 1e6).toFixed(2)} MB`, 'target 1.000 s', r(out.load.ms, 1000));
    for (const b of out.bundles) {
      line(`bundle ${b.file}, gzip -9`, '', `${(b.gzip / 1e6).toFixed(3)} MB (raw ${(b.raw / 1e6).toFixed(2)} MB)`, 'target 1.200 MB', r(b.gzip, 1.2e6));
    }
  }
  for (const [kind, js] of [['xlsx', 'sheetjs'], ['csv', 'papaparse']] as const) {
    const o = out[kind];
    if (!o) continue;
    const bare = kind === 'xlsx' ? 'calamine' : 'csv crate';
    line(`${kind}: our reader, WASM`, s(o.ours.ms), `${o.ours.memMiB.toFixed(0)} MiB`, `native ours ${s(o.native.read_ms)}`, r(o.ours.ms, o.native.read_ms));
    line(`${kind}: our reader, WASM`, s(o.ours.ms), '', `native bare ${bare} ${s(o.native.bare_ms)}`, r(o.ours.ms, o.native.bare_ms));
    line(`${kind}: ${js}`, s(o[js].ms), `${o[js].memMiB.toFixed(0)} MiB`, `our reader ${s(o.ours.ms)}`, `ours ${r(o[js].ms, o.ours.ms)} faster`);
    line(`${kind}: memory, ${js} / ours`, '', '', '', r(o[js].memMiB, o.ours.memMiB));
    line(`${kind}: peak tab memory growth (RSS), ours`, '', `${o.ours.peakRssMiB.toFixed(0)} MiB`, '', '');
    line(`${kind}: peak tab memory growth (RSS), ${js}`, '', `${o[js].peakRssMiB.toFixed(0)} MiB`, '', '');
    // Ours often reads within memory the warm-up already touched (RSS grows < 1 MiB).
    const oursPeak = o.ours.peakRssMiB >= 1 ? r(o[js].peakRssMiB, o.ours.peakRssMiB) : `ours grew < 1 MiB`;
    line(`${kind}: peak tab memory, ${js} / ours`, '', '', '', oursPeak);
    line(`${kind}: stages 1→2 (read, map, validate every row), WASM`, s(o.stages.ms), `${o.stages.memMiB.toFixed(0)} MiB`, `${js} bare parse ${s(o[js].ms)}`, r(o.stages.ms, o[js].ms));
    line(`${kind}: stages 1→2, native`, s(o.native.stages_ms), '', `WASM ${s(o.stages.ms)}`, r(o.stages.ms, o.native.stages_ms));
  }
  for (const [name, w] of Object.entries(out.wizard) as [string, WizardRun][]) {
    line(`wizard ${name}: pick → rows shown`, s(w.readMs), '', '', '');
    line(`wizard ${name}: Continue → preview validated`, s(w.validateMs), '', '', '');
    line(`wizard ${name}: pick → preview validated`, s(w.pickToPreviewMs), `tab peak ${w.peakTabMiB.toFixed(0)} MiB`, 'target 1536 MiB', r(w.peakTabMiB, 1536));
    line(`wizard ${name}: WASM memory, page / worker`, '', `${w.pageWasmMiB.toFixed(0)} / ${w.workerWasmMiB.toFixed(0)} MiB`, '', '');
    if (w.importMs !== undefined) line(`wizard ${name}: Continue → summary (import)`, s(w.importMs), '', 'target 5.000 s', r(w.importMs, 5000));
    if (w.timeline) {
      const tl = w.timeline;
      line(
        `wizard ${name}: import timeline`,
        s(tl.chunksWallMs),
        `${tl.chunks} chunks, each ${(tl.chunkMsSum / Math.max(1, tl.chunks)).toFixed(0)} ms on average (max ${tl.chunkMsMax.toFixed(0)})`,
        `Continue → start sent ${s(tl.toStartMs)}; last chunk → summary ${s(tl.afterChunksMs)}`,
        '',
      );
    }
    line(`wizard ${name}: longest main-thread task (${w.longTasks} over 50 ms)`, s(w.longestTaskMs), '', 'target 0.200 s', r(w.longestTaskMs, 200));
  }
  console.log(lines.join('\n'));
  fs.writeFileSync(path.join(ROOT, 'target/bench-browser.json'), JSON.stringify(out, null, 2));
});

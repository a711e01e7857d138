const { chromium } = require('playwright');
(async () => {
  const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox','--headless','--disable-gpu'] });
  for (const pre of ['warm', 'phone', 'x3k2', 'warm', 'phone', 'x3k2']) {
    const page = await browser.newPage();
    await page.goto('http://127.0.0.1:8765/index.html');
    const r = await page.evaluate(async ({ pre }) => {
      const m = await import('/reader.js');
      const wasm = await m.default({ module_or_path: '/reader_bg.wasm' });
      const get = async (f) => new Uint8Array(await (await fetch('/' + f)).arrayBuffer());
      const x = await get('contacts-100000.xlsx');
      const mem0 = wasm.memory.buffer.byteLength;
      if (pre === 'warm') m.reader_warm(); if (pre === 'phone') m.bench_stages(await get('contacts-3000.csv'), 'c.csv', true); if (pre === 'csv100k') m.bench_stages(await get('contacts-100000.csv'), 'a.csv', false); if (pre.startsWith('x3k')) { const s = await get('contacts-3000.xlsx'); m.bench_stages(s, 'b.xlsx', false); if (pre === 'x3k2') { m.bench_stages(s, 'b.xlsx', false); m.bench_stages(s, 'b.xlsx', false); } }
      const mem1 = wasm.memory.buffer.byteLength;
      const t = performance.now(); m.bench_stages(x, 'a.xlsx', false); const t1 = performance.now() - t;
      return [t1, mem0 / 2**20, mem1 / 2**20, wasm.memory.buffer.byteLength / 2**20];
    }, { pre });
    console.log(pre, r.map(x => x.toFixed(0)).join(' / '));
    await page.close();
  }
  await browser.close();
})();

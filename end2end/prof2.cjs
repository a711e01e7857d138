const { chromium } = require('playwright');
(async () => {
  const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox','--headless','--disable-gpu','--js-flags=--expose-gc'] });
  for (const file of ['contacts-100000.xlsx', 'contacts-100000.csv']) for (const warm of [false, true, false, true]) {
    const page = await browser.newPage();
    await page.goto('http://127.0.0.1:8765/index.html');
    const r = await page.evaluate(async ({ file, warm }) => {
      const m = await import('/reader.js');
      await m.default({ module_or_path: '/reader_bg.wasm' });
      const bytes = new Uint8Array(await (await fetch('/' + file)).arrayBuffer());
      let tw = performance.now();
      if (warm) m.reader_warm(); else m.bench_stages(new Uint8Array(await (await fetch('/contacts-3000.csv')).arrayBuffer()), 'a.csv', true);
      tw = performance.now() - tw;
      const t = performance.now(); m.bench_stages(bytes, file, false); const t1 = performance.now() - t;
      const u = performance.now(); m.bench_stages(bytes, file, false); const t2 = performance.now() - u;
      return [tw, t1, t2];
    }, { file, warm });
    console.log(file, warm ? 'warm   ' : 'no warm', r.map(x => x.toFixed(0)).join(' / '));
    await page.close();
  }
  await browser.close();
})();

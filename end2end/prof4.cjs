const { chromium } = require('playwright');
(async () => {
  const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox','--headless','--disable-gpu'] });
  const page = await browser.newPage();
  await page.goto('http://127.0.0.1:8765/index.html');
  const cdp = await page.context().newCDPSession(page);
  await page.evaluate(async () => {
    const m = await import('/reader.js');
    await m.default({ module_or_path: '/reader_bg.wasm' });
    m.reader_warm();
    window.m = m;
    window.x = new Uint8Array(await (await fetch('/contacts-100000.xlsx')).arrayBuffer());
  });
  await cdp.send('Profiler.enable');
  await cdp.send('Profiler.setSamplingInterval', { interval: 100 });
  for (const run of [1, 2]) {
    await cdp.send('Profiler.start');
    const ms = await page.evaluate(() => { const t = performance.now(); window.m.bench_stages(window.x, 'a.xlsx', false); return performance.now() - t; });
    const { profile } = await cdp.send('Profiler.stop');
    console.log('run', run, ms.toFixed(0), 'ms');
    const self = new Map(); const byId = new Map(profile.nodes.map(n => [n.id, n]));
    const dt = profile.timeDeltas; const counts = new Map();
    profile.samples.forEach((id, i) => counts.set(id, (counts.get(id) || 0) + (dt[i] || 0)));
    let total = 0;
    for (const [id, t] of counts) { const n = byId.get(id); const k = n.callFrame.functionName || '(anon)'; self.set(k, (self.get(k) || 0) + t); total += t; }
    [...self.entries()].sort((a, b) => b[1] - a[1]).slice(0, 14).forEach(([k, t]) => console.log((t / 1000).toFixed(0).padStart(5), 'ms', k.slice(0, 110)));
  }
  await browser.close();
})();

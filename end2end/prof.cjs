const { chromium } = require('playwright');
(async () => {
  const file = process.argv[2];
  const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox','--headless','--disable-gpu'] });
  const page = await browser.newPage();
  await page.goto('http://127.0.0.1:8765/index.html');
  const cdp = await page.context().newCDPSession(page);
  await page.evaluate(async () => {
    const m = await import('/reader.js');
    await m.default({ module_or_path: '/reader_bg.wasm' });
    m.reader_warm();
    window.m = m;
  });
  await cdp.send('Profiler.enable');
  await cdp.send('Profiler.setSamplingInterval', { interval: 100 });
  for (const validate of [false]) {
    await cdp.send('Profiler.start');
    const ms = await page.evaluate(async ({ file, validate }) => {
      const bytes = new Uint8Array(await (await fetch('/' + file)).arrayBuffer());
      let best = 1e9;
      for (let i = 0; i < 5; i++) { const t = performance.now(); window.m.bench_stages(bytes, file, validate); best = Math.min(best, performance.now() - t); }
      return best;
    }, { file, validate });
    const { profile } = await cdp.send('Profiler.stop');
    console.log(file, 'validate', validate, 'best ms', ms.toFixed(1));
    const self = new Map(); const byId = new Map(profile.nodes.map(n => [n.id, n]));
    const dt = profile.timeDeltas; const counts = new Map();
    profile.samples.forEach((id, i) => counts.set(id, (counts.get(id) || 0) + (dt[i] || 0)));
    let total = 0;
    for (const [id, t] of counts) { const n = byId.get(id); const k = n.callFrame.functionName || '(anon)'; self.set(k, (self.get(k) || 0) + t); total += t; }
    [...self.entries()].sort((a, b) => b[1] - a[1]).slice(0, 25).forEach(([k, t]) => console.log((100 * t / total).toFixed(1).padStart(5), '%', k.slice(0, 120)));
  }
  await browser.close();
})();

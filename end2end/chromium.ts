// Debian's Chromium, for both Playwright configurations: Playwright cannot
// download its own browser here.
const args = [
  '--no-sandbox',
  '--headless',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-quic',
];

/** Launch options for Debian's Chromium, with `extra` flags. */
export function chromium(extra: string[] = []) {
  return { executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium', args: [...args, ...extra] };
}

// Shared set-up for the browser tests: a static server for the release
// build in dist/ on 127.0.0.1, and Debian's Chromium driven by playwright-core.
import { createServer } from 'node:http';
import { readFile, mkdir } from 'node:fs/promises';
import { extname, join, normalize } from 'node:path';
import { chromium } from 'playwright-core';

const TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript',
  '.wasm': 'application/wasm',
  '.css': 'text/css',
  '.svg': 'image/svg+xml',
};

export const ROOT = new URL('../../', import.meta.url).pathname;
export const SHOTS = join(ROOT, 'tests/browser/screenshots');

/**
 * Serve directories on 127.0.0.1 at a free port; resolves to { url, close }.
 * `mounts` maps URL prefixes to directories (the longest prefix wins), so a
 * test can put the site under a sub-path next to a course page.
 */
export async function serve(mounts = { '/': join(ROOT, 'dist') }) {
  const prefixes = Object.keys(mounts).sort((a, b) => b.length - a.length);
  const server = createServer(async (req, res) => {
    const path = normalize(decodeURIComponent(new URL(req.url, 'http://x').pathname));
    const prefix = prefixes.find((p) => path.startsWith(p));
    if (prefix === undefined) { res.writeHead(404).end('not found'); return; }
    const dir = mounts[prefix];
    const rest = path.slice(prefix.length);
    const file = join(dir, rest === '' || rest.endsWith('/') ? rest + 'index.html' : rest);
    if (!file.startsWith(dir)) { res.writeHead(403).end(); return; }
    try {
      const body = await readFile(file);
      res.writeHead(200, { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream' }).end(body);
    } catch {
      res.writeHead(404).end('not found');
    }
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address();
  return { url: `http://127.0.0.1:${port}/`, close: () => new Promise((r) => server.close(r)) };
}

/** Launch headless Chromium with the flags this machine needs. */
export async function launch() {
  await mkdir(SHOTS, { recursive: true });
  return chromium.launch({
    executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking',
      '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
}

/** A new page that records console errors and uncaught exceptions. */
export async function open(browser, url, options = {}) {
  const page = await browser.newPage({ viewport: { width: 1400, height: 1000 }, ...options });
  page.errors = [];
  page.on('console', (m) => { if (m.type() === 'error') page.errors.push(m.text()); });
  page.on('pageerror', (e) => page.errors.push(String(e)));
  await page.goto(url);
  await page.waitForSelector('section.panel');
  return page;
}

/** The text of a panel's clock, e.g. "t=12". */
export function clock(page, title) {
  return page.locator('section.panel', { has: page.getByRole('heading', { name: title, exact: true }) }).locator('.clock').innerText();
}

/**
 * The text of a panel's clock once it is no longer `from` (the page renders
 * an action after the event that asked for it; this waits for that render
 * instead of reading the clock at once).
 */
export async function clockAfter(page, title, from) {
  const selector = 'section.panel';
  await page.waitForFunction(([selector, title, from]) => {
    const panel = [...document.querySelectorAll(selector)]
      .find((p) => p.querySelector('h2')?.innerText === title);
    return panel && panel.querySelector('.clock').innerText !== from;
  }, [selector, title, from]);
  return clock(page, title);
}

/** The panel section headed `title`. */
export function panel(page, title) {
  return page.locator('section.panel', { has: page.getByRole('heading', { name: title, exact: true }) });
}

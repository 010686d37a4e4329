/**
 * Issue 9, finding 3, in a real browser: the browser host's session cookie is bound to its secret session path,
 * so Chromium never sends it to another server on 127.0.0.1 (cookies ignore ports), and the page cannot read it.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { AppPage } from './pages/app-page';
import { expect, test } from './fixtures';

test('another local server never receives the session cookie; the page cannot read it', async ({ studio, page }) => {
  const seen: string[] = [];
  const other = http.createServer((req, res) => {
    seen.push(`${req.url} cookie=${req.headers.cookie ?? ''}`);
    res.writeHead(200, { 'content-type': 'text/html' }).end('<!doctype html><title>other</title><img src="/files/projects/1/a.jpg"><img src="/ipc">');
  });
  await new Promise<void>((resolve) => other.listen(0, '127.0.0.1', resolve));
  const port = (other.address() as AddressInfo).port;
  try {
    await new AppPage(page).open(studio.url);
    expect(await page.evaluate(() => document.cookie)).toBe('');
    const cookies = (await page.context().cookies()).filter((c) => c.name.startsWith('kraken_'));
    expect(cookies).toHaveLength(1);
    expect(cookies[0]).toMatchObject({ domain: '127.0.0.1', path: new URL(studio.url).pathname, httpOnly: true, sameSite: 'Strict' });

    for (const p of ['/', '/files/projects/1/a.jpg', '/s/', '/ipc']) await page.goto(`http://127.0.0.1:${port}${p}`);
    expect(seen.length).toBeGreaterThanOrEqual(4);
    expect(seen.filter((s) => /kraken/.test(s))).toEqual([]);

    // The studio still works in the same context afterwards.
    await new AppPage(page).open(studio.url);
  } finally {
    await new Promise<void>((resolve) => other.close(() => resolve()));
  }
});

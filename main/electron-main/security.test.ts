import { EventEmitter } from 'node:events';
import { describe, expect, it, vi } from 'vitest';
import {
  CONTENT_SECURITY_POLICY,
  EXTERNAL_HOSTS,
  hardenApp,
  hardenSession,
  hardenWebContents,
  isAllowedComputeUrl,
  isAllowedExternalUrl,
  isTrustedAppUrl,
  openExternalSafely,
  secureWebPreferences,
  TRUSTED_ORIGIN,
  windowOpenDecision,
} from './security';

function directives(csp: string): Map<string, string[]> {
  return new Map(
    csp.split(';').map((d) => {
      const [name, ...values] = d.trim().split(/\s+/);
      return [name!, values];
    }),
  );
}

describe('window preferences', () => {
  it('isolate, sandbox and keep Node out of the page', () => {
    const p = secureWebPreferences('/app/dist/preload/index.js');
    expect(p).toMatchObject({
      preload: '/app/dist/preload/index.js',
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
      spellcheck: false,
      navigateOnDragDrop: false,
    });
  });
});

describe('content security policy', () => {
  const d = directives(CONTENT_SECURITY_POLICY);
  it('has the required directives', () => {
    expect(d.get('default-src')).toContain("'self'");
    expect(d.get('img-src')).toEqual(expect.arrayContaining(["'self'", 'data:', 'blob:', 'kraken:']));
    expect(d.get('connect-src')).toContain("'self'");
    expect(d.get('worker-src')).toEqual(["'self'", 'blob:']);
    expect(d.get('style-src')).toEqual(["'self'", "'unsafe-inline'"]);
    expect(d.get('object-src')).toEqual(["'none'"]);
    expect(d.get('base-uri')).toEqual(["'none'"]);
    expect(d.get('frame-ancestors')).toEqual(["'none'"]);
  });
  it('allows no remote origin and no inline or eval script', () => {
    expect(CONTENT_SECURITY_POLICY).not.toMatch(/https?:|\*/);
    expect(d.get('script-src')).not.toContain("'unsafe-inline'");
    expect(d.get('script-src')).not.toContain("'unsafe-eval'");
  });
});

describe('external links', () => {
  it.each([
    'https://github.com/',
    'https://github.com/kraken/studio/issues?q=1#top',
    'https://GitHub.com/x',
    'https://docs.kraken.network/getting-started',
    'https://kraken.network/',
  ])('allows %s', (url) => expect(isAllowedExternalUrl(url)).toBe(true));

  it.each([
    ['cleartext', 'http://github.com/'],
    ['another host', 'https://example.com/'],
    ['a look-alike suffix', 'https://github.com.evil.example/'],
    ['a look-alike prefix', 'https://evilgithub.com/'],
    ['a subdomain not listed', 'https://gist.github.com/'],
    ['the host only in the query', 'https://evil.example/?u=https://github.com'],
    ['credentials', 'https://github.com@evil.example/'],
    ['user info', 'https://user:pw@github.com/'],
    ['an odd port', 'https://github.com:8443/'],
    ['file', 'file:///etc/passwd'],
    ['javascript', 'javascript:alert(1)'],
    ['a custom scheme', 'kraken://app/index.html'],
    ['garbage', 'not a url'],
    ['empty', ''],
  ])('refuses %s', (_why, url) => expect(isAllowedExternalUrl(url)).toBe(false));

  it('only lists https-able host names', () => {
    for (const h of EXTERNAL_HOSTS) expect(new URL(`https://${h}/`).hostname).toBe(h);
  });
});

describe('trusted app URLs', () => {
  it('accepts our origin only', () => {
    expect(TRUSTED_ORIGIN).toBe('kraken://app');
    expect(isTrustedAppUrl('kraken://app/index.html#/media')).toBe(true);
    expect(isTrustedAppUrl('kraken://files/projects/1/poster.jpg')).toBe(false);
    expect(isTrustedAppUrl('kraken://app.evil/index.html')).toBe(false);
    expect(isTrustedAppUrl('https://app/index.html')).toBe(false);
    expect(isTrustedAppUrl('file:///app/index.html')).toBe(false);
    expect(isTrustedAppUrl('')).toBe(false);
  });
});

/** A stand-in for WebContents: an EventEmitter that records its window-open handler. */
function fakeContents() {
  const emitter = new EventEmitter() as EventEmitter & { openHandler?: (d: { url: string }) => unknown; setWindowOpenHandler(h: (d: { url: string }) => unknown): void };
  emitter.setWindowOpenHandler = (h) => {
    emitter.openHandler = h;
  };
  return emitter;
}

function navEvent(url: string) {
  return { url, preventDefault: vi.fn() };
}

describe('webContents hardening', () => {
  it('denies every new window and opens allow-listed links outside', async () => {
    const shell = { openExternal: vi.fn(async () => undefined) };
    expect(windowOpenDecision({ url: 'https://github.com/x' }, shell)).toEqual({ action: 'deny' });
    expect(windowOpenDecision({ url: 'https://evil.example/' }, shell)).toEqual({ action: 'deny' });
    expect(windowOpenDecision({ url: 'kraken://app/index.html' }, shell)).toEqual({ action: 'deny' });
    await Promise.resolve();
    expect(shell.openExternal.mock.calls).toEqual([['https://github.com/x']]);
  });

  it('blocks navigation and redirects away from kraken://app, and webviews', async () => {
    const shell = { openExternal: vi.fn(async () => undefined) };
    const contents = fakeContents();
    hardenWebContents(contents as never, shell);
    expect(contents.openHandler!({ url: 'https://evil.example' })).toEqual({ action: 'deny' });

    const external = navEvent('https://evil.example/');
    contents.emit('will-navigate', external);
    expect(external.preventDefault).toHaveBeenCalled();

    const docs = navEvent('https://docs.kraken.network/');
    contents.emit('will-navigate', docs);
    expect(docs.preventDefault).toHaveBeenCalled();

    const own = navEvent('kraken://app/index.html#/media');
    contents.emit('will-navigate', own);
    expect(own.preventDefault).not.toHaveBeenCalled();

    const files = navEvent('kraken://files/studio.db');
    contents.emit('will-navigate', files);
    expect(files.preventDefault).toHaveBeenCalled();

    const frame = navEvent('https://evil.example/');
    contents.emit('will-frame-navigate', frame);
    expect(frame.preventDefault).toHaveBeenCalled();

    const redirect = navEvent('http://127.0.0.1:9/');
    contents.emit('will-redirect', redirect);
    expect(redirect.preventDefault).toHaveBeenCalled();

    const webview = { preventDefault: vi.fn() };
    contents.emit('will-attach-webview', webview);
    expect(webview.preventDefault).toHaveBeenCalled();

    await Promise.resolve();
    // Only the allow-listed link left the app, in the system browser.
    expect(shell.openExternal.mock.calls).toEqual([['https://docs.kraken.network/']]);
  });
});

describe('session and app hardening', () => {
  it('refuses every permission request, check and device', () => {
    const session = { setPermissionRequestHandler: vi.fn(), setPermissionCheckHandler: vi.fn(), setDevicePermissionHandler: vi.fn() };
    hardenSession(session as never);
    const request = session.setPermissionRequestHandler.mock.calls[0]![0] as (wc: unknown, p: string, cb: (ok: boolean) => void) => void;
    const check = session.setPermissionCheckHandler.mock.calls[0]![0] as (wc: unknown, p: string) => boolean;
    const device = session.setDevicePermissionHandler.mock.calls[0]![0] as (d: unknown) => boolean;
    for (const permission of ['media', 'geolocation', 'notifications', 'clipboard-read', 'openExternal', 'fullscreen', 'unknown']) {
      const cb = vi.fn();
      request({}, permission, cb);
      expect(cb).toHaveBeenCalledWith(false);
      expect(check({}, permission)).toBe(false);
    }
    expect(device({ deviceType: 'usb' })).toBe(false);
  });

  it('enables the sandbox for all renderers and hardens every webContents created', () => {
    const app = new EventEmitter() as EventEmitter & { enableSandbox: () => void };
    app.enableSandbox = vi.fn();
    hardenApp(app as never, { openExternal: vi.fn(async () => undefined) });
    expect(app.enableSandbox).toHaveBeenCalled();
    const contents = fakeContents();
    app.emit('web-contents-created', {}, contents);
    expect(contents.openHandler).toBeTypeOf('function');
    const nav = navEvent('https://evil.example/');
    contents.emit('will-navigate', nav);
    expect(nav.preventDefault).toHaveBeenCalled();
  });
});

describe('compute session links (the configured compute host)', () => {
  it.each([
    ['the emulator on loopback over http', 'http://127.0.0.1:41234/jupyter/c-1/?token=x', 'http://127.0.0.1:5000'],
    ['another port on the same host', 'https://gpu.campus.example:8888/lab', 'https://gpu.campus.example'],
    ['https on an http-configured host', 'https://127.0.0.1/x', 'http://127.0.0.1:5000/'],
  ])('allows %s', (_why, url, base) => expect(isAllowedComputeUrl(url, base)).toBe(true));

  it.each([
    ['no compute service configured', 'https://gpu.campus.example/lab', null],
    ['another host', 'https://evil.example/lab', 'https://gpu.campus.example'],
    ['a subdomain', 'https://x.gpu.campus.example/lab', 'https://gpu.campus.example'],
    ['a look-alike suffix', 'https://gpu.campus.example.evil.example/', 'https://gpu.campus.example'],
    ['cleartext when the service is https', 'http://gpu.campus.example/lab', 'https://gpu.campus.example'],
    ['credentials', 'https://u:p@gpu.campus.example/lab', 'https://gpu.campus.example'],
    ['file', 'file:///etc/passwd', 'http://127.0.0.1:5000'],
    ['javascript', 'javascript:alert(1)', 'http://127.0.0.1:5000'],
    ['garbage', 'not a url', 'http://127.0.0.1:5000'],
    ['a garbage base', 'https://gpu.campus.example/', 'not a url'],
  ])('refuses %s', (_why, url, base) => expect(isAllowedComputeUrl(url, base)).toBe(false));

  it('openExternalSafely opens what the given rule allows and nothing else', async () => {
    const shell = { openExternal: vi.fn(async () => undefined) };
    const rule = (u: string) => isAllowedComputeUrl(u, 'http://127.0.0.1:5000');
    expect(await openExternalSafely(shell, 'http://127.0.0.1:6000/jupyter', rule)).toBe(true);
    expect(await openExternalSafely(shell, 'http://127.0.0.1:6000/jupyter')).toBe(false); // the fixed list refuses http
    expect(await openExternalSafely(shell, 'https://evil.example/', rule)).toBe(false);
    expect(shell.openExternal).toHaveBeenCalledTimes(1);
  });
});

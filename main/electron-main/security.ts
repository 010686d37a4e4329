/**
 * Security, in one fenced place: window options, the content security policy of our protocol, navigation and
 * new-window denial, permission denial, the allow-list for external links and the one trusted origin.
 * Every line says why it is there. Only types come from `electron` (the objects are passed in), so this module
 * is unit-tested under plain Node without an Electron binary.
 */
import type { App, HandlerDetails, Session, Shell, WebContents, WebPreferences, WindowOpenHandlerResponse } from 'electron';

/** The app's own scheme: the renderer and the data folder are served on it, never over file:// or http. */
export const APP_SCHEME = 'kraken';
/** Origin of our renderer. The IPC door and every navigation check compare against exactly this string. */
export const TRUSTED_ORIGIN = `${APP_SCHEME}://app`;
/** Origin of data-folder files (thumbnails, videos, 3D results). Readable by the page, never trusted for IPC. */
export const FILES_ORIGIN = `${APP_SCHEME}://files`;
/** The page every window loads. */
export const START_URL = `${TRUSTED_ORIGIN}/index.html`;

/**
 * Hosts whose https links the app may hand to the system browser (docs, website, source). Exact host names:
 * a subdomain is a different party (gist.github.com hosts anyone's content), so it is not implied.
 */
export const EXTERNAL_HOSTS: readonly string[] = ['kraken.network', 'www.kraken.network', 'docs.kraken.network', 'github.com'];

/** Web permissions the app needs. None today: camera, microphone, notifications, geolocation… are refused. */
export const ALLOWED_PERMISSIONS: readonly string[] = [];

/** BrowserWindow `webPreferences` for every window we open. */
export function secureWebPreferences(preload: string): WebPreferences {
  return {
    preload,
    // The page's JavaScript and the preload run in separate worlds; only what contextBridge exposes crosses.
    contextIsolation: true,
    // The renderer runs in Chromium's OS sandbox; even a compromised page cannot touch the disk or spawn.
    sandbox: true,
    // No Node.js in the page, its workers or its frames: the contract's named calls are its only power.
    nodeIntegration: false,
    nodeIntegrationInWorker: false,
    nodeIntegrationInSubFrames: false,
    // Keep the same-origin policy and never load http content into our secure page.
    webSecurity: true,
    allowRunningInsecureContent: false,
    // <webview> would embed arbitrary remote content with its own preferences.
    webviewTag: false,
    // Chromium's spellchecker downloads dictionaries from Google; nothing here needs it.
    spellcheck: false,
    // Dropping a file on the window must import it, not replace the app with file:///…
    navigateOnDragDrop: false,
    // No experimental web platform features in a shipped app.
    experimentalFeatures: false,
    // A page that loops alert() cannot lock the user out.
    safeDialogs: true,
  };
}

/**
 * The CSP header sent with every `kraken://` response (the built index.html carries a meta policy too;
 * the browser enforces both, so each must allow what the app uses).
 */
export const CONTENT_SECURITY_POLICY = [
  // Everything from our own origin only; the explicit origin covers Chromium builds where 'self' does not
  // match a custom standard scheme.
  `default-src 'self' ${TRUSTED_ORIGIN}`,
  // No inline or remote script; WebAssembly compilation is allowed for the TF.js wasm backend and onnx-web.
  `script-src 'self' ${TRUSTED_ORIGIN} 'wasm-unsafe-eval'`,
  // Thumbnails and frames come from kraken://files; canvases and previews from data:/blob:.
  "img-src 'self' data: blob: kraken:",
  // Video previews stream from kraken://files (with Range requests).
  "media-src 'self' blob: kraken:",
  // fetch() of 3D results and models from kraken://files (three.js loaders use fetch); nothing remote.
  "connect-src 'self' kraken:",
  // Web workers from our bundle or blob: (three.js/TF.js create blob workers).
  "worker-src 'self' blob:",
  // React style props and the viewer set inline styles; no remote stylesheets.
  "style-src 'self' 'unsafe-inline'",
  "font-src 'self' data:",
  // No plugins, no <base> hijack, never framed by anything, no form posts anywhere.
  "object-src 'none'",
  "base-uri 'none'",
  "frame-ancestors 'none'",
  "form-action 'none'",
].join('; ');

/** Extra headers on every protocol response. */
export const SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'content-security-policy': CONTENT_SECURITY_POLICY,
  // The MIME type we send is the only one the browser may use (no sniffing a .jpg into a script).
  'x-content-type-options': 'nosniff',
  // Nothing is ever sent to another site about where a request came from.
  'referrer-policy': 'no-referrer',
  // Windows the page might open never get a handle back to it.
  'cross-origin-opener-policy': 'same-origin',
};

/** True for an https link to an allow-listed host, without credentials or an odd port. */
export function isAllowedExternalUrl(raw: string, hosts: readonly string[] = EXTERNAL_HOSTS): boolean {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return false;
  }
  // https only: no file:, javascript:, custom app schemes (they would run other programs), or cleartext http.
  if (url.protocol !== 'https:') return false;
  // user:pass@host is a classic way to make a link read like another host.
  if (url.username || url.password) return false;
  // A non-default port is not the website we know.
  if (url.port !== '') return false;
  // URL lower-cases and punycodes the host, so this is an exact comparison of canonical names.
  return hosts.includes(url.hostname);
}

/**
 * True for a link to the configured compute service's host (issue 14: a GPU session's Jupyter page). The creator
 * chose that server, so its host joins the allow-list — that exact host name only, never credentials, and
 * cleartext http only when the configured service itself is http (the local emulator on 127.0.0.1, a campus
 * server without TLS). Any port: Jupyter and the shell listen beside the API, not on its port.
 */
export function isAllowedComputeUrl(raw: string, computeBaseUrl: string | null | undefined): boolean {
  if (!computeBaseUrl) return false;
  let url: URL;
  let base: URL;
  try {
    url = new URL(raw);
    base = new URL(computeBaseUrl);
  } catch {
    return false;
  }
  if (base.protocol !== 'https:' && base.protocol !== 'http:') return false;
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && base.protocol === 'http:')) return false;
  if (url.username || url.password) return false;
  return url.hostname === base.hostname;
}

/** True when `raw` is a page of our own renderer (the only place a window may navigate to). */
export function isTrustedAppUrl(raw: string): boolean {
  try {
    const url = new URL(raw);
    return url.protocol === `${APP_SCHEME}:` && url.host === 'app' && !url.username && !url.password && !url.port;
  } catch {
    return false;
  }
}

/** Opens an allow-listed link (by default the fixed list) in the system browser; false (and nothing opened) for anything else. */
export async function openExternalSafely(shell: Pick<Shell, 'openExternal'>, url: string, allowed: (url: string) => boolean = isAllowedExternalUrl): Promise<boolean> {
  if (!allowed(url)) return false;
  try {
    await shell.openExternal(url);
    return true;
  } catch {
    return false;
  }
}

/** What the window-open handler decides; external links go to the system browser, never a new window. */
export function windowOpenDecision(details: Pick<HandlerDetails, 'url'>, shell: Pick<Shell, 'openExternal'>): WindowOpenHandlerResponse {
  // target=_blank links to our docs or GitHub open in the user's browser, where they belong.
  void openExternalSafely(shell, details.url);
  // No window is ever created by page content: a popup would be a second, unhardened renderer.
  return { action: 'deny' };
}

/** Applies navigation, popup and webview rules to one webContents (every one the app creates). */
export function hardenWebContents(contents: WebContents, shell: Pick<Shell, 'openExternal'>): void {
  contents.setWindowOpenHandler((details) => windowOpenDecision(details, shell));

  // A top-level navigation away from our renderer would give a remote page our preload bridge.
  contents.on('will-navigate', (event) => {
    if (isTrustedAppUrl(event.url)) return;
    event.preventDefault();
    // A plain click on an allow-listed link opens it outside instead of silently doing nothing.
    void openExternalSafely(shell, event.url);
  });
  // Frames too (iframes are not used; CSP also limits them): no subframe may leave our origin either.
  contents.on('will-frame-navigate', (event) => {
    if (!isTrustedAppUrl(event.url)) event.preventDefault();
  });
  // A redirect is a navigation the page did not ask for by URL; same rule.
  contents.on('will-redirect', (event) => {
    if (!isTrustedAppUrl(event.url)) event.preventDefault();
  });
  // webviewTag is off in our preferences; this refuses any webview a future option might enable.
  contents.on('will-attach-webview', (event) => event.preventDefault());
}

/** Session-wide rules: every permission request and check is refused, device access too. */
export function hardenSession(session: Pick<Session, 'setPermissionRequestHandler' | 'setPermissionCheckHandler' | 'setDevicePermissionHandler'>): void {
  // Camera, microphone, notifications, geolocation, MIDI, HID…: the studio uses none, so a page cannot ask.
  session.setPermissionRequestHandler((_contents, permission, callback) => callback(ALLOWED_PERMISSIONS.includes(permission)));
  // Checks (navigator.permissions.query, implicit checks) answer the same, so features do not half-work.
  session.setPermissionCheckHandler((_contents, permission) => ALLOWED_PERMISSIONS.includes(permission));
  // WebUSB / WebHID / WebSerial device grants.
  session.setDevicePermissionHandler(() => false);
}

/**
 * App-wide rules. Call before `ready` (enableSandbox must be), then `hardenSession` once the
 * default session exists.
 */
export function hardenApp(app: Pick<App, 'enableSandbox' | 'on'>, shell: Pick<Shell, 'openExternal'>): void {
  // Sandbox every renderer, even one created with different options by mistake or by a dependency.
  app.enableSandbox();
  // Every webContents the app ever gets (windows, devtools, anything a library creates) is hardened.
  app.on('web-contents-created', (_event, contents) => hardenWebContents(contents, shell));
}

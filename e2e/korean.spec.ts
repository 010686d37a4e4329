/**
 * The Korean walk-through: the UI switched to Korean, every page of the navigation visited as a first-time user
 * sees it, then again with data (the bundled sample with pre-flight shown, the Models page with its devices
 * panel, a forced error toast). Every visible text is collected and the walk fails on any Latin-only sentence.
 *
 * A Latin-only sentence (see `latinOnlySentence`): a block of visible text with no Hangul that still has at least
 * three Latin words once names and numbers are taken out. Taken out: URLs, file names and paths, ids written with
 * '-', '_' or digits (model ids, versions), all-capital acronyms (CPU, MP4, ONNX), words with an inner capital
 * (TensorFlow, MusePose), units, and a short allow-list of proper names. Text inside code, kbd, pre and samp, and
 * inside elements marked translate="no" (user data: project, file and model names), is not read.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Page } from '@playwright/test';
import { expect, repoRoot, test } from './fixtures';
import { AppPage } from './pages/app-page';
import { MediaPage } from './pages/media-page';
import { ProjectsPage } from './pages/projects-page';

/** Proper names that stay Latin in a Korean UI (product, runtime and service names); words, not sentences. */
const PROPER_NAMES = [
  'Kraken', 'Studio', 'ONNX', 'Runtime', 'CUDA', 'DirectML', 'CoreML', 'TensorFlow', 'WebGL', 'WebGPU', 'WebAssembly', 'NVIDIA', 'Apple', 'Windows',
  'Linux', 'Atlas', 'Solana', 'Gaussian', 'Splat', 'NeRF', 'ffmpeg', 'ffprobe', 'Human', 'PaddleOCR', 'Chromium', 'Electron', 'Phantom', 'Mesh', 'Instant',
  'Decal', 'Lightning', 'Thunder', 'Vision', 'Compute', 'Network', 'Wallet', 'Docker', 'Jupyter',
];
const UNITS = new Set(['s', 'ms', 'min', 'h', 'fps', 'px', 'kB', 'KB', 'MB', 'GB', 'TB', 'KiB', 'MiB', 'GiB', 'x', 'p', 'bit', 'bits', 'kbps', 'Mbps', 'SOL', 'USDC']);

/** True when `text` is a Latin-only sentence as the header defines it (exported for the reader, used below). */
function latinOnlySentence(text: string): boolean {
  if (/[\u1100-\u11FF\u3130-\u318F\uAC00-\uD7A3]/.test(text)) return false;
  let t = ` ${text} `;
  t = t.replace(/\b(?:https?|wss?|file):\/\/\S+/g, ' ');
  t = t.replace(/\S*[\\/]\S*/g, ' '); // paths, ratios, "png/jpg"
  t = t.replace(/\S+\.[A-Za-z0-9]{1,5}(?=[\s,;:)"'”]|$)/g, ' '); // file names (x.mp4, model.onnx)
  t = t.replace(/\S*[-_0-9]\S*/g, ' '); // ids, versions, numbers with units glued on
  for (const name of PROPER_NAMES) t = t.replace(new RegExp(`\\b${name}\\b`, 'g'), ' ');
  const words = (t.match(/[A-Za-z]+(?:'[A-Za-z]+)?/g) ?? []).filter(
    (w) => !UNITS.has(w) && !/^[A-Z]{2,}s?$/.test(w) && !/^[A-Za-z][a-z]*[A-Z]/.test(w),
  );
  return words.length >= 3;
}

interface Found {
  where: string;
  text: string;
}

/** Visible text by block element (inline children joined), plus placeholders and the options of visible drop-downs. */
async function visibleTexts(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const SKIP = 'script,style,noscript,template,code,kbd,pre,samp,[translate="no"]';
    const blockOf = (el: Element): Element => {
      let cur: Element = el;
      while (cur.parentElement && getComputedStyle(cur).display.startsWith('inline')) cur = cur.parentElement;
      return cur;
    };
    const byBlock = new Map<Element, string[]>();
    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    for (let n = walker.nextNode(); n; n = walker.nextNode()) {
      const text = n.textContent ?? '';
      if (!text.trim()) continue;
      const el = n.parentElement;
      if (!el || el.closest(SKIP)) continue;
      if (el.tagName === 'OPTION') continue; // read below, with their select
      if (!el.checkVisibility({ checkOpacity: true, checkVisibilityCSS: true })) continue;
      const block = blockOf(el);
      if (!byBlock.has(block)) byBlock.set(block, []);
      byBlock.get(block)!.push(text);
    }
    const out = [...byBlock.values()].map((parts) => parts.join(' ').replace(/\s+/g, ' ').trim());
    for (const el of Array.from(document.querySelectorAll<HTMLInputElement | HTMLTextAreaElement>('input[placeholder],textarea[placeholder]'))) {
      if (el.checkVisibility() && !el.closest(SKIP)) out.push(el.placeholder);
    }
    for (const sel of Array.from(document.querySelectorAll('select'))) {
      if (!sel.checkVisibility() || sel.closest(SKIP)) continue;
      for (const o of Array.from(sel.options)) if (!o.closest(SKIP)) out.push(o.text.trim());
    }
    return out.filter(Boolean);
  });
}

/**
 * Reads the page until two reads agree (data arriving late changes the text), then keeps the Latin-only sentences.
 * A page that keeps changing (a clock, a live counter) is read a few times and every text seen is checked.
 */
async function check(page: Page, where: string, found: Found[]): Promise<void> {
  const seen = new Set<string>();
  let last = '';
  for (let i = 0; i < 12; i++) {
    const texts = await visibleTexts(page);
    for (const t of texts) seen.add(t);
    const now = texts.join('\n');
    if (now === last) break;
    last = now;
    await page.waitForTimeout(250); // settle between reads, not an assertion
  }
  for (const text of seen) if (latinOnlySentence(text) && !found.some((f) => f.where === where && f.text === text)) found.push({ where, text });
}

async function navIds(page: Page): Promise<string[]> {
  const ids = await page.locator('.nav-list [data-testid^="nav-"]').evaluateAll((els) => els.map((e) => e.getAttribute('data-testid')!.slice(4)));
  expect(ids.length).toBeGreaterThan(3);
  return ids;
}

const walked = new Set<string>();

async function walkAll(app: AppPage, where: string, found: Found[]): Promise<void> {
  for (const id of await navIds(app.page)) {
    walked.add(id);
    await app.goTo(id);
    await check(app.page, `${where} ${id}`, found);
  }
}

function report(found: Found[]): string {
  return found.map((f) => `  [${f.where}] ${f.text}`).join('\n');
}

test('the definition of a Latin-only sentence', () => {
  expect(latinOnlySentence('The video is 240.0 s long; MusePose takes at most 180 s. Trim it.')).toBe(true);
  expect(latinOnlySentence('Ready for Gaussian splat.')).toBe(true);
  expect(latinOnlySentence('동영상이 240.0 s로 너무 깁니다')).toBe(false);
  expect(latinOnlySentence('ONNX Runtime CUDA 12')).toBe(false);
  expect(latinOnlySentence('human-movenet-lightning.onnx')).toBe(false);
  expect(latinOnlySentence('sample.mp4 1280 × 720 · H.264 · 3.3 MB')).toBe(false);
  expect(latinOnlySentence('https://kraken.example/some/long/path?a=b')).toBe(false);
  expect(latinOnlySentence('Kraken Studio')).toBe(false);
  expect(latinOnlySentence('PaddleOCR v4 MoveNet Lightning')).toBe(false);
  expect(latinOnlySentence('no provider could be loaded')).toBe(true);
});

test('every page in Korean, first visit and with the sample project, shows no Latin-only sentence', async ({ studio }) => {
  test.setTimeout(240_000);
  const { page } = studio;
  const app = new AppPage(page);
  const media = new MediaPage(page);
  const found: Found[] = [];

  await app.open(studio.url);
  await app.goTo('settings');
  await page.getByTestId('language-ko').click();
  await expect(page.locator('html')).toHaveAttribute('lang', 'ko');
  await expect(app.nav('projects')).toHaveText('프로젝트');

  // A first-time user: no project yet.
  await walkAll(app, 'first visit', found);

  // With data: the bundled sample, its pre-flight for a 3D capture and for MusePose (which needs an image).
  await app.goTo('projects');
  await new ProjectsPage(page).create('첫 프로젝트');
  await media.importSample();
  await check(page, 'media sample', found);
  await media.preflight('gs3d');
  await check(page, 'media pre-flight gs3d', found);
  await media.preflight('musepose');
  // the core's sentences arrive as codes and read Korean (the English one stays for the CLI)
  await expect(media.problem('NOT_VERTICAL').locator('.preflight-detail')).toContainText('세로');
  await expect(media.problem('IMAGE_REQUIRED').locator('.preflight-detail')).toContainText('MusePose는');
  await check(page, 'media pre-flight musepose', found);

  // A forced error: a text file named like a video; the toast's details must be Korean too.
  await media.importFiles([{ name: 'x.mp4', mimeType: 'video/mp4', buffer: Buffer.from('this is plain text, not a video\n'.repeat(20)) }]);
  await expect(app.errorToasts()).toBeVisible();
  await expect(app.errorToasts().locator('.toast-message')).toContainText('x.mp4: ffmpeg가 이 파일을 읽을 수 없습니다');
  await check(page, 'error toast', found);
  await app.dismissToasts();

  // The Models page with the devices panel and the bundled models' descriptions.
  await app.goTo('models');
  await expect(page.getByTestId('devices-panel')).toBeVisible();
  await expect(page.getByTestId('onnx-providers')).toBeVisible({ timeout: 30_000 });
  await expect(page.getByTestId('onnx-providers').locator('[data-provider="dml"] [data-testid="provider-reason"]')).toContainText(/[가-힣]/);
  await check(page, 'models devices', found);

  // Every page again, now that a project is open.
  await walkAll(app, 'with project', found);

  const dir = path.join(repoRoot, '.tmp');
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, 'korean-latin-only.json'), JSON.stringify({ pages: [...walked], found }, null, 2));
  expect(found, `Latin-only sentences in the Korean UI:\n${report(found)}`).toEqual([]);
});

/**
 * The foundation slice, end to end in Chromium through the browser host: projects, the sample video,
 * metadata, frame extraction with progress, thumbnails, and persistence across a reload and a host restart.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import type { Page } from '@playwright/test';
import { expect, repoRoot, test } from './fixtures';
import { AppPage, watchFor } from './pages/app-page';
import { MediaPage } from './pages/media-page';
import { ProjectsPage } from './pages/projects-page';

const shots = path.join(repoRoot, '.tmp', 'screenshots');

/** Screens for people to look at (not compared): .tmp/screenshots. */
async function shot(page: Page, name: string, scrollToEnd = false): Promise<void> {
  fs.mkdirSync(shots, { recursive: true });
  // The page scrolls inside the shell's content pane, not the window.
  if (scrollToEnd) await page.locator('main.content').evaluate((el) => el.scrollTo(0, el.scrollHeight));
  await page.screenshot({ path: path.join(shots, `${name}.png`) });
}

test('journey: project → sample → metadata → 2 fps extraction → thumbnails, kept across reload and host restart', async ({ studio }) => {
  const { page } = studio;
  const app = new AppPage(page);
  const projects = new ProjectsPage(page);
  const media = new MediaPage(page);

  await app.open(studio.url);
  await expect(page.getByTestId('projects-empty')).toBeVisible();
  await shot(page, '01-projects-empty');

  await projects.create('Street scenes', 'Spring walk through the old town');
  await expect(page.getByTestId('media-project-name')).toHaveText('Street scenes');
  await expect(page.getByTestId('media-empty')).toBeVisible();
  await shot(page, '02-media-empty');

  await media.importSample();
  await expect(media.mediaItems()).toHaveCount(1);
  await expect(media.metadata()).toBeVisible();
  await expect(media.meta('duration')).toHaveText('0:10.0');
  await expect(media.meta('size')).toHaveText('1280 × 720');
  await expect(media.meta('rotation')).toHaveText('None');
  await expect(media.meta('fps')).toHaveText(/^30/);
  await expect(media.meta('codec')).toContainText('h264');
  await expect(media.meta('audio')).toContainText('aac');
  await expect(page.getByTestId('media-poster')).toBeVisible();

  const sawProgress = await watchFor(page, 'progress-bar');
  await media.extract({ fps: 2 });
  const set = media.latestSet();
  await expect(set).toBeVisible();
  await expect(set).toHaveAttribute('data-status', 'complete', { timeout: 60_000 });
  expect(await sawProgress()).toBe(true);

  // The count comes from the frame set itself: 10 s at 2 fps.
  const frameCount = Number(await set.getAttribute('data-frame-count'));
  expect(frameCount).toBe(20);
  await expect(set.getByTestId('frame-set-count')).toHaveText('20 frames');
  await expect(page.getByTestId('grid-count')).toHaveText('20 frames');
  await expect(media.thumbnails()).toHaveCount(20);
  const firstImg = media.thumbnails().first().locator('img');
  await expect(firstImg).toBeVisible();
  await expect.poll(() => firstImg.evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth > 0)).toBe(true);
  // Tiles are cached thumbnails no wider than the size they asked for (the 1280-px frame is for the preview only).
  const tileImg = await firstImg.evaluate((img: HTMLImageElement) => ({ src: img.src, natural: img.naturalWidth, asked: Number(img.dataset.thumb) }));
  expect([160, 320, 640]).toContain(tileImg.asked);
  expect(tileImg.src).toContain(`?thumb=${tileImg.asked}`);
  expect(tileImg.natural).toBeGreaterThan(0);
  expect(tileImg.natural).toBeLessThanOrEqual(tileImg.asked);
  await shot(page, '03-media-extracted', true);

  // Large preview: click, step with the arrows, Esc closes.
  await media.thumbnails().first().click();
  const lightbox = page.getByTestId('lightbox');
  await expect(lightbox).toBeVisible();
  await expect(page.getByTestId('lightbox-position')).toHaveText('1 / 20');
  await page.keyboard.press('ArrowRight');
  await page.keyboard.press('ArrowRight');
  await expect(page.getByTestId('lightbox-position')).toHaveText('3 / 20');
  await page.keyboard.press('ArrowLeft');
  await expect(page.getByTestId('lightbox-position')).toHaveText('2 / 20');
  await expect.poll(() => page.getByTestId('lightbox-image').evaluate((img: HTMLImageElement) => img.naturalWidth)).toBe(1280);
  await shot(page, '04-preview');
  await page.keyboard.press('Escape');
  await expect(lightbox).toBeHidden();

  // Reload: the same page, project and frame set.
  await page.reload();
  await expect(page.getByTestId('media-project-name')).toHaveText('Street scenes');
  await expect(media.latestSet()).toHaveAttribute('data-status', 'complete');
  await expect(media.latestSet()).toHaveAttribute('data-frame-count', '20');
  await expect(media.thumbnails()).toHaveCount(20);

  // Restart the host on the same data folder: everything is still there.
  const url = await studio.restartHost();
  await app.open(url);
  await app.goTo('projects');
  await expect(projects.card('Street scenes')).toBeVisible();
  await expect(projects.card('Street scenes')).toContainText('1 media file');
  await expect(projects.card('Street scenes')).toContainText('20 images');
  await shot(page, '05-projects');
  await projects.open('Street scenes');
  await expect(media.mediaItems()).toHaveCount(1);
  await expect(media.latestSet()).toHaveAttribute('data-status', 'complete');
  await expect(media.latestSet()).toHaveAttribute('data-frame-count', '20');
  await expect(media.thumbnails()).toHaveCount(20);
  await expect(app.errorToasts()).toHaveCount(0);
});

test('a text file named x.mp4 is refused with a clear message and nothing is imported', async ({ studio }) => {
  const { page } = studio;
  const app = new AppPage(page);
  const media = new MediaPage(page);
  await app.open(studio.url);
  await new ProjectsPage(page).create('Bad input');
  await expect(page.getByTestId('media-empty')).toBeVisible();

  await media.importFiles([{ name: 'x.mp4', mimeType: 'video/mp4', buffer: Buffer.from('this is plain text, not a video\n'.repeat(20)) }]);
  const toast = app.errorToasts();
  await expect(toast).toBeVisible();
  await expect(toast).toHaveAttribute('data-code', 'MEDIA_UNREADABLE');
  await expect(toast).toContainText('This file cannot be read as a video or image');
  await expect(toast).toContainText('x.mp4');
  await shot(page, '06-bad-file');
  await expect(page.getByTestId('media-empty')).toBeVisible();
  await expect(media.mediaItems()).toHaveCount(0);

  // And the project still counts no media after a reload.
  await page.reload();
  await expect(page.getByTestId('media-empty')).toBeVisible();
  await app.goTo('projects');
  await expect(new ProjectsPage(page).card('Bad input')).toContainText('0 media files');
});

test('switching to Korean changes the interface and survives a reload', async ({ studio }) => {
  const { page } = studio;
  const app = new AppPage(page);
  await app.open(studio.url);
  await expect(app.nav('projects')).toHaveText('Projects');
  await app.goTo('settings');
  await expect(page.getByTestId('tool-ffmpeg')).toContainText('ffmpeg');
  await expect(page.getByTestId('app-info')).toContainText(studio.dataDir);
  await shot(page, '07-settings');

  await page.getByTestId('language-ko').click();
  await expect(app.nav('projects')).toHaveText('프로젝트');
  await expect(app.nav('settings')).toHaveText('설정');
  await expect(page.locator('html')).toHaveAttribute('lang', 'ko');
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('설정');
  await shot(page, '08-settings-ko');

  // Saved in the settings, not only in this page.
  await page.evaluate(() => localStorage.clear());
  await page.reload();
  await expect(app.nav('projects')).toHaveText('프로젝트');

  await page.getByTestId('language-en').click();
  await expect(app.nav('projects')).toHaveText('Projects');
});

test('cancelling an extraction leaves the set not complete; Resume completes it', async ({ studio }) => {
  const { page } = studio;
  const app = new AppPage(page);
  const media = new MediaPage(page);
  await app.open(studio.url);
  await new ProjectsPage(page).create('Cancel me');
  await media.importSample();

  // Every frame as PNG: long enough to cancel in the middle.
  await media.extract({ fps: 30, format: 'png' });
  const set = media.latestSet();
  const cancel = set.getByTestId('cancel-extraction');
  await expect(cancel).toBeVisible();
  await expect(set.getByTestId('progress-bar')).toBeVisible();
  await shot(page, '09a-extracting', true);
  await cancel.click();

  await expect(set).toHaveAttribute('data-status', /^(cancelled|interrupted|failed)$/);
  await expect(set).not.toHaveAttribute('data-status', 'complete');
  await expect(set.getByTestId('resume-extraction')).toBeVisible();
  await expect(set.getByTestId('frame-set-error')).toBeVisible();
  await expect(page.getByTestId('grid-pending')).toBeVisible();
  await expect(media.thumbnails()).toHaveCount(0);
  await shot(page, '09b-cancelled', true);

  // Still not complete after a reload (the state is the host's, not the page's).
  await page.reload();
  await expect(media.latestSet()).toHaveAttribute('data-status', 'cancelled');

  // Resume finishes the same set: every frame of the 10 s, 30 fps sample.
  await media.latestSet().getByTestId('resume-extraction').click();
  await expect(media.latestSet()).toHaveAttribute('data-status', 'complete', { timeout: 90_000 });
  await expect(media.frameSets()).toHaveCount(1);
  await expect(media.latestSet()).toHaveAttribute('data-frame-count', '300');
  await expect(page.getByTestId('grid-count')).toHaveText('300 frames');

  // The grid is virtualised: only the rows in view exist, and scrolling brings in the last frame.
  expect(await media.thumbnails().count()).toBeLessThan(120);
  await page.getByTestId('frame-grid').evaluate((el) => el.scrollTo(0, el.scrollHeight));
  await expect(media.thumbnails().filter({ hasText: '#300' })).toBeVisible();
  await media.thumbnails().filter({ hasText: '#300' }).click();
  await expect(page.getByTestId('lightbox-position')).toHaveText('300 / 300');
  await page.keyboard.press('ArrowRight'); // the last frame stays the last
  await expect(page.getByTestId('lightbox-position')).toHaveText('300 / 300');
  await page.keyboard.press('Escape');
});

test('projects: keyboard shortcut, rename, delete with confirm; shortcut sheet', async ({ studio }) => {
  const { page } = studio;
  const app = new AppPage(page);
  const projects = new ProjectsPage(page);
  await app.open(studio.url);

  await page.keyboard.press('Control+N');
  const dialog = page.getByTestId('project-dialog');
  await expect(dialog).toBeVisible();
  await dialog.getByTestId('project-dialog-submit').click();
  await expect(dialog).toContainText('A project needs a name.');
  await dialog.getByTestId('project-name-input').fill('Draft');
  await dialog.getByTestId('project-dialog-submit').click();
  await expect(page.getByTestId('media-project-name')).toHaveText('Draft');
  await expect(page.getByTestId('current-project')).toContainText('Draft');

  await page.keyboard.press('Control+1');
  await expect(page.getByTestId('page-projects')).toBeVisible();
  await projects.rename('Draft', 'Final cut');
  await expect(projects.card('Final cut')).toBeVisible();
  await expect(page.getByTestId('current-project')).toContainText('Final cut');

  await projects.delete('Final cut');
  await expect(projects.cards()).toHaveCount(0);
  await expect(page.getByTestId('projects-empty')).toBeVisible();
  await expect(page.getByTestId('current-project')).toContainText('None');

  await page.keyboard.press('Shift+Slash');
  await expect(page.getByTestId('shortcut-sheet')).toBeVisible();
  await page.keyboard.press('Escape');
  await expect(page.getByTestId('shortcut-sheet')).toBeHidden();
});

test('a video dropped on the window is uploaded and imported into the open project', async ({ studio }) => {
  const { page } = studio;
  const app = new AppPage(page);
  const media = new MediaPage(page);
  // A real, tiny video made by ffmpeg for this test.
  const clip = path.join(studio.dataDir, 'drop-test.mp4');
  execFileSync('ffmpeg', ['-v', 'error', '-f', 'lavfi', '-i', 'testsrc2=size=160x120:rate=10:duration=1', '-pix_fmt', 'yuv420p', '-y', clip]);
  const bytes = [...fs.readFileSync(clip)];

  await app.open(studio.url);
  await new ProjectsPage(page).create('Dropped');
  await app.goTo('projects'); // dropping works from any page

  const dataTransfer = await page.evaluateHandle((data) => {
    const dt = new DataTransfer();
    dt.items.add(new File([new Uint8Array(data)], 'drop-test.mp4', { type: 'video/mp4' }));
    return dt;
  }, bytes);
  await page.dispatchEvent('main.content', 'dragenter', { dataTransfer });
  await expect(page.getByTestId('drop-overlay')).toContainText('Dropped');
  await page.dispatchEvent('main.content', 'drop', { dataTransfer });
  await expect(page.getByTestId('drop-overlay')).toBeHidden();

  await expect(page.getByTestId('page-media')).toBeVisible();
  await expect(media.mediaItems()).toHaveCount(1);
  await expect(media.mediaItems().getByTestId('media-name')).toHaveText('drop-test.mp4');
  await expect(media.meta('size')).toHaveText('160 × 120');
  await expect(media.meta('duration')).toHaveText('0:01.0');
  await expect(app.errorToasts()).toHaveCount(0);
});

test('every page in the navigation opens without an error', async ({ studio }) => {
  const { page } = studio;
  const app = new AppPage(page);
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await app.open(studio.url);
  const ids = await page.locator('[data-testid^="nav-"]').evaluateAll((els) => els.map((e) => e.getAttribute('data-testid')!.slice(4)));
  expect(ids.slice(0, 2)).toEqual(['projects', 'media']);
  expect(ids).toContain('settings');
  for (const [i, id] of ids.entries()) {
    // Ctrl+1..9 reaches the first nine pages; the rest by click.
    if (i < 9) await page.keyboard.press(`Control+${i + 1}`);
    else await app.nav(id).click();
    await expect(page.getByTestId(`page-${id}`)).toBeVisible();
    await expect(app.nav(id)).toHaveAttribute('aria-current', 'page');
    if (id === 'cloud') await shot(page, '10-cloud');
  }
  expect(errors).toEqual([]);
  await expect(app.errorToasts()).toHaveCount(0);
});

test('dialogs start on their first field and give the focus back on Esc; error toasts keep off the main buttons and leave by themselves; the tab has an icon', async ({ studio }) => {
  const { page } = studio;
  const app = new AppPage(page);
  const media = new MediaPage(page);
  await app.open(studio.url);

  // the favicon is served with the page
  const icon = await page.evaluate(async () => {
    const link = document.querySelector<HTMLLinkElement>('link[rel="icon"]');
    if (!link) return null;
    const r = await fetch(link.href);
    return { status: r.status, type: r.headers.get('content-type'), bytes: (await r.arrayBuffer()).byteLength };
  });
  expect(icon).toMatchObject({ status: 200, type: 'image/png' });
  expect(icon!.bytes).toBeGreaterThan(100);

  // a dialog opens on its first field, not on Close; Esc returns to the button that opened it
  const newProject = page.getByTestId('new-project').first();
  await newProject.click();
  await expect(page.getByTestId('project-name-input')).toBeFocused();
  await page.keyboard.press('Escape');
  await expect(page.getByTestId('project-dialog')).not.toBeVisible();
  await expect(newProject).toBeFocused();

  // an error toast on the media page with a video selected: it covers none of the page's main buttons
  await new ProjectsPage(page).create('Toasts');
  await media.importSample();
  await expect(page.getByTestId('extract-submit')).toBeVisible();
  await media.importFiles([{ name: 'x.mp4', mimeType: 'video/mp4', buffer: Buffer.from('this is plain text, not a video\n'.repeat(20)) }]);
  const toast = app.errorToasts();
  await expect(toast).toBeVisible();
  const t = (await toast.boundingBox())!;
  const buttons = page.locator('main.content button.primary, main.content [data-testid="extract-submit"], main.content [data-testid="preflight-check"]');
  expect(await buttons.count()).toBeGreaterThan(1);
  for (const b of await buttons.all()) {
    if (!(await b.isVisible())) continue;
    const r = (await b.boundingBox())!;
    const overlaps = r.x < t.x + t.width && t.x < r.x + r.width && r.y < t.y + t.height && t.y < r.y + r.height;
    expect(overlaps, `the toast covers ${await b.getAttribute('data-testid')}`).toBe(false);
  }
  // it leaves by itself (it has no action to wait for), and the page still counts it
  await expect(toast).toHaveCount(0, { timeout: 20_000 });
  await expect(page.getByTestId('toasts')).toHaveAttribute('data-errors-shown', '1');
});

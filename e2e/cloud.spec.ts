/**
 * The Cloud page end to end in Chromium through the browser host, against a local Atlas emulator (one per run
 * of this spec, with a short processing time) that the host reaches over 127.0.0.1:
 * - the three sign-in refusals each in their own sentence, then sign in;
 * - the project's video → pre-flight → gs3d → upload → cloud status → the splat opens in the viewer;
 * - an image → InstantMesh → the GLB in the viewer;
 * - Decal: its GIF turntable shown as an image, its tar.gz listed;
 * - a pre-flight failure (WebP for InstantMesh) blocks Submit and the one-click fix makes it pass;
 * - My items: a cursor page at a time with "load more", delete with confirmation, and the 403 "not yours".
 * Clips and images are made here with ffmpeg, so the repository holds no binary media.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Page } from '@playwright/test';
import { startAtlasEmulator, type AtlasEmulator } from '../emulators/atlas';
import { expect, test as base } from './fixtures';
import { AppPage, watchFor } from './pages/app-page';
import { CloudPage } from './pages/cloud-page';
import { MediaPage } from './pages/media-page';
import { ProjectsPage } from './pages/projects-page';

const ffmpeg = process.env.KRAKEN_FFMPEG ?? 'ffmpeg';
const PASSWORD = 'Kraken-e2e-2026!';
const SHOTS = process.env.KRAKEN_SCREENSHOTS ?? path.join(os.tmpdir(), 'kraken-cloud-shots');

/** One emulator for the whole spec (a worker fixture); each test's host is pointed at it. */
const test = base.extend<{ cloud: CloudPage }, { atlas: AtlasEmulator }>({
  atlas: [
    // eslint-disable-next-line no-empty-pattern -- Playwright reads a fixture's dependencies from this pattern: none
    async ({}, use) => {
      const atlas = await startAtlasEmulator({ processingMs: 1500, quiet: true });
      await use(atlas);
      await atlas.close();
    },
    { scope: 'worker' },
  ],
  // The host finds the emulator as `npm start` hands it over (labelled "local emulator"); an outer KRAKEN_ATLAS_URL would win, so it is blanked.
  hostEnv: async ({ atlas }, use) => use({ KRAKEN_EMULATOR_ATLAS_URL: atlas.url, KRAKEN_ATLAS_URL: '' }),
  cloud: async ({ page }, use) => use(new CloudPage(page)),
});

let dir = '';
const file = (name: string) => path.join(dir, name);
function run(args: string[]): void {
  execFileSync(ffmpeg, ['-hide_banner', '-loglevel', 'error', '-y', ...args], { stdio: ['ignore', 'ignore', 'inherit'] });
}

test.beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kraken-cloud-e2e-'));
  // a short walk-around stand-in: moving colours, H.264 MP4 within gs3d's limits (≤ 180 s, ≤ FHD, ≤ 300 MB)
  run(['-f', 'lavfi', '-i', 'testsrc2=size=640x480:rate=24:duration=4', '-c:v', 'libx264', '-pix_fmt', 'yuv420p', '-preset', 'ultrafast', file('walkaround.mp4')]);
  // Decal wants 20–60 s
  run(['-f', 'lavfi', '-i', 'testsrc2=size=320x240:rate=12:duration=21', '-c:v', 'libx264', '-pix_fmt', 'yuv420p', '-preset', 'ultrafast', file('phone-decal.mp4')]);
  // ~35 MB that does not compress (lossless noise): big enough that an upload Atlas does not read yet stalls part-way
  run(['-f', 'lavfi', '-i', "nullsrc=s=1280x720:r=25,geq=lum='random(0)*255':cb=128:cr=128", '-t', '1', '-c:v', 'libx264', '-preset', 'ultrafast', '-qp', '0', '-pix_fmt', 'yuv420p', file('noisy.mp4')]);
  // MusePose: a vertical clip under 20 s and a vertical reference image (here WebP, which it refuses)
  run(['-f', 'lavfi', '-i', 'testsrc2=size=360x640:rate=24:duration=3', '-c:v', 'libx264', '-pix_fmt', 'yuv420p', '-preset', 'ultrafast', file('dancer.mp4')]);
  run(['-f', 'lavfi', '-i', 'testsrc2=size=400x640', '-frames:v', '1', '-c:v', 'libwebp', file('pose.webp')]);
  // InstantMesh wants a PNG/JPEG of at least 300 × 300
  run(['-f', 'lavfi', '-i', 'testsrc2=size=512x512', '-frames:v', '1', file('statue.png')]);
  // … and refuses WebP: pre-flight says so and offers "Convert to JPEG"
  run(['-f', 'lavfi', '-i', 'testsrc2=size=512x512', '-frames:v', '1', '-c:v', 'libwebp', file('statue-webp.webp')]);
  fs.mkdirSync(SHOTS, { recursive: true });
});

test.afterAll(() => {
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

let userCount = 0;
/** A confirmed Atlas account of its own for each test. */
async function newUser(atlas: AtlasEmulator, nickname = 'Creator'): Promise<string> {
  const email = `creator${++userCount}-${Date.now()}@example.com`;
  await atlas.createUser({ email, password: PASSWORD, nickname });
  return email;
}

/** Opens the studio, makes a project holding these files, and shows the Cloud page. */
async function openWithProject(page: Page, url: string, files: string[]): Promise<void> {
  const app = new AppPage(page);
  await app.open(url);
  await app.goTo('projects');
  await new ProjectsPage(page).create('Cloud capture');
  const media = new MediaPage(page);
  await media.importFiles(files.map(file));
  await expect(media.mediaItems()).toHaveCount(files.length, { timeout: 60_000 });
  await app.goTo('cloud');
}

test('sign-in refusals, then a video becomes a Gaussian splat in the viewer', async ({ studio, atlas, cloud, page }) => {
  const email = await newUser(atlas, 'Mina');
  const unconfirmed = `unconfirmed-${Date.now()}@example.com`;
  await atlas.createUser({ email: unconfirmed, password: PASSWORD, confirmed: false });
  const google = `google-${Date.now()}@example.com`;
  await atlas.createUser({ email: google, provider: 'google' });

  await openWithProject(page, studio.url, ['walkaround.mp4']);
  await expect(cloud.connection().getByTestId('cloud-url')).toHaveText(atlas.url);
  await expect(cloud.connection().getByTestId('cloud-emulator-badge')).toHaveText('Local emulator');
  await cloud.expectReachable();
  await expect(cloud.connection().getByTestId('cloud-latency')).toHaveText(/\d+(\.\d)? (ms|s)$/);
  // signed out: Submit waits for an account and says so
  await expect(cloud.submitButton()).toBeDisabled();
  await expect(page.getByTestId('cloud-submit-why')).toHaveText('Sign in to submit.');

  // sign-up's rule is shown live, part by part
  await page.getByTestId('account-mode-signUp').click();
  await page.getByTestId('account-password').fill('short1!');
  await expect(page.getByTestId('rule-length')).toHaveAttribute('data-met', 'false');
  await expect(page.getByTestId('rule-digit')).toHaveAttribute('data-met', 'true');
  await expect(page.getByTestId('rule-upper')).toHaveAttribute('data-met', 'false');
  await cloud.account().screenshot({ path: path.join(SHOTS, 'cloud-sign-up-rule.png') });
  await page.getByTestId('account-password').fill('Much-longer-1');
  for (const rule of ['length', 'upper', 'lower', 'digit', 'special']) await expect(page.getByTestId(`rule-${rule}`)).toHaveAttribute('data-met', 'true');

  // the three refusals of sign-in, each in its own sentence
  await cloud.trySignIn(email, 'Wrong-password-1!');
  await expect(cloud.accountError()).toHaveAttribute('data-reason', 'wrongPassword');
  await expect(cloud.accountError()).toContainText('The e-mail or the password is wrong.');
  await cloud.trySignIn(unconfirmed, PASSWORD);
  await expect(cloud.accountError()).toHaveAttribute('data-reason', 'notConfirmed');
  await expect(cloud.accountError().getByTestId('account-resend')).toBeVisible();
  await cloud.account().screenshot({ path: path.join(SHOTS, 'cloud-sign-in-unconfirmed.png') });
  const mailsBefore = atlas.sentMails({ to: unconfirmed }).length;
  await cloud.accountError().getByTestId('account-resend').click();
  await expect(page.getByTestId('toast-success').filter({ hasText: `Confirmation e-mail sent to ${unconfirmed}` })).toBeVisible();
  expect(atlas.sentMails({ to: unconfirmed }).length).toBe(mailsBefore + 1);
  await cloud.trySignIn(google, PASSWORD);
  await expect(cloud.accountError()).toHaveAttribute('data-reason', 'google');

  // forgot password: Atlas mails a temporary one (to another account: it replaces the password)
  const forgetful = await newUser(atlas, 'Forgetful');
  await page.getByTestId('account-forgot').click();
  await expect(page.getByTestId('account-form')).toHaveAttribute('data-mode', 'reset');
  await page.getByTestId('account-email').fill(forgetful);
  await page.getByTestId('account-submit').click();
  await expect(page.getByTestId('toast-success').filter({ hasText: `Temporary password sent to ${forgetful}` })).toBeVisible();
  expect(atlas.sentMails({ to: forgetful })).toHaveLength(1);
  await page.getByTestId('account-back').click();

  await cloud.signIn(email, PASSWORD);
  await expect(page.getByTestId('account-profile-nickname')).toHaveText('Mina');

  // the project's video, checked against gs3d's limits before a byte is sent
  await cloud.chooseModel('gs3d');
  await cloud.chooseMedia('walkaround.mp4');
  await cloud.expectVerdict('ok');
  await expect(cloud.form().getByTestId('cloud-name')).toHaveValue('walkaround');
  await cloud.form().getByTestId('cloud-epoch').fill('0');
  await expect(cloud.submitButton()).toBeDisabled(); // Epoch is 1–100
  await cloud.form().getByTestId('cloud-epoch').fill('5');

  const sawUpload = await watchFor(page, 'cloud-upload');
  const sawProcessing = await watchFor(page, 'cloud-processing');
  const job = await cloud.submit();
  await expect(job).toHaveAttribute('data-model', 'gs3d');
  await cloud.expectDone(job);
  expect(await sawUpload(), 'the upload bar was shown').toBe(true);
  expect(await sawProcessing(), 'the cloud status was shown').toBe(true);
  await expect(job).toHaveAttribute('data-cloud-status', 'OK');
  await expect(job.getByTestId('cloud-job-state')).toHaveText('Done');
  await expect(page.getByTestId('toast-success').filter({ hasText: '“walkaround” is ready' })).toBeVisible();
  await expect(cloud.result(job, 'ply')).toHaveCount(1);
  await page.screenshot({ path: path.join(SHOTS, 'cloud-gs3d-done.png') });

  // the splat file is the emulator's, byte for byte, inside the project's data folder
  const rel = await cloud.result(job, 'ply').getAttribute('data-file');
  expect(rel).toMatch(/^projects\/\d+\//);
  const requestId = (await job.getAttribute('data-request-id'))!;
  expect(fs.readFileSync(path.join(studio.dataDir, rel!)).equals(fs.readFileSync(atlas.resultFile(requestId, 1)!))).toBe(true);

  await cloud.openIn3d(job, 'ply');
  expect(await cloud.viewerStat('splats')).toBeGreaterThan(0);
  await page.screenshot({ path: path.join(SHOTS, 'cloud-gs3d-viewer.png') });
});

test('an image becomes an InstantMesh GLB in the viewer', async ({ studio, atlas, cloud, page }) => {
  const email = await newUser(atlas);
  await openWithProject(page, studio.url, ['statue.png']);
  await cloud.signIn(email, PASSWORD);
  await cloud.chooseModel('instant-mesh');
  await expect(cloud.form().getByTestId('cloud-media')).toHaveValue(/\d+/); // the image is picked by itself
  await cloud.expectVerdict('ok');
  const job = await cloud.submit();
  const jobId = await job.getAttribute('data-job-id');
  // the creator moves on: the news that it is ready reaches them on the Media page
  const app = new AppPage(page);
  await app.goTo('media');
  await expect(page.getByTestId('toast-success').filter({ hasText: '“statue” is ready' })).toBeVisible({ timeout: 90_000 });
  await app.goTo('cloud');
  await cloud.expectDone(cloud.job(jobId!));
  await expect(cloud.result(job, 'glb')).toHaveCount(1);
  await expect(cloud.result(job, 'obj')).toHaveCount(1);
  await cloud.openIn3d(job, 'glb');
  await expect(page.getByTestId('viewer-stats-0').getByTestId('stat-format')).toHaveAttribute('data-value', 'glb');
  expect(await cloud.viewerStat('faces')).toBeGreaterThan(0);
});

test('Decal: the GIF turntable is shown as an image and the tar.gz is listed', async ({ studio, atlas, cloud, page }) => {
  const email = await newUser(atlas);
  await openWithProject(page, studio.url, ['phone-decal.mp4']);
  await cloud.signIn(email, PASSWORD);
  await cloud.chooseModel('decal');
  await expect(cloud.form().getByTestId('cloud-epoch')).toHaveCount(0); // Decal takes no Epoch
  await expect(cloud.form().getByTestId('cloud-device-type')).toHaveValue('android');
  await cloud.expectVerdict('ok');
  const job = await cloud.submit();
  await cloud.expectDone(job);
  await expect(cloud.result(job, 'glb')).toHaveCount(1);
  const gif = cloud.result(job, 'gif');
  await gif.getByTestId('cloud-show-image').click();
  const img = gif.getByTestId('cloud-result-image');
  await expect(img).toBeVisible();
  await expect.poll(() => img.evaluate((el) => (el as HTMLImageElement).naturalWidth)).toBeGreaterThan(0);
  const archive = cloud.result(job, 'tar.gz').getByTestId('cloud-archive');
  await archive.locator('summary').click();
  await expect(archive.locator('li').first()).toBeVisible();
  await page.screenshot({ path: path.join(SHOTS, 'cloud-decal-results.png') });
});

test('a pre-flight failure blocks Submit and its one-click fix makes it pass', async ({ studio, atlas, cloud, page }) => {
  const email = await newUser(atlas);
  const itemsBefore = atlas.items().length;
  await openWithProject(page, studio.url, ['statue-webp.webp']);
  await cloud.signIn(email, PASSWORD);
  await cloud.chooseModel('instant-mesh');
  await cloud.expectVerdict('bad');
  await expect(cloud.problem('WRONG_IMAGE_FORMAT')).toBeVisible();
  await expect(cloud.submitButton()).toBeDisabled();
  await expect(page.getByTestId('cloud-submit-why')).toHaveText('Fix the pre-flight problems first.');
  await page.screenshot({ path: path.join(SHOTS, 'cloud-preflight-blocked.png') });

  await cloud.problem('WRONG_IMAGE_FORMAT').getByTestId('cloud-fix-image-jpeg').click();
  await cloud.expectVerdict('ok');
  await expect(page.getByTestId('cloud-fixed')).toContainText('passes');
  // the fixed copy is now the input, and nothing was sent to the cloud meanwhile
  const chosen = cloud.form().getByTestId('cloud-media').locator('option:checked');
  await expect(chosen).toHaveText(/\.jpe?g$/);
  await expect(cloud.submitButton()).toBeEnabled();
  expect(atlas.items()).toHaveLength(itemsBefore);
});

test('My items: load more by cursor, delete with confirmation, and "not yours"', async ({ studio, atlas, cloud, page }) => {
  const email = await newUser(atlas, 'Lister');
  // twelve items made through the emulator's own API (as another device of this account would)
  const signIn = await fetch(`${atlas.url}/atlas/auth/sign-In`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ id: email, password: PASSWORD }) });
  const { accessToken } = (await signIn.json()) as { accessToken: string };
  const png = fs.readFileSync(file('statue.png'));
  const made: string[] = [];
  for (let i = 1; i <= 12; i++) {
    const body = new FormData();
    body.append('itemName', `item ${String(i).padStart(2, '0')}`);
    body.append('Epoch', '1');
    body.append('Image', new Blob([png], { type: 'image/png' }), 'statue.png');
    const res = await fetch(`${atlas.url}/atlas/item/instant-mesh`, { method: 'POST', headers: { authorization: `Bearer ${accessToken}` }, body });
    expect(res.status).toBe(201);
    made.push(String(((await res.json()) as { requestId: string | number }).requestId));
  }

  await openWithProject(page, studio.url, ['statue.png']);
  await cloud.signIn(email, PASSWORD);
  await cloud.showItems('gs3d');
  await expect(cloud.items().getByTestId('cloud-items-empty')).toBeVisible();
  await cloud.showItems('instant-mesh');
  await expect(cloud.itemRows()).toHaveCount(10); // one cursor page
  await expect(cloud.itemRows().first().getByTestId('cloud-item-name')).toHaveText('item 12'); // newest first
  await cloud.loadMore();
  await expect(cloud.itemRows()).toHaveCount(12);
  await expect(cloud.items().getByTestId('cloud-items-more')).toHaveCount(0);
  // an item's own files: its thumbnail fetched into the data folder and shown
  const newest = cloud.item(made[11]!);
  await newest.getByTestId('cloud-item-toggle').click();
  await newest.getByTestId('item-file-thumbnail').click();
  const saved = newest.getByTestId('item-file-saved');
  await expect(saved).toBeVisible();
  await expect.poll(() => saved.locator('img').evaluate((el) => (el as HTMLImageElement).naturalWidth)).toBeGreaterThan(0);
  await page.screenshot({ path: path.join(SHOTS, 'cloud-my-items.png') });

  await cloud.deleteItem(made[0]!);
  await expect(cloud.item(made[0]!)).toHaveCount(0);
  await expect(cloud.itemRows()).toHaveCount(11);
  expect(atlas.item(made[0]!)).toBeNull();

  // Atlas refuses to delete an item of another account with 403: the row stays and says why
  atlas.addFault({ route: 'DELETE /atlas/item/*', status: 403, times: 1 });
  await cloud.deleteItem(made[1]!);
  await expect(cloud.item(made[1]!).getByTestId('cloud-item-error')).toHaveAttribute('data-reason', 'notYours');
  await expect(cloud.item(made[1]!)).toContainText('belongs to another account');
  expect(atlas.item(made[1]!)).not.toBeNull();
});

test('in Korean, with the tabs reached by keyboard; the Training tab leads to the Training page', async ({ studio, atlas, cloud, page }) => {
  const email = await newUser(atlas, '미나');
  const app = new AppPage(page);
  await openWithProject(page, studio.url, ['walkaround.mp4']);
  await app.goTo('settings');
  await page.getByTestId('language-ko').click();
  await app.goTo('cloud');
  await expect(page.getByTestId('cloud-tab-generate')).toHaveText('3D 생성');
  await cloud.signIn(email, PASSWORD);
  await cloud.expectVerdict('ok');
  await expect(cloud.preflight()).toContainText('제한을 통과합니다');
  await page.screenshot({ path: path.join(SHOTS, 'cloud-ko.png') });

  // the tabs are a WAI-ARIA tab row: arrows move between them
  await page.getByTestId('cloud-tab-generate').focus();
  await page.keyboard.press('ArrowRight');
  await expect(page.getByTestId('cloud-tab-training')).toHaveAttribute('aria-selected', 'true');
  await expect(page.getByTestId('cloud-tab-training')).toBeFocused();
  await expect(page.getByTestId('cloud-training-tab')).toContainText('학습은 전용 페이지에서 합니다');
  await page.keyboard.press('End');
  await expect(page.getByTestId('compute-tab')).toBeVisible(); // GPU sessions are live (issue 14)
  await page.keyboard.press('Home');
  await expect(cloud.form()).toBeVisible();
  await page.keyboard.press('ArrowRight');
  await page.getByTestId('cloud-open-training').click();
  await expect(page.getByTestId('training-page')).toBeVisible();
});

test('Atlas away at submit: queued, sent when it is back; a failed download is retried', async ({ studio, cloud, page }) => {
  // An Atlas of this test's own, on an address set through the page, that can be stopped and started again.
  const atlasDir = fs.mkdtempSync(path.join(os.tmpdir(), 'kraken-cloud-e2e-atlas-'));
  let own = await startAtlasEmulator({ processingMs: 1000, quiet: true, dataDir: atlasDir });
  const { port } = own;
  try {
    const email = await newUser(own);
    await openWithProject(page, studio.url, ['walkaround.mp4']);
    await cloud.connection().getByTestId('cloud-url-edit').click();
    await cloud.connection().getByTestId('cloud-url-input').fill('not a url');
    await cloud.connection().getByTestId('cloud-url-save').click();
    await expect(cloud.connection()).toContainText('Enter an address that starts with http:// or https://.');
    await cloud.connection().getByTestId('cloud-url-input').fill(own.url);
    await cloud.connection().getByTestId('cloud-url-save').click();
    await expect(cloud.connection().getByTestId('cloud-url')).toHaveText(own.url);
    await expect(cloud.connection().getByTestId('cloud-emulator-badge')).toHaveText('Remote');
    await cloud.expectReachable();
    await cloud.signIn(email, PASSWORD);
    await cloud.chooseModel('gs3d');
    await cloud.expectVerdict('ok');

    await own.close();
    const job = await cloud.submit();
    await expect(job).toHaveAttribute('data-state', 'queued', { timeout: 30_000 });
    await expect(job.getByTestId('cloud-job-queued')).toBeVisible();
    await expect(page.getByTestId('cloud-reach')).toHaveAttribute('data-state', 'unreachable'); // the panel learns it from the job
    await page.screenshot({ path: path.join(SHOTS, 'cloud-queued.png') });

    // back on the same address and state; its downloads fail for now
    own = await startAtlasEmulator({ port, processingMs: 1000, quiet: true, dataDir: atlasDir });
    own.addFault({ route: 'GET /atlas/item/download/*', status: 500 });
    await expect(job).toHaveAttribute('data-state', 'failed', { timeout: 90_000 });
    await expect(job).toHaveAttribute('data-request-id', /.+/); // it was sent, and Atlas made the item
    await cloud.expectReachable();
    await expect(job.getByTestId('cloud-job-error')).toBeVisible();
    await expect(page.getByTestId('toast-error').filter({ hasText: 'walkaround' })).toBeVisible();
    await page.screenshot({ path: path.join(SHOTS, 'cloud-failed.png') });

    own.clearFaults();
    await job.getByTestId('cloud-job-retry').click();
    await cloud.expectDone(job);
    await expect(cloud.result(job, 'ply')).toHaveCount(1);
    expect(own.items()).toHaveLength(1); // retried from the download, not submitted twice
  } finally {
    await own.close().catch(() => undefined);
    fs.rmSync(atlasDir, { recursive: true, force: true });
  }
});

test('Cancel stops an upload Atlas has not taken yet; Retry sends it again', async ({ studio, atlas, cloud, page }) => {
  const email = await newUser(atlas);
  await openWithProject(page, studio.url, ['noisy.mp4']);
  await cloud.signIn(email, PASSWORD);
  await cloud.chooseModel('gs3d');
  await cloud.expectVerdict('ok');
  // Atlas takes its time before it reads this upload: the body backs up and the upload stays under way
  atlas.addFault({ route: 'POST /atlas/item/gs3d', delayMs: 60_000, times: 1 });
  const itemsBefore = atlas.items().length;
  const job = await cloud.submit();
  await expect(job).toHaveAttribute('data-state', 'uploading', { timeout: 30_000 });
  await expect(job.getByTestId('cloud-upload-bar')).toBeVisible();
  await page.screenshot({ path: path.join(SHOTS, 'cloud-uploading.png') });

  await job.getByTestId('cloud-job-cancel').click();
  await expect(job).toHaveAttribute('data-state', 'cancelled');
  await expect(job.getByTestId('cloud-upload')).toHaveCount(0);

  await job.getByTestId('cloud-job-retry').click();
  await cloud.expectDone(job);
  expect(atlas.items().length).toBe(itemsBefore + 1); // the cancelled upload made no item
});

test('account: sign up, confirm, change password, sign out, an expired session, delete', async ({ studio, atlas, cloud, page }) => {
  const email = `newcomer-${Date.now()}@example.com`;
  await openWithProject(page, studio.url, ['statue.png']);
  await page.getByTestId('account-mode-signUp').click();
  await page.getByTestId('account-email').fill(email);
  await page.getByTestId('account-nickname').fill('Newcomer');
  await page.getByTestId('account-password').fill('weakpassword');
  await expect(page.getByTestId('account-submit')).toBeDisabled(); // the rule is checked before anything is sent
  await page.getByTestId('account-password').fill(PASSWORD);
  await page.getByTestId('account-submit').click();
  await expect(page.getByTestId('account-signed-up')).toContainText(email);
  await expect(page.getByTestId('account-form')).toHaveAttribute('data-mode', 'signIn');

  await cloud.trySignIn(email, PASSWORD);
  await expect(cloud.accountError()).toHaveAttribute('data-reason', 'notConfirmed');
  atlas.confirmEmail(email);
  await cloud.signIn(email, PASSWORD);
  await expect(page.getByTestId('account-profile-nickname')).toHaveText('Newcomer');

  const next = 'Another-pass-42!';
  await page.getByTestId('account-change-password').click();
  await page.getByTestId('change-password-input').fill('short');
  await expect(page.getByTestId('change-password-submit')).toBeDisabled();
  await page.getByTestId('change-password-input').fill(next);
  await page.getByTestId('change-password-submit').click();
  await expect(page.getByTestId('toast-success').filter({ hasText: 'Password changed' })).toBeVisible();
  await page.getByTestId('account-sign-out').click();
  await expect(cloud.account()).toHaveAttribute('data-state', 'signedOut');
  await cloud.trySignIn(email, PASSWORD);
  await expect(cloud.accountError()).toHaveAttribute('data-reason', 'wrongPassword');
  await cloud.signIn(email, next);

  // fifteen days later the refresh token is refused: signed out, asked to sign in again
  atlas.advanceClock(15 * 24 * 3600 * 1000);
  await page.getByTestId('account-refresh').click();
  await expect(cloud.account()).toHaveAttribute('data-state', 'expired');
  await expect(page.getByTestId('account-expired')).toBeVisible();
  await cloud.signIn(email, next);

  await page.getByTestId('account-delete').click();
  const dialog = page.getByTestId('delete-account-dialog');
  await dialog.getByTestId('delete-account-email').fill('someone-else@example.com');
  await expect(dialog.getByTestId('confirm-button')).toBeDisabled();
  await dialog.getByTestId('delete-account-email').fill(email);
  await dialog.getByTestId('confirm-button').click();
  await expect(cloud.account()).toHaveAttribute('data-state', 'signedOut');
  const res = await fetch(`${atlas.url}/atlas/auth/sign-In`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ id: email, password: next }) });
  expect(res.status).toBe(401); // gone at Atlas too
});

test('each model asks for its own inputs and fields: MusePose a video and an image, NeRF2Mesh resize', async ({ studio, atlas, cloud, page }) => {
  const email = await newUser(atlas);
  await openWithProject(page, studio.url, ['walkaround.mp4', 'statue.png']);
  await cloud.signIn(email, PASSWORD);

  await cloud.chooseModel('musepose');
  await expect(cloud.form().getByTestId('cloud-media').locator('option:checked')).toHaveText('walkaround.mp4');
  await expect(cloud.form().getByTestId('cloud-image').locator('option:checked')).toHaveText('statue.png');
  await cloud.expectVerdict('bad'); // MusePose wants both vertical; this landscape clip is not
  await expect(cloud.problem('NOT_VERTICAL').first()).toBeVisible();
  await expect(cloud.submitButton()).toBeDisabled();

  await cloud.chooseModel('nerf2mesh');
  await expect(cloud.form().getByTestId('cloud-image')).toHaveCount(0);
  await expect(cloud.form().getByTestId('cloud-resize')).not.toBeChecked();
  await cloud.expectVerdict('bad');
  await expect(cloud.problem('TOO_SHORT')).toBeVisible(); // 4 s; NeRF2Mesh wants 20–180 s, and no fix can lengthen it
  await expect(cloud.problem('TOO_SHORT')).toContainText('Needs a new recording');

  await cloud.chooseModel('instant-mesh');
  await expect(cloud.form().getByTestId('cloud-media').locator('option:checked')).toHaveText('statue.png');
  await cloud.expectVerdict('ok');
  await expect(cloud.submitButton()).toBeEnabled();
});

test('MusePose: a problem of the reference image is fixed on the image, then the pair passes', async ({ studio, atlas, cloud, page }) => {
  const email = await newUser(atlas);
  await openWithProject(page, studio.url, ['dancer.mp4', 'pose.webp']);
  await cloud.signIn(email, PASSWORD);
  await cloud.chooseModel('musepose');
  await expect(cloud.form().getByTestId('cloud-image').locator('option:checked')).toHaveText('pose.webp');
  await cloud.expectVerdict('bad');
  const problem = cloud.problem('WRONG_IMAGE_FORMAT');
  await expect(problem).toBeVisible();
  await problem.getByTestId('cloud-fix-image-jpeg').click();
  await expect(cloud.form().getByTestId('cloud-image').locator('option:checked')).toHaveText(/\.jpe?g$/, { timeout: 60_000 });
  await expect(cloud.form().getByTestId('cloud-media').locator('option:checked')).toHaveText('dancer.mp4'); // the video stays
  await cloud.expectVerdict('ok');
  await expect(cloud.submitButton()).toBeEnabled();
});

/**
 * 3D viewer: time to the first rendered frame of a 1,000,000-point binary PLY opened from a file input,
 * the studio's loader (parse in a worker, transferred buffers, precomputed bounds) against three.js's own
 * PLYLoader parsing on the page thread, in the same Chromium run; the longest page-thread task during each
 * load (PerformanceObserver 'longtask'); and the frame time while orbiting (turntable) for each.
 * Also one 500,000-splat 3DGS PLY load through the studio (no three.js counterpart on WebGL).
 *
 *   npm run build && node --import tsx bench/viewer.bench.ts [--points 1000000] [--splats 500000] [--rounds 3] [--orbit-ms 6000]
 *
 * Uses the browser host (dist/main/host) for the studio page and a blank page with a bundled three.js +
 * PLYLoader for the baseline; both draw the same points (2 px, vertex colours, same canvas size).
 * Writes bench/results/viewer.json.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { chromium, type Browser, type BrowserContext, type Page } from '@playwright/test';
import { build } from 'esbuild';
import { makePointCloud, makeSplats, writeGaussianPly, writePly } from '../renderer/src/pages/viewer/fixtures/fixture-writer';

const { values } = parseArgs({
  options: {
    points: { type: 'string', default: '1000000' },
    splats: { type: 'string', default: '500000' },
    rounds: { type: 'string', default: '3' },
    'orbit-ms': { type: 'string', default: '6000' },
  },
});
const POINTS = Number(values.points);
const SPLATS = Number(values.splats);
const ROUNDS = Number(values.rounds);
const ORBIT_MS = Number(values['orbit-ms']);

const root = path.resolve(__dirname, '..');
const hostEntry = path.join(root, 'dist', 'main', 'host', 'index.js');
const chromiumArgs = ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'];

interface LoadFigures {
  firstFrameMs: number;
  parsedMs: number;
  longestTaskMs: number;
  longestTaskBeforeFirstFrameMs: number;
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};
const round1 = (x: number) => Math.round(x * 10) / 10;

function startHost(dataDir: string): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(process.execPath, [hostEntry, '--port', '0', '--data-dir', dataDir, '--no-open'], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
  return new Promise((resolve, reject) => {
    let log = '';
    const timer = setTimeout(() => reject(new Error(`host did not start:\n${log}`)), 30_000);
    child.stdout!.on('data', (c: Buffer) => {
      log += c.toString();
      const m = /running at (\S+)/.exec(log);
      if (m) {
        clearTimeout(timer);
        resolve({ child, url: m[1]! });
      }
    });
    child.stderr!.on('data', (c: Buffer) => (log += c.toString()));
    child.once('exit', (code) => reject(new Error(`host exited (${code}):\n${log}`)));
  });
}

// The page-side recorder shared by both pages: long tasks since the page started.
const LONGTASK_INIT = `window.__longtasks = []; new PerformanceObserver((l) => { for (const e of l.getEntries()) window.__longtasks.push({ start: e.startTime, duration: e.duration }); }).observe({ type: 'longtask', buffered: true });`;

/** Longest long task overlapping [from, to], and the longest one that began before the model was built
 *  (`builtAt`: the parse, transfer and build work, without the first frame's drawing). */
async function longTasks(page: Page, from: number, to: number, firstFrameStart: number): Promise<{ longest: number; beforeFirstFrame: number }> {
  const tasks = (await page.evaluate('window.__longtasks')) as { start: number; duration: number }[];
  const during = tasks.filter((t) => t.start + t.duration >= from && t.start <= to);
  return {
    longest: Math.max(0, ...during.map((t) => t.duration)),
    beforeFirstFrame: Math.max(0, ...during.filter((t) => t.start < firstFrameStart).map((t) => t.duration)),
  };
}

/** rAF intervals over `ms` milliseconds while the page animates (median = frame time). */
async function frameIntervals(page: Page, ms: number): Promise<number[]> {
  return (await page.evaluate(
    `(async () => { const ts = []; const end = performance.now() + ${ms}; await new Promise((res) => { function f(t) { ts.push(t); if (t < end) requestAnimationFrame(f); else res(); } requestAnimationFrame(f); }); return ts.slice(1).map((t, i) => t - ts[i]); })()`,
  )) as number[];
}

/** The host prints a single-use sign-in link: the first round signs in, later rounds reuse that session's cookie. */
const signedIn = new Map<string, { base: string; storageState: Awaited<ReturnType<BrowserContext['storageState']>> }>();

async function studioRound(browser: Browser, url: string, file: string, expectStat: [string, number]): Promise<{ load: LoadFigures; canvas: { width: number; height: number }; frames?: number[]; renderer: string }> {
  const known = signedIn.get(url);
  const page = await browser.newPage({ viewport: { width: 1360, height: 860 }, ...(known ? { storageState: known.storageState } : {}) });
  if (!known) {
    const res = await page.request.get(url, { maxRedirects: 0 });
    signedIn.set(url, { base: new URL(res.headers()['location'] ?? '/', url).href, storageState: await page.context().storageState() });
  }
  await page.addInitScript(LONGTASK_INIT);
  await page.goto(`${signedIn.get(url)!.base}#/viewer`);
  await page.getByTestId('viewer-page').waitFor();
  const grid = page.getByTestId('viewer-grid');
  if ((await grid.getAttribute('aria-pressed')) === 'true') await grid.click(); // the baseline draws no grid
  await page.waitForTimeout(1500); // let the start-up frames (environment map, shaders) settle
  await page.getByTestId('viewer-file-input').setInputFiles(file);
  const canvas = page.getByTestId('viewer-canvas-0');
  await page.waitForSelector('[data-testid="viewer-canvas-0"][data-rendered-load]', { timeout: 300_000 });
  const stat = await page.getByTestId(`stat-${expectStat[0]}`).getAttribute('data-value');
  if (Number(stat) !== expectStat[1]) throw new Error(`studio shows ${expectStat[0]}=${stat}, expected ${expectStat[1]}`);
  await page.waitForTimeout(300); // let the first frame's task finish so the observer has it
  const rec = (await page.evaluate('window.__krakenViewer.loads[window.__krakenViewer.loads.length - 1]')) as { startedAt: number; parsedAt: number; builtAt: number; firstFrameAt: number };
  // the first frame starts after the build; its own task is the GPU work that follows
  const lt = await longTasks(page, rec.startedAt, rec.firstFrameAt, rec.builtAt);
  const box = (await canvas.boundingBox())!;
  const renderer = (await page.evaluate(`(() => { const gl = document.createElement('canvas').getContext('webgl2'); const e = gl.getExtension('WEBGL_debug_renderer_info'); return e ? gl.getParameter(e.UNMASKED_RENDERER_WEBGL) : gl.getParameter(gl.RENDERER); })()`)) as string;
  let frames: number[] | undefined;
  if (ORBIT_MS > 0 && expectStat[0] === 'points') {
    await page.getByTestId('viewer-turntable').click();
    await page.waitForTimeout(500);
    frames = await frameIntervals(page, ORBIT_MS);
    await page.getByTestId('viewer-turntable').click();
  }
  await page.close();
  return {
    load: { firstFrameMs: rec.firstFrameAt - rec.startedAt, parsedMs: rec.parsedAt - rec.startedAt, longestTaskMs: lt.longest, longestTaskBeforeFirstFrameMs: lt.beforeFirstFrame },
    canvas: { width: Math.round(box.width), height: Math.round(box.height) },
    frames,
    renderer,
  };
}

// three.js's PLYLoader on the page thread: file → arrayBuffer → parse → Points → first render.
const BASELINE_SOURCE = `
import * as THREE from 'three';
import { PLYLoader } from 'three/examples/jsm/loaders/PLYLoader.js';
const w = window;
w.__bench = { state: 'idle' };
w.setupBaseline = (width, height, software) => {
  const renderer = new THREE.WebGLRenderer({ antialias: !software, alpha: true });
  renderer.setPixelRatio(1);
  renderer.setSize(width, height);
  document.body.appendChild(renderer.domElement);
  const scene = new THREE.Scene();
  scene.background = new THREE.Color(0x14171f);
  const camera = new THREE.PerspectiveCamera(45, width / height, 0.01, 2000);
  camera.position.set(4, 3, 5);
  camera.lookAt(0, 0, 0);
  renderer.render(scene, camera);
  const input = document.createElement('input');
  input.type = 'file';
  input.id = 'file';
  document.body.appendChild(input);
  let points = null;
  input.addEventListener('change', async () => {
    const startedAt = performance.now();
    w.__bench = { state: 'loading', startedAt };
    const buffer = await input.files[0].arrayBuffer();
    const geometry = new PLYLoader().parse(buffer);
    const parsedAt = performance.now();
    const material = new THREE.PointsMaterial({ size: 2, sizeAttenuation: false, vertexColors: geometry.hasAttribute('color') });
    points = new THREE.Points(geometry, material);
    geometry.computeBoundingSphere();
    const s = geometry.boundingSphere;
    const dist = s.radius / Math.sin((22.5 * Math.PI) / 180) * 1.15;
    camera.position.copy(s.center).add(new THREE.Vector3(1, 0.7, 1.3).normalize().multiplyScalar(dist));
    camera.near = dist / 1000; camera.far = dist * 100; camera.updateProjectionMatrix();
    camera.lookAt(s.center);
    scene.add(points);
    const builtAt = performance.now();
    requestAnimationFrame(() => {
      renderer.render(scene, camera);
      w.__bench = { state: 'done', startedAt, parsedAt, builtAt, firstFrameAt: performance.now(), count: geometry.attributes.position.count };
    });
  });
  w.orbitBaseline = () => new Promise((resolve) => {
    let spinning = true;
    const target = points.geometry.boundingSphere.center;
    const up = new THREE.Vector3(0, 1, 0);
    let last = performance.now();
    function f(t) {
      const dt = Math.min(0.1, (t - last) / 1000);
      last = t;
      camera.position.sub(target).applyAxisAngle(up, dt * 0.5).add(target);
      camera.lookAt(target);
      renderer.render(scene, camera);
      if (spinning) requestAnimationFrame(f);
    }
    requestAnimationFrame(f);
    resolve(() => { spinning = false; });
  });
};
`;

async function baselineBundle(): Promise<string> {
  const out = await build({ stdin: { contents: BASELINE_SOURCE, resolveDir: root, loader: 'js' }, bundle: true, format: 'iife', write: false, logLevel: 'error', target: 'es2022' });
  return out.outputFiles[0]!.text;
}

async function baselineRound(browser: Browser, bundle: string, file: string, canvas: { width: number; height: number }, software: boolean): Promise<{ load: LoadFigures; frames?: number[] }> {
  const page = await browser.newPage({ viewport: { width: 1360, height: 860 } });
  await page.setContent('<!doctype html><html><body style="margin:0;background:#14171f"></body></html>');
  await page.evaluate(LONGTASK_INIT);
  await page.addScriptTag({ content: bundle });
  await page.evaluate(([w, h, sw]) => (window as unknown as { setupBaseline(w: number, h: number, s: boolean): void }).setupBaseline(w, h, sw), [canvas.width, canvas.height, software] as const);
  await page.waitForTimeout(1500);
  await page.locator('#file').setInputFiles(file);
  await page.waitForFunction('window.__bench.state === "done"', undefined, { timeout: 300_000, polling: 100 });
  await page.waitForTimeout(300);
  const rec = (await page.evaluate('window.__bench')) as { startedAt: number; parsedAt: number; builtAt: number; firstFrameAt: number; count: number };
  if (rec.count !== POINTS) throw new Error(`baseline parsed ${rec.count} points, expected ${POINTS}`);
  const lt = await longTasks(page, rec.startedAt, rec.firstFrameAt, rec.builtAt);
  let frames: number[] | undefined;
  if (ORBIT_MS > 0) {
    await page.evaluate('window.orbitBaseline().then((stop) => (window.__stop = stop))');
    await page.waitForTimeout(500);
    frames = await frameIntervals(page, ORBIT_MS);
    await page.evaluate('window.__stop()');
  }
  await page.close();
  return { load: { firstFrameMs: rec.firstFrameAt - rec.startedAt, parsedMs: rec.parsedAt - rec.startedAt, longestTaskMs: lt.longest, longestTaskBeforeFirstFrameMs: lt.beforeFirstFrame }, frames };
}

async function main() {
  if (!fs.existsSync(hostEntry) || !fs.existsSync(path.join(root, 'dist', 'renderer', 'index.html'))) {
    console.error('bench/viewer: run `npm run build` first (needs dist/main/host and dist/renderer).');
    process.exit(2);
  }
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'kraken-viewer-bench-'));
  const dataDir = path.join(tmp, 'data');
  fs.mkdirSync(dataDir);
  const plyFile = path.join(tmp, `points-${POINTS}.ply`);
  const splatFile = path.join(tmp, `splats-${SPLATS}.ply`);
  let t = performance.now();
  fs.writeFileSync(plyFile, writePly(makePointCloud(POINTS, 5)));
  if (SPLATS > 0) fs.writeFileSync(splatFile, writeGaussianPly(makeSplats(SPLATS, 9)));
  console.log(`fixtures: ${POINTS} points (${(fs.statSync(plyFile).size / 1048576).toFixed(1)} MB binary PLY)${SPLATS ? `, ${SPLATS} splats (${(fs.statSync(splatFile).size / 1048576).toFixed(1)} MB 3DGS PLY)` : ''} in ${Math.round(performance.now() - t)} ms`);

  const host = await startHost(dataDir);
  const browser = await chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium', args: chromiumArgs });
  const bundle = await baselineBundle();
  const studio: Awaited<ReturnType<typeof studioRound>>[] = [];
  const baseline: Awaited<ReturnType<typeof baselineRound>>[] = [];
  try {
    for (let r = 0; r < ROUNDS; r++) {
      // alternate which goes first so drift from other load on the machine hits both alike
      const s = r % 2 === 0;
      const doStudio = async () => {
        const x = await studioRound(browser, host.url, plyFile, ['points', POINTS]);
        studio.push(x);
        console.log(`round ${r + 1} studio:    first frame ${Math.round(x.load.firstFrameMs)} ms, longest task ${Math.round(x.load.longestTaskMs)} ms (before first frame ${Math.round(x.load.longestTaskBeforeFirstFrameMs)} ms)${x.frames ? `, orbit frame ${round1(median(x.frames))} ms` : ''}`);
      };
      const doBaseline = async () => {
        const canvas = studio[0]?.canvas ?? { width: 1090, height: 777 };
        const software = /swiftshader|llvmpipe|software/i.test(studio[0]?.renderer ?? 'swiftshader');
        const x = await baselineRound(browser, bundle, plyFile, canvas, software);
        baseline.push(x);
        console.log(`round ${r + 1} PLYLoader: first frame ${Math.round(x.load.firstFrameMs)} ms, longest task ${Math.round(x.load.longestTaskMs)} ms (before first frame ${Math.round(x.load.longestTaskBeforeFirstFrameMs)} ms)${x.frames ? `, orbit frame ${round1(median(x.frames))} ms` : ''}`);
      };
      if (s || studio.length === 0) {
        await doStudio();
        await doBaseline();
      } else {
        await doBaseline();
        await doStudio();
      }
    }
    let splat: Awaited<ReturnType<typeof studioRound>> | null = null;
    if (SPLATS > 0) {
      t = performance.now();
      splat = await studioRound(browser, host.url, splatFile, ['splats', SPLATS]);
      console.log(`splats ${SPLATS}: parsed ${Math.round(splat.load.parsedMs)} ms, first frame ${Math.round(splat.load.firstFrameMs)} ms, longest task before first frame ${Math.round(splat.load.longestTaskBeforeFirstFrameMs)} ms, including it ${Math.round(splat.load.longestTaskMs)} ms`);
    }

    const m = (xs: { load: LoadFigures }[], k: keyof LoadFigures) => round1(median(xs.map((x) => x.load[k])));
    const fm = (xs: { frames?: number[] }[]) => (xs.every((x) => x.frames?.length) ? round1(median(xs.map((x) => median(x.frames!)))) : null);
    const summary = {
      studio: { firstFrameMs: m(studio, 'firstFrameMs'), parsedMs: m(studio, 'parsedMs'), longestTaskMs: m(studio, 'longestTaskMs'), longestTaskBeforeFirstFrameMs: m(studio, 'longestTaskBeforeFirstFrameMs'), orbitFrameMs: fm(studio) },
      plyLoader: { firstFrameMs: m(baseline, 'firstFrameMs'), parsedMs: m(baseline, 'parsedMs'), longestTaskMs: m(baseline, 'longestTaskMs'), longestTaskBeforeFirstFrameMs: m(baseline, 'longestTaskBeforeFirstFrameMs'), orbitFrameMs: fm(baseline) },
    };
    const ratio = (a: number | null, b: number | null) => (a && b ? Math.round((a / b) * 100) / 100 : null);
    const ratios = {
      firstFrame: ratio(summary.studio.firstFrameMs, summary.plyLoader.firstFrameMs),
      longestTask: ratio(summary.studio.longestTaskMs, summary.plyLoader.longestTaskMs),
      longestTaskBeforeFirstFrame: ratio(summary.studio.longestTaskBeforeFirstFrameMs || null, summary.plyLoader.longestTaskBeforeFirstFrameMs),
      orbitFrame: ratio(summary.studio.orbitFrameMs, summary.plyLoader.orbitFrameMs),
    };
    console.log(`\nmedians of ${ROUNDS} rounds, ${POINTS} points, canvas ${studio[0]!.canvas.width}×${studio[0]!.canvas.height}, WebGL: ${studio[0]!.renderer}`);
    console.log(`  first frame:   studio ${summary.studio.firstFrameMs} ms vs PLYLoader ${summary.plyLoader.firstFrameMs} ms → ratio ${ratios.firstFrame} (< 1: studio faster)`);
    console.log(`  longest task:  studio ${summary.studio.longestTaskMs} ms vs PLYLoader ${summary.plyLoader.longestTaskMs} ms → ratio ${ratios.longestTask}`);
    console.log(`  …before first frame (parse/transfer/build only): studio ${summary.studio.longestTaskBeforeFirstFrameMs} ms vs PLYLoader ${summary.plyLoader.longestTaskBeforeFirstFrameMs} ms`);
    console.log(`  orbit frame:   studio ${summary.studio.orbitFrameMs} ms vs PLYLoader ${summary.plyLoader.orbitFrameMs} ms → ratio ${ratios.orbitFrame}`);

    const result = {
      benchmark: 'viewer',
      date: new Date().toISOString(),
      command: `node --import tsx bench/viewer.bench.ts --points ${POINTS} --splats ${SPLATS} --rounds ${ROUNDS} --orbit-ms ${ORBIT_MS}`,
      machine: { cpus: os.cpus().length, cpu: os.cpus()[0]?.model ?? 'unknown', memMB: Math.round(os.totalmem() / 1048576), platform: `${os.platform()}-${os.arch()}`, node: process.version, loadavg: os.loadavg().map(round1) },
      browser: { chromium: browser.version(), webgl: studio[0]!.renderer, args: chromiumArgs },
      notes: [
        'Times run from the file input change event to the end of the first frame containing the model (studio: performance.now() after gl.render; PLYLoader: the same, in a requestAnimationFrame).',
        'longestTask: longest PerformanceObserver longtask overlapping the load; longestTaskBeforeFirstFrame: only tasks that began before the model was built (reading, parsing, transfer, building; not the first frame\'s drawing).',
        'On software WebGL (SwiftShader) drawing a frame of 1M points takes hundreds of ms and blocks the page thread during presentation; that cost is the same for both loaders and shows up in longestTask and orbitFrame.',
      ],
      canvas: studio[0]!.canvas,
      points: POINTS,
      rounds: { studio: studio.map((x) => ({ ...x.load, orbitFrameMs: x.frames ? round1(median(x.frames)) : null, frames: x.frames?.length ?? 0 })), plyLoader: baseline.map((x) => ({ ...x.load, orbitFrameMs: x.frames ? round1(median(x.frames)) : null, frames: x.frames?.length ?? 0 })) },
      summary,
      ratios,
      splats: splat ? { count: SPLATS, ...splat.load } : null,
    };
    fs.mkdirSync(path.join(root, 'bench', 'results'), { recursive: true });
    fs.writeFileSync(path.join(root, 'bench', 'results', 'viewer.json'), JSON.stringify(result, null, 2) + '\n');
    console.log('\nwrote bench/results/viewer.json');
  } finally {
    await browser.close();
    host.child.kill('SIGTERM');
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});

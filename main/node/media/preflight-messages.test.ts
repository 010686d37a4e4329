/**
 * Every sentence pre-flight sends travels as a code with parameters (the UI translates it) beside the English
 * sentence the CLI prints, and the two agree: the English is exactly the registry's sentence for those parameters.
 */
import { describe, expect, it } from 'vitest';
import { AppError } from '../../common/app-error';
import type { CloudModel, PreflightReport, ProbeResult } from '../../common/contract';
import { isMessageCode, MESSAGES, say } from '../../common/messages';
import { qualityFrom } from './capture-quality';
import { buildReport } from './preflight';

function probe(o: { kind?: 'video' | 'image'; w?: number; h?: number; seconds?: number; mb?: number; codec?: string; path?: string; container?: string; damaged?: boolean }): ProbeResult {
  const w = o.w ?? 1280;
  const h = o.h ?? 720;
  return {
    path: o.path ?? '/v/clip.mp4',
    kind: o.kind ?? 'video',
    container: o.container ?? 'mov,mp4,m4a,3gp,3g2,mj2',
    sizeBytes: Math.round((o.mb ?? 100) * 1e6),
    durationSeconds: o.kind === 'image' ? null : (o.seconds ?? 30),
    bitRate: null,
    video: {
      codec: o.codec ?? 'h264', profile: 'High', width: w, height: h, displayWidth: w, displayHeight: h, rotation: 0, fps: 30, realFps: 30,
      variableFrameRate: false, pixelFormat: 'yuv420p', bitRate: null, frameCount: null, level: 40, keyframeIntervalSeconds: 2, keyframeIntervalFrames: 60, frameRateEvidence: 'packets',
    },
    audio: null,
    ...(o.damaged ? { damage: { indexSeconds: 10, readableSeconds: 4.2, completeSeconds: 4.2, missingBytes: 1000 } } : {}),
  } as ProbeResult;
}

const inputs: [CloudModel, { video?: ProbeResult | AppError | null; image?: ProbeResult | AppError | null }][] = [
  ['nerf2mesh', { video: probe({ seconds: 5, w: 640, h: 360, mb: 3, codec: 'hevc', path: '/v/a.mov', container: 'mov' }) }],
  ['nerf2mesh', { video: probe({ seconds: 400, w: 3840, h: 2160, mb: 400 }) }],
  ['gs3d', { video: probe({ damaged: true }) }],
  ['gs3d', { video: probe({ kind: 'image', path: '/i/a.png', codec: 'png', container: 'png_pipe' }) }],
  ['gs3d', { video: new AppError('MEDIA_UNREADABLE', say('media.unreadable', {})) }],
  ['musepose', { video: probe({ seconds: 30, mb: 30 }), image: null }],
  ['musepose', { video: probe({ seconds: 5, mb: 5, w: 720, h: 1280 }), image: probe({ kind: 'image', w: 800, h: 600, mb: 30, path: '/i/a.webp', codec: 'webp', container: 'webp_pipe' }) }],
  ['musepose', { video: null, image: probe({ kind: 'video' }) }],
  ['instant-mesh', { image: probe({ kind: 'image', w: 100, h: 100, mb: 50, path: '/i/a.gif', codec: 'gif', container: 'gif' }) }],
  ['decal', { video: probe({ seconds: 70 }) }],
];

describe('pre-flight sentences are coded', () => {
  const reports: PreflightReport[] = inputs.map(([model, x]) => buildReport(model, x));
  const problems = reports.flatMap((r) => r.problems);

  it('covers most problem kinds (the inputs above are not vacuous)', () => {
    expect(new Set(problems.map((p) => p.code)).size).toBeGreaterThanOrEqual(12);
  });

  for (const p of problems) {
    it(`${p.code} (${p.messageCode}): code in the registry, English = registry sentence`, () => {
      expect(isMessageCode(p.messageCode), `${p.code} has no code: ${p.message}`).toBe(true);
      expect(p.message).toBe(say(p.messageCode as keyof typeof MESSAGES, p.messageParams as never).message);
    });
  }

  it('capture advice is coded item by item', () => {
    for (const q of [qualityFrom([1, 1, 1, 1], [0, 0, 0]), qualityFrom([500, 500, 500], [50, 50])]) {
      expect(q.adviceCodes).toHaveLength(q.advice.length);
      q.adviceCodes!.forEach((a, i) => expect(say(a.code as keyof typeof MESSAGES, a.params as never).message).toBe(q.advice[i]));
    }
  });
});

/** A cut-short video: the verdict from packets (pure), and on real files made by ffmpeg and cut with fs. */
import { describe, expect, it } from 'vitest';
import { fixtures } from '../../../test-support/media-fixtures';
import { judgeDamage, parsePackets, scanForDamage } from './damage-scan';
import { probeFile } from './probe';
import { ToolBox } from './tool-box';

const pkt = (stream: number, pts: number, pos: number, size = 100) => `stream_index=${stream}|pts_time=${pts}|duration_time=0.1|size=${size}|pos=${pos}`;

describe('judgeDamage', () => {
  const o = { videoStream: 0, indexSeconds: 10, fileSize: 10_000, fps: 10 };
  it('calls a file whose picture ends where its index says healthy (within half a second)', () => {
    expect(judgeDamage(parsePackets([pkt(0, 9.5, 9000), pkt(0, 9.9, 9800), pkt(1, 9.95, 9900)].join('\n')), o)).toBeNull();
  });
  it('finds where the picture and every stream stop when the rest is missing', () => {
    const packets = parsePackets([pkt(0, 0, 100), pkt(1, 0, 200), pkt(0, 5.9, 5000), pkt(1, 5.7, 5100), 'stream_index=0|pts_time=N/A|size=1|pos=1'].join('\n'));
    expect(judgeDamage(packets, o)).toEqual({ readableSeconds: 6, completeSeconds: 5.8, indexSeconds: 10 });
  });
  it('does not count a packet the index places past the end of the file', () => {
    const packets = parsePackets([pkt(0, 5, 5000), pkt(0, 9.9, 9950)].join('\n'));
    expect(judgeDamage(packets, o)).toMatchObject({ readableSeconds: 5.1 });
  });
  it('cannot judge packets without times', () => {
    expect(judgeDamage(parsePackets('stream_index=0|pts_time=N/A|size=1|pos=1'), o)).toBeNull();
  });
});

describe('on real files', () => {
  it('marks a faststart MP4 cut in half as damaged with the time its picture stops; the whole file and a 5 GB padded one are healthy', async () => {
    const { ffprobe } = await new ToolBox(() => ({ ffmpegPath: null, ffprobePath: null })).require();
    // fixtures.truncatedTail: a 4 s faststart H.264 + AAC file, its second half cut off with fs.
    const cut = await probeFile(ffprobe.path, fixtures.truncatedTail(), { sample: false });
    expect(cut.durationSeconds).toBeCloseTo(4, 0);
    expect(cut.damage).toBeTruthy();
    expect(cut.damage!.indexSeconds).toBeCloseTo(4, 1);
    expect(cut.damage!.readableSeconds).toBeGreaterThan(0.5);
    expect(cut.damage!.readableSeconds).toBeLessThan(3);
    expect(cut.damage!.completeSeconds).toBeLessThanOrEqual(cut.damage!.readableSeconds);
    expect((await probeFile(ffprobe.path, fixtures.h264(4), { sample: false })).damage).toBeNull();
    expect((await probeFile(ffprobe.path, fixtures.huge(), { sample: false })).damage).toBeNull();
    expect(await scanForDamage(ffprobe.path, fixtures.h264(4), { videoStream: 0, indexSeconds: null, fileSize: 1, fps: 30 })).toBeNull();
  }, 120_000);
});

import { describe, expect, it } from 'vitest';
import { AppError } from '../../common/app-error';
import { analysePackets, normaliseProbe, parseRate, rotationOf } from './probe';

describe('parseRate', () => {
  it('reads ffprobe rational rates', () => {
    expect(parseRate('30000/1001')).toBeCloseTo(29.97, 2);
    expect(parseRate('0/0')).toBe(0);
    expect(parseRate(undefined)).toBe(0);
  });
});

describe('rotationOf', () => {
  it('turns the counter-clockwise display matrix angle into clockwise degrees', () => {
    expect(rotationOf({ side_data_list: [{ side_data_type: 'Display Matrix', rotation: -90 }] })).toBe(90);
    expect(rotationOf({ side_data_list: [{ rotation: 90 }] })).toBe(270);
    expect(rotationOf({ side_data_list: [{ rotation: 180 }] })).toBe(180);
    expect(rotationOf({ side_data_list: [{ rotation: -180 }] })).toBe(180);
  });
  it('falls back to the legacy clockwise rotate tag', () => {
    expect(rotationOf({ tags: { rotate: '90' } })).toBe(90);
    expect(rotationOf({})).toBe(0);
  });
});

describe('normaliseProbe', () => {
  const base = {
    format: { format_name: 'mov,mp4,m4a,3gp,3g2,mj2', duration: '12.5', bit_rate: '1000' },
    streams: [{ index: 0, codec_type: 'video', codec_name: 'h264', width: 1920, height: 1080, r_frame_rate: '30/1', avg_frame_rate: '30/1', side_data_list: [{ rotation: -90 }] }],
  };
  it('swaps display size for quarter turns', () => {
    const p = normaliseProbe('/v.mp4', 10, base);
    expect(p.video).toMatchObject({ width: 1920, height: 1080, displayWidth: 1080, displayHeight: 1920, rotation: 90, variableFrameRate: false });
    expect(p.durationSeconds).toBe(12.5);
  });
  it('flags variable frame rate when base and average rates differ', () => {
    const p = normaliseProbe('/v.mp4', 10, { ...base, streams: [{ ...base.streams[0]!, r_frame_rate: '60/1', avg_frame_rate: '29.5/1' }] });
    expect(p.video.variableFrameRate).toBe(true);
  });
  it('refuses audio-only and stream-less files with clear messages', () => {
    const audio = () => normaliseProbe('/a.m4a', 10, { format: base.format, streams: [{ index: 0, codec_type: 'audio', codec_name: 'aac' }] });
    expect(audio).toThrow(AppError);
    expect(audio).toThrow(/audio only/);
    expect(() => normaliseProbe('/x', 10, { format: base.format, streams: [] })).toThrow(/No video or image stream/);
  });
  it('recognises single images', () => {
    const p = normaliseProbe('/i.png', 10, { format: { format_name: 'png_pipe' }, streams: [{ index: 0, codec_type: 'video', codec_name: 'png', width: 8, height: 4, r_frame_rate: '25/1', avg_frame_rate: '0/0' }] });
    expect(p).toMatchObject({ kind: 'image', durationSeconds: null, video: { fps: 0, variableFrameRate: false } });
  });
});

describe('analysePackets', () => {
  const csv = (rows: [number, string][]) => rows.map(([t, f]) => `${t.toFixed(6)},${f}`).join('\n');
  it('measures the key-frame interval as the median gap between key packets, in presentation order', () => {
    const rows: [number, string][] = [];
    for (let i = 0; i < 300; i++) rows.push([i / 30, i % 60 === 0 ? 'K_' : '__']);
    // B-frames arrive out of presentation order; the analysis must not care.
    [rows[3], rows[4]] = [rows[4]!, rows[3]!];
    const a = analysePackets(csv(rows));
    expect(a.keyframeIntervalSeconds).toBeCloseTo(2, 6);
    expect(a.variableFrameRate).toBe(false);
    expect(a.packets).toBe(300);
  });
  it('flags variable frame rate when the frame spacing changes', () => {
    const rows: [number, string][] = [];
    for (let i = 0; i < 60; i++) rows.push([i / 30, i === 0 ? 'K_' : '__']);
    for (let i = 0; i < 20; i++) rows.push([2 + i / 10, '__']);
    expect(analysePackets(csv(rows)).variableFrameRate).toBe(true);
  });
  it('does not call millisecond-clock jitter (33/34 ms) or a single odd gap variable', () => {
    const rows: [number, string][] = [];
    for (let i = 0; i < 90; i++) rows.push([Math.round((i * 1000) / 30) / 1000, '__']);
    rows.push([3.2, '__']);
    expect(analysePackets(csv(rows)).variableFrameRate).toBe(false);
  });
  it('returns no interval with fewer than two key frames, and skips N/A timestamps', () => {
    const a = analysePackets('0.000000,K_\nN/A,__\n0.033333,__\n');
    expect(a.keyframeIntervalSeconds).toBeNull();
    expect(a.packets).toBe(2);
  });
});

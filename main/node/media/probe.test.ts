import { describe, expect, it } from 'vitest';
import { AppError } from '../../common/app-error';
import { normaliseProbe, parseRate, rotationOf } from './probe';

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

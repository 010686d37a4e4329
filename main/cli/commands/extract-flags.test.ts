/** The CLI's hand-written flag check accepts exactly what the contract's ExtractParams schema accepts. */
import { describe, expect, it } from 'vitest';
import { ExtractParams } from '../../common/contract';
import { paramsFromFlags, type ExtractFlags } from './extract-flags';

const modeFlags: ExtractFlags[] = [
  { fps: '2' }, { fps: '0' }, { fps: '-1' }, { fps: '240' }, { fps: '241' }, { fps: 'abc' }, { fps: '0.5' },
  { every: '1' }, { every: '0' }, { every: '2.5' }, { every: '1000000' }, { every: '1000001' },
  { keyframes: true },
  { scene: '0.3' }, { scene: '0' }, { scene: '1' }, { scene: 'x' },
  { count: '100' }, { count: '0' }, { count: '20000' }, { count: '20001' }, { count: '1.5' },
];
const extras: ExtractFlags[] = [
  {}, { format: 'png' }, { format: 'gif' }, { quality: '1' }, { quality: '100' }, { quality: '0' }, { quality: '101' }, { quality: '50.5' },
  { start: '0' }, { start: '-1' }, { start: '3', end: '2' }, { start: '2', end: '2' }, { start: '1', end: '2' }, { end: '0' }, { end: '5' },
  { 'max-side': '16' }, { 'max-side': '15' }, { 'max-side': '16384' }, { 'max-side': '16385' }, { 'max-side': '640.5' }, { 'drop-blurry': true },
];

describe('kraken extract flags', () => {
  it('agree with the contract schema on every combination tried', () => {
    let checked = 0;
    for (const m of modeFlags) {
      for (const e of extras) {
        const flags = { format: 'jpg', quality: '90', ...m, ...e };
        const mine = paramsFromFlags(flags);
        const mode = 'params' in mine ? mine.params.mode : { fps: { kind: 'fps', fps: Number(flags.fps) }, every: { kind: 'every', n: Number(flags.every) }, keyframes: { kind: 'keyframes' }, scene: { kind: 'scene', threshold: Number(flags.scene) }, count: { kind: 'count', count: Number(flags.count) } }[Object.keys(m)[0]!];
        const schema = ExtractParams.safeParse({
          mode,
          format: flags.format,
          quality: Number(flags.quality),
          start: flags.start !== undefined ? Number(flags.start) : undefined,
          end: flags.end !== undefined ? Number(flags.end) : undefined,
          maxSide: flags['max-side'] !== undefined ? Number(flags['max-side']) : undefined,
          dropBlurry: flags['drop-blurry'] || undefined,
        });
        expect('params' in mine, JSON.stringify(flags)).toBe(schema.success);
        if ('params' in mine && schema.success) expect(mine.params).toEqual(schema.data);
        checked++;
      }
    }
    expect(checked).toBe(modeFlags.length * extras.length);
  });
  it('needs exactly one mode', () => {
    expect(paramsFromFlags({})).toEqual({ modes: 0 });
    expect(paramsFromFlags({ fps: '1', keyframes: true })).toEqual({ modes: 2 });
  });
});

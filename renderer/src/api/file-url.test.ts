import { describe, expect, it } from 'vitest';
import { fileUrl, thumbWidthFor } from './file-url';

describe('fileUrl', () => {
  it('serves data-folder files from /files/ in the browser host', () => {
    expect(fileUrl('projects/1/frames/2/000001.jpg', { protocol: 'http:' })).toBe('/files/projects/1/frames/2/000001.jpg');
  });
  it('uses the app protocol in Electron', () => {
    expect(fileUrl('projects/1/poster.jpg', { protocol: 'kraken:' })).toBe('kraken://files/projects/1/poster.jpg');
  });
  it('normalises Windows separators and encodes each segment, keeping the slashes', () => {
    expect(fileUrl('\\projects\\1\\my clip#1.jpg', { protocol: 'http:' })).toBe('/files/projects/1/my%20clip%231.jpg');
  });
  it('asks for a thumbnail of a snapped width on either protocol', () => {
    expect(fileUrl('projects/1/frames/2/000001.jpg', { protocol: 'http:', thumb: 300 })).toBe('/files/projects/1/frames/2/000001.jpg?thumb=320');
    expect(fileUrl('projects/1/my clip#1.jpg', { protocol: 'kraken:', thumb: 2000 })).toBe('kraken://files/projects/1/my%20clip%231.jpg?thumb=640');
  });
});

describe('thumbWidthFor', () => {
  it('sizes a thumbnail to the tile in device pixels, snapped', () => {
    expect(thumbWidthFor(150, 1)).toBe(160);
    expect(thumbWidthFor(161, 1)).toBe(320);
    expect(thumbWidthFor(240, 2)).toBe(640);
    expect(thumbWidthFor(200, 1.5)).toBe(320);
  });
});

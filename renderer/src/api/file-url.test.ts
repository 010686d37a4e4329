import { describe, expect, it } from 'vitest';
import { fileUrl } from './file-url';

describe('fileUrl', () => {
  it('serves data-folder files from /files/ in the browser host', () => {
    expect(fileUrl('projects/1/frames/2/000001.jpg', 'http:')).toBe('/files/projects/1/frames/2/000001.jpg');
  });
  it('uses the app protocol in Electron', () => {
    expect(fileUrl('projects/1/poster.jpg', 'kraken:')).toBe('kraken://files/projects/1/poster.jpg');
  });
  it('normalises Windows separators and encodes each segment, keeping the slashes', () => {
    expect(fileUrl('\\projects\\1\\my clip#1.jpg', 'http:')).toBe('/files/projects/1/my%20clip%231.jpg');
  });
});

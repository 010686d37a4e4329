/** ffprobe names a demuxer by all its formats ("mov,mp4,m4a,…"); the file's own extension reads better when it is one of them. */
export function containerName(formatName: string, fileName: string): string {
  const names = formatName.split(',').map((n) => n.trim()).filter(Boolean);
  const ext = /\.([a-z0-9]+)$/i.exec(fileName)?.[1]?.toLowerCase();
  const pick = ext && names.includes(ext) ? ext : (names[0] ?? formatName);
  // Demuxer names are not formats a creator knows: png_pipe is a PNG, image2 whatever the file is, matroska an MKV.
  const plain = pick.replace(/_pipe$/, '');
  if (plain === 'image2') return ext ? ext.toUpperCase() : 'IMAGE';
  return (DEMUXER_WORDS[plain] ?? plain).toUpperCase();
}

const DEMUXER_WORDS: Record<string, string> = { matroska: 'mkv', mjpeg: 'jpeg', jpegls: 'jpeg', mov: 'mov', mpegts: 'ts', mpeg: 'mpg', asf: 'wmv', flv: 'flv' };

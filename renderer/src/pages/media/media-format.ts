/** ffprobe names a demuxer by all its formats ("mov,mp4,m4a,…"); the file's own extension reads better when it is one of them. */
export function containerName(formatName: string, fileName: string): string {
  const names = formatName.split(',').map((n) => n.trim()).filter(Boolean);
  const ext = /\.([a-z0-9]+)$/i.exec(fileName)?.[1]?.toLowerCase();
  const pick = ext && names.includes(ext) ? ext : (names[0] ?? formatName);
  return pick.toUpperCase();
}

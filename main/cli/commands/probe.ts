/** `kraken probe <file> [--json]` — what the studio knows about a video or image. */
import { parseArgs } from 'node:util';
import type { ProbeResult } from '../../common/contract';
import { probeFile } from '../../node/media/probe';
import { ToolBox } from '../../node/media/tool-box';
import { UsageError, wantsHelp, type CliIo } from '../cli-io';

const USAGE = 'usage: kraken probe <file> [--json]';
const HELP = `${USAGE}

What a video or image holds: container, duration, picture size and rotation, frame rate (measured when
variable), key-frame interval, codec and bit rate, audio, and whether the file is damaged (cut short).
  --json   the whole probe result as JSON`;

export async function runProbe(argv: string[], io: CliIo): Promise<number> {
  if (wantsHelp(argv)) {
    io.out(HELP);
    return 0;
  }
  const { values, positionals } = parseArgs({ args: argv, allowPositionals: true, options: { json: { type: 'boolean', default: false } } });
  const file = positionals[0];
  if (!file || positionals.length > 1) throw new UsageError(USAGE);
  const { ffprobe } = await new ToolBox(() => ({ ffmpegPath: null, ffprobePath: null })).require();
  const probe = await probeFile(ffprobe.path, file, io.signal);
  io.out(values.json ? JSON.stringify(probe, null, 2) : describe(probe));
  return 0;
}

function describe(p: ProbeResult): string {
  const v = p.video;
  const lines = [
    `file        ${p.path}`,
    `kind        ${p.kind} (${p.container})`,
    `size        ${(p.sizeBytes / 1e6).toFixed(2)} MB`,
  ];
  if (p.durationSeconds !== null) lines.push(`duration    ${p.durationSeconds.toFixed(3)} s`);
  if (p.damage) lines.push(`damaged     cut short: the picture stops at ${p.damage.readableSeconds.toFixed(1)} s of the ${p.damage.indexSeconds.toFixed(1)} s its index promises`);
  lines.push(`picture     ${v.displayWidth}x${v.displayHeight}${v.rotation ? ` (stored ${v.width}x${v.height}, rotated ${v.rotation}°)` : ''}`);
  if (p.kind === 'video') {
    lines.push(`frame rate  ${v.fps.toFixed(3)} fps${v.variableFrameRate ? ` (variable, measured from ${v.frameRateEvidence})` : ''}`);
    if (v.keyframeIntervalSeconds !== null) lines.push(`key frames  every ${v.keyframeIntervalSeconds.toFixed(2)} s${v.keyframeIntervalFrames ? ` (${v.keyframeIntervalFrames} frames)` : ''}`);
  }
  lines.push(`codec       ${v.codec}${v.profile ? ` ${v.profile}` : ''}${v.level ? ` level ${formatLevel(v.codec, v.level)}` : ''}${v.pixelFormat ? `, ${v.pixelFormat}` : ''}`);
  const rate = v.bitRate ?? p.bitRate;
  if (rate) lines.push(`bit rate    ${(rate / 1e6).toFixed(2)} Mbit/s`);
  lines.push(`audio       ${p.audio ? `${p.audio.codec}, ${p.audio.channels ?? '?'} ch, ${p.audio.sampleRate ?? '?'} Hz` : 'none'}`);
  return lines.join('\n');
}

/** ffprobe reports H.264 levels ×10 and HEVC levels ×30. */
function formatLevel(codec: string, level: number): string {
  if (codec === 'h264') return (level / 10).toFixed(1);
  if (codec === 'hevc') return (level / 30).toFixed(1);
  return String(level);
}

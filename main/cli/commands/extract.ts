/**
 * `kraken extract <video> --out <dir> --fps <n> [--format jpg|png|webp] [--quality 1-100] [--json]`.
 * Frames go to <dir>/.kraken-partial first and are moved in only when ffmpeg succeeded.
 */
import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { AppError } from '../../common/app-error';
import { ExtractParams } from '../../common/contract';
import { frameTimestamp } from '../../node/media/extract-args';
import { extractToFolder } from '../../node/media/extractor';
import { probeFile } from '../../node/media/probe';
import { ToolBox } from '../../node/media/tool-box';
import { progressLine, UsageError, type CliIo } from '../cli-io';

const USAGE = 'usage: kraken extract <video> --out <dir> --fps <n> [--format jpg|png|webp] [--quality 1-100] [--json]';

export async function runExtract(argv: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      out: { type: 'string' },
      fps: { type: 'string' },
      format: { type: 'string', default: 'jpg' },
      quality: { type: 'string', default: '90' },
      json: { type: 'boolean', default: false },
    },
  });
  const input = positionals[0];
  if (!input || positionals.length > 1 || !values.out || !values.fps) throw new UsageError(USAGE);
  const parsed = ExtractParams.safeParse({
    mode: { kind: 'fps', fps: Number(values.fps) },
    format: values.format,
    quality: Number(values.quality),
  });
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new UsageError(`${issue?.path.join('.') || 'options'}: ${issue?.message ?? 'invalid'}. ${USAGE}`);
  }
  const params = parsed.data;
  const tools = await new ToolBox(() => ({ ffmpegPath: null, ffprobePath: null })).require();
  const probe = await probeFile(tools.ffprobe.path, input, io.signal);
  if (probe.kind !== 'video') throw new AppError('INVALID_INPUT', 'This is an image; frames can only be extracted from a video.');

  const outDir = path.resolve(values.out);
  const partial = path.join(outDir, '.kraken-partial');
  try {
    fs.mkdirSync(partial, { recursive: true });
    for (const f of fs.readdirSync(partial)) fs.rmSync(path.join(partial, f), { force: true, recursive: true });
  } catch (err) {
    throw AppError.from(err);
  }
  const started = Date.now();
  try {
    await extractToFolder({
      ffmpeg: tools.ffmpeg,
      input: probe.path,
      probe,
      params,
      outDir: partial,
      signal: io.signal,
      onProgress: (p) => {
        if (io.interactive && !values.json) io.err(progressLine(p.fraction, `${p.done}${p.total ? `/${p.total}` : ''} frames`));
      },
    });
    const files = fs.readdirSync(partial).filter((f) => /^\d+\./.test(f)).sort();
    if (files.length === 0) throw new AppError('MEDIA_UNREADABLE', 'ffmpeg wrote no frames: the video may be damaged.');
    for (const f of files) fs.renameSync(path.join(partial, f), path.join(outDir, f));
    fs.rmSync(partial, { recursive: true, force: true });
    const seconds = (Date.now() - started) / 1000;
    if (io.interactive && !values.json) io.err(progressLine(1, `${files.length} frames\n`));
    if (values.json) {
      io.out(
        JSON.stringify(
          {
            input: probe.path,
            outDir,
            frameCount: files.length,
            seconds,
            ffmpeg: tools.ffmpeg,
            frames: files.map((f) => ({ file: f, timestampSeconds: frameTimestamp(params, Number.parseInt(f, 10)) })),
          },
          null,
          2,
        ),
      );
    } else io.out(`${files.length} frames written to ${outDir} in ${seconds.toFixed(2)} s`);
    return 0;
  } catch (err) {
    fs.rmSync(partial, { recursive: true, force: true });
    throw err;
  }
}

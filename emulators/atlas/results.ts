/**
 * The "processing" of an item: read a few frames of the upload, make every result file the model offers
 * (download codes) plus the metadata files of §4.6, and log each step to the item's job log. Any failure
 * (an undecodable upload) ends the item NG with the reason in its log; nothing here can stop the server.
 */
import fs from 'node:fs';
import path from 'node:path';
import { ZipFile } from 'yazl';
import { writeTarGz } from '../base/tar';
import { glb, obj, reliefOf, splatPly, turntableGif, type Relief } from './formats';
import { grabFrame, imageThumbnail, probeMedia, sampleImage, shrink, writePng, type Rgb, type Tools } from './media';
import { MODELS, type ModelKey, type ResultKind } from './models';
import type { ItemInput } from './store';

/** Where an item's files live under its folder. */
export const itemPaths = (dir: string) => ({
  input: path.join(dir, 'input'),
  results: path.join(dir, 'results'),
  log: path.join(dir, 'job.log'),
  thumbnail: path.join(dir, 'meta', 'thumbnail.png'),
  request: path.join(dir, 'meta', 'request.tar.gz'),
  reply: path.join(dir, 'meta', 'reply.tar.gz'),
  output: path.join(dir, 'meta', 'output.zip'),
  result: (kind: ResultKind) => path.join(dir, 'results', `result.${kind === 'glb-coarse' ? '0.glb' : kind}`),
});

export function appendLog(dir: string, now: number, line: string): void {
  // never re-creates the folder of an item deleted meanwhile
  if (!fs.existsSync(dir)) return;
  try {
    fs.appendFileSync(itemPaths(dir).log, `${new Date(now).toISOString()} ${line}\n`);
  } catch {
    // deleted between the check and the write
  }
}

async function writeAtomic(target: string, data: Uint8Array | string): Promise<void> {
  await fs.promises.mkdir(path.dirname(target), { recursive: true });
  const tmp = `${target}.partial`;
  await fs.promises.writeFile(tmp, data);
  await fs.promises.rename(tmp, target);
}

function zipFiles(target: string, files: { name: string; file: string }[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const zip = new ZipFile();
    for (const f of files) zip.addFile(f.file, f.name);
    zip.end();
    const tmp = `${target}.partial`;
    const out = fs.createWriteStream(tmp);
    zip.outputStream.pipe(out);
    out.on('error', reject);
    zip.outputStream.on('error', reject);
    out.on('finish', () => fs.rename(tmp, target, (e) => (e ? reject(e) : resolve())));
  });
}

export interface GenerateJob {
  model: ModelKey;
  itemName: string;
  dir: string;
  inputs: ItemInput[];
  tools: Tools;
  now: () => number;
}

/** The name a result is offered under: `${itemName}${suffix}` (seed §4.2.2). */
export function offeredName(itemName: string, suffix: string): string {
  const base = [...itemName].map((ch) => (ch.charCodeAt(0) < 32 || '\\/:*?"<>|'.includes(ch) ? '_' : ch)).join('').trim() || 'item';
  return `${base}${suffix}`;
}

/** Makes every result and metadata file of the item; throws (after logging) when the input cannot be used. */
export async function generate(job: GenerateJob): Promise<void> {
  const spec = MODELS[job.model];
  const p = itemPaths(job.dir);
  const log = (line: string) => appendLog(job.dir, job.now(), line);
  const inputOf = (field: string | undefined) => (field ? job.inputs.find((i) => i.field === field) : undefined);
  const video = inputOf(spec.video?.field);
  const image = inputOf(spec.image?.field);
  let base: Rgb;
  let writeThumbnail: (out: string) => Promise<void>;
  try {
    if (image) {
      const file = path.join(job.dir, image.file);
      base = await sampleImage(file);
      writeThumbnail = (out) => imageThumbnail(file, out);
      log(`read image ${image.field} (${image.filename}): sampled at ${base.width}x${base.height}`);
      if (video) {
        const vf = path.join(job.dir, video.file);
        const probe = await probeMedia(job.tools, vf);
        await grabFrame(job.tools, vf, probe, (probe.durationSeconds ?? 0) / 2, 32);
        log(`read video ${video.field} (${video.filename}): ${probe.width}x${probe.height}, ${probe.durationSeconds?.toFixed(2) ?? '?'} s`);
      }
    } else if (video) {
      const file = path.join(job.dir, video.file);
      const probe = await probeMedia(job.tools, file);
      const at = (probe.durationSeconds ?? 0) / 2;
      // one decoded frame from the middle of the take: the preview, and (shrunk) the colours of every result
      const frame = await grabFrame(job.tools, file, probe, at, 256);
      base = await shrink(frame, 64);
      writeThumbnail = (out) => writePng(frame, out);
      log(`read video ${video.field} (${video.filename}): ${probe.width}x${probe.height}, ${probe.durationSeconds?.toFixed(2) ?? '?'} s; frame at ${at.toFixed(2)} s sampled at ${base.width}x${base.height}`);
    } else throw new Error('the item has no input file');
  } catch (e) {
    log(`ERROR the input could not be decoded: ${(e as Error).message}`);
    throw e;
  }
  const fine = reliefOf(base, 1);
  let coarse: Relief | null = null;
  const made: { name: string; file: string }[] = [];
  for (const c of spec.codes) {
    const target = p.result(c.kind);
    switch (c.kind) {
      case 'ply':
        await writeAtomic(target, splatPly(fine, `Kraken Atlas emulator: ${job.itemName}`));
        break;
      case 'glb':
        await writeAtomic(target, glb(fine, job.itemName));
        break;
      case 'glb-coarse':
        coarse ??= reliefOf(base, 4);
        await writeAtomic(target, glb(coarse, `${job.itemName} (stage 0)`));
        break;
      case 'obj':
        await writeAtomic(target, obj(fine, job.itemName));
        break;
      case 'gif':
        await writeAtomic(target, turntableGif(fine));
        break;
      case 'tar.gz': {
        // decal's archive: the mesh, the turntable and an OBJ of the same result
        const glbFile = p.result('glb');
        if (!fs.existsSync(glbFile)) await writeAtomic(glbFile, glb(fine, job.itemName));
        const gifFile = path.join(p.results, 'turntable.gif');
        await writeAtomic(gifFile, turntableGif(fine));
        await writeTarGz(target, [
          { name: offeredName(job.itemName, '.glb'), file: glbFile },
          { name: offeredName(job.itemName, '.gif'), file: gifFile },
          { name: offeredName(job.itemName, '.obj'), data: Buffer.from(obj(fine, job.itemName)) },
        ], job.now());
        break;
      }
    }
    made.push({ name: offeredName(job.itemName, c.suffix), file: target });
    log(`wrote code ${c.code}: ${offeredName(job.itemName, c.suffix)} (${fs.statSync(target).size} bytes)`);
  }
  fs.mkdirSync(path.dirname(p.thumbnail), { recursive: true });
  await writeThumbnail(`${p.thumbnail}.partial.png`);
  fs.renameSync(`${p.thumbnail}.partial.png`, p.thumbnail);
  log('wrote thumbnail.png');
  await zipFiles(p.output, made);
  log('wrote output.zip');
  await writeTarGz(p.reply, [...made, { name: 'thumbnail.png', file: p.thumbnail }], job.now());
  log('wrote reply.tar.gz');
}

/** request.tar.gz (the inputs and the request's fields), made on first ask; level 1 because videos do not shrink. */
export async function ensureRequestArchive(dir: string, inputs: ItemInput[], params: Record<string, unknown>, now: number): Promise<string> {
  const target = itemPaths(dir).request;
  if (fs.existsSync(target)) return target;
  await fs.promises.mkdir(path.dirname(target), { recursive: true });
  await writeTarGz(
    target,
    [{ name: 'request.json', data: Buffer.from(JSON.stringify(params, null, 2)) }, ...inputs.map((i) => ({ name: `${i.field}/${path.basename(i.filename || i.file).slice(0, 80)}`, file: path.join(dir, i.file) }))],
    now,
    1,
  );
  return target;
}

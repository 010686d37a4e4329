/** Media sources of a project: probe, hash, de-duplicate, poster frame. Originals are referenced, never modified. */
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { AppError } from '../../common/app-error';
import { say } from '../../common/messages';
import { ProbeResult, type MediaSource } from '../../common/contract';
import { sha256File, tempPathFor, toPosixRelative } from '../files/atomic';
import type { Db } from '../store/database';
import { nowIso } from '../store/database';
import { ffFileArg } from './ff-file-arg';
import { probeFile } from './probe';
import { samplePath } from './sample';
import type { ToolBox } from './tool-box';

const execFileAsync = promisify(execFile);

interface Row {
  id: number;
  project_id: number;
  kind: 'video' | 'image';
  name: string;
  path: string;
  size_bytes: number;
  sha256: string;
  probe_json: string;
  poster: string | null;
  created_at: string;
}

export interface ImportResult {
  imported: MediaSource[];
  failed: { path: string; error: ReturnType<AppError['toShape']> }[];
}

export class MediaService {
  constructor(
    private readonly db: Db,
    private readonly dataDir: string,
    private readonly tools: ToolBox,
  ) {}

  /** Probes a file without adding it anywhere. */
  async probe(file: string): Promise<ProbeResult> {
    const { ffprobe } = await this.tools.require();
    return probeFile(ffprobe.path, path.resolve(file));
  }

  /** Adds files to a project one by one; a bad file is reported and the others still go in. */
  async importPaths(projectId: number, paths: string[]): Promise<ImportResult> {
    this.assertProject(projectId);
    const result: ImportResult = { imported: [], failed: [] };
    for (const p of paths) {
      try {
        result.imported.push(await this.importOne(projectId, path.resolve(p)));
      } catch (err) {
        result.failed.push({ path: p, error: AppError.from(err).toShape() });
      }
    }
    return result;
  }

  /** Adds the bundled sample video (or returns it if the project has it already). */
  async importSample(projectId: number): Promise<MediaSource> {
    const sample = samplePath();
    if (!sample) throw new AppError('NOT_FOUND', say('media.sample_missing', {}));
    const existing = this.db.prepare(`SELECT * FROM media_sources WHERE project_id=? AND path=?`).get(projectId, sample) as Row | undefined;
    if (existing) return toMedia(existing);
    return this.importOne(projectId, sample);
  }

  list(projectId: number): MediaSource[] {
    return (this.db.prepare(`SELECT * FROM media_sources WHERE project_id=? ORDER BY id DESC`).all(projectId) as Row[]).map(toMedia);
  }

  get(id: number): MediaSource {
    const row = this.db.prepare(`SELECT * FROM media_sources WHERE id=?`).get(id) as Row | undefined;
    if (!row) throw new AppError('NOT_FOUND', `Media ${id} does not exist`);
    return toMedia(row);
  }

  /** Removes the record, its frames and poster; the user's original file is never touched. */
  remove(id: number): boolean {
    const m = this.get(id);
    const sets = this.db.prepare(`SELECT dir FROM frame_sets WHERE media_id=?`).all(id) as { dir: string }[];
    this.db.prepare(`DELETE FROM media_sources WHERE id=?`).run(id);
    for (const s of sets) fs.rmSync(path.join(this.dataDir, s.dir), { recursive: true, force: true });
    if (m.poster) fs.rmSync(path.join(this.dataDir, path.dirname(m.poster)), { recursive: true, force: true });
    return true;
  }

  private async importOne(projectId: number, file: string): Promise<MediaSource> {
    const { ffmpeg, ffprobe } = await this.tools.require();
    const probe = await probeFile(ffprobe.path, file);
    const sha256 = await sha256File(file);
    const dup = this.db.prepare(`SELECT id, name FROM media_sources WHERE project_id=? AND sha256=?`).get(projectId, sha256) as
      | { id: number; name: string }
      | undefined;
    if (dup) throw new AppError('CONFLICT', say('media.duplicate', { name: dup.name }), { mediaId: dup.id });
    const info = this.db
      .prepare(
        `INSERT INTO media_sources (project_id, kind, name, path, size_bytes, sha256, probe_json, created_at) VALUES (?,?,?,?,?,?,?,?)`,
      )
      .run(projectId, probe.kind, path.basename(file), file, probe.sizeBytes, sha256, JSON.stringify(probe), nowIso());
    const id = Number(info.lastInsertRowid);
    const poster = await this.makePoster(ffmpeg.path, projectId, id, file, probe).catch(() => null);
    if (poster) this.db.prepare(`UPDATE media_sources SET poster=? WHERE id=?`).run(poster, id);
    return this.get(id);
  }

  /** A 320-px-wide poster from about 1 s in (ffmpeg applies rotation metadata itself). */
  private async makePoster(ffmpeg: string, projectId: number, mediaId: number, file: string, probe: ProbeResult): Promise<string> {
    const target = path.join(this.dataDir, 'projects', String(projectId), 'media', String(mediaId), 'poster.jpg');
    await fs.promises.mkdir(path.dirname(target), { recursive: true });
    const tmp = tempPathFor(target) + '.jpg';
    // A cut-short file has no picture past its readable part: take the poster from inside it.
    const shown = probe.damage ? probe.damage.readableSeconds : probe.durationSeconds;
    const at = shown ? Math.min(1, shown / 2) : 0;
    await execFileAsync(
      ffmpeg,
      ['-hide_banner', '-loglevel', 'error', '-y', ...(at > 0 ? ['-ss', at.toFixed(3)] : []), '-i', ffFileArg(file), '-frames:v', '1', '-vf', 'scale=320:-2', '-q:v', '4', ffFileArg(tmp)],
      { timeout: 60_000, windowsHide: true },
    );
    await fs.promises.rename(tmp, target);
    return toPosixRelative(this.dataDir, target);
  }

  private assertProject(projectId: number): void {
    if (!this.db.prepare(`SELECT 1 FROM projects WHERE id=?`).get(projectId)) throw new AppError('NOT_FOUND', `Project ${projectId} does not exist`);
  }
}

function toMedia(r: Row): MediaSource {
  return {
    id: r.id,
    projectId: r.project_id,
    kind: r.kind,
    name: r.name,
    path: r.path,
    sizeBytes: r.size_bytes,
    sha256: r.sha256,
    // Parsing fills fields added after the row was written (older probes lack key-frame data).
    probe: ProbeResult.parse(JSON.parse(r.probe_json)),
    poster: r.poster,
    createdAt: r.created_at,
  };
}

/**
 * Caches where ffmpeg/ffprobe are; re-locates when the configured paths change. The paths come from the studio's
 * own store (set by the Electron file picker or `kraken config`), never from the page; each is checked to be
 * ffmpeg/ffprobe before it runs (ffmpeg-locator.ts, checkToolBinary).
 */
import { AppError } from '../../common/app-error';
import { locateTools, type LocateOptions, type LocateResult, type Tools } from './ffmpeg-locator';

/** Configured tool paths (null or absent: find them automatically). */
export interface ToolPaths {
  ffmpegPath?: string | null;
  ffprobePath?: string | null;
}

export class ToolBox {
  private cached: Promise<LocateResult> | null = null;

  constructor(
    private readonly settings: () => ToolPaths,
    private readonly extra: Omit<LocateOptions, 'ffmpegSetting' | 'ffprobeSetting'> = {},
  ) {}

  /** Where the tools are, or why they are missing. */
  locate(): Promise<LocateResult> {
    if (!this.cached) {
      const s = this.settings();
      const pending = locateTools({ ...this.extra, ffmpegSetting: s.ffmpegPath, ffprobeSetting: s.ffprobePath });
      this.cached = pending;
      // A missing ffmpeg is looked for again next time, so installing it needs no restart.
      void pending.then((r) => {
        if (!r.tools && this.cached === pending) this.cached = null;
      });
    }
    return this.cached;
  }

  /** The tools, or FFMPEG_MISSING with what to do. */
  async require(): Promise<Tools> {
    const r = await this.locate();
    if (!r.tools) throw new AppError('FFMPEG_MISSING', r.problem ?? 'ffmpeg not found');
    return r.tools;
  }

  invalidate(): void {
    this.cached = null;
  }
}

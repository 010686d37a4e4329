import { useTranslation } from 'react-i18next';
import type { ExtractParams, MediaSource } from '../../../../main/common/contract';
import { formatNumber } from '../../ui/format';
import { Segmented } from '../../ui/segmented';

export const modeKinds = ['count', 'fps', 'every', 'keyframes', 'scene'] as const;
export type ModeKind = (typeof modeKinds)[number];

/** The extraction form's mode fields as typed (strings until submitted). */
export interface ExtractOptionsValue {
  mode: ModeKind;
  fps: string;
  every: string;
  scene: string;
  count: string;
  start: string;
  end: string;
  maxSide: string;
  dropBlurry: boolean;
}

export function defaultOptions(): ExtractOptionsValue {
  return { mode: 'fps', fps: '2', every: '10', scene: '0.3', count: '100', start: '', end: '', maxSide: '', dropBlurry: false };
}

const num = (s: string) => Number(s.replace(',', '.'));

/** The fields a problem can belong to: its message shows under that field and outlines it, never under another. */
export type ExtractField = 'mode' | 'start' | 'end' | 'range' | 'maxSide';

/** A problem with the typed options: the i18n key of its message and the field it is about ('range' = both ends). */
export interface ExtractProblem {
  error: string;
  field: ExtractField;
}

/** Params from the fields, or the first problem and its field (same limits as the contract). */
export function toParams(v: ExtractOptionsValue, format: ExtractParams['format'], quality: number): { params: ExtractParams } | ExtractProblem {
  const bad = (error: string, field: ExtractField = 'mode'): ExtractProblem => ({ error, field });
  let mode: ExtractParams['mode'];
  switch (v.mode) {
    case 'fps': {
      const fps = num(v.fps);
      if (!Number.isFinite(fps) || fps <= 0) return bad('extract.fpsInvalid');
      if (fps > 240) return bad('extract.fpsTooHigh');
      mode = { kind: 'fps', fps };
      break;
    }
    case 'every': {
      const n = num(v.every);
      if (!Number.isInteger(n) || n < 1) return bad('modes.everyInvalid');
      mode = { kind: 'every', n };
      break;
    }
    case 'scene': {
      const threshold = num(v.scene);
      if (!(threshold > 0 && threshold < 1)) return bad('modes.sceneInvalid');
      mode = { kind: 'scene', threshold };
      break;
    }
    case 'count': {
      const count = num(v.count);
      if (!Number.isInteger(count) || count < 1 || count > 20000) return bad('modes.countInvalid');
      mode = { kind: 'count', count };
      break;
    }
    default:
      mode = { kind: 'keyframes' };
  }
  const params: ExtractParams = { mode, format, quality };
  if (v.start.trim()) {
    const s = num(v.start);
    if (!(s >= 0)) return bad('modes.startInvalid', 'start');
    params.start = s;
  }
  if (v.end.trim()) {
    const e = num(v.end);
    if (!(e > 0)) return bad('modes.endInvalid', 'end');
    if (!(e > (params.start ?? 0))) return bad('modes.rangeInvalid', 'range');
    params.end = e;
  }
  if (v.maxSide.trim()) {
    const m = num(v.maxSide);
    if (!Number.isInteger(m) || m < 16 || m > 16384) return bad('modes.maxSideInvalid', 'maxSide');
    params.maxSide = m;
  }
  if (v.dropBlurry) params.dropBlurry = true;
  return { params };
}

/** Roughly how many frames the settings give (null when only the video can tell: key frames, scene changes). */
export function estimateFrames(params: ExtractParams, media: MediaSource): number | null {
  const d = media.probe.durationSeconds;
  if (!d) return params.mode.kind === 'count' ? params.mode.count : null;
  const span = Math.max(0, Math.min(params.end ?? d, d) - (params.start ?? 0));
  switch (params.mode.kind) {
    case 'fps':
      return Math.max(1, Math.round(span * Math.min(params.mode.fps, media.probe.video.fps || params.mode.fps)));
    case 'every':
      return Math.max(1, Math.ceil((span * (media.probe.video.fps || 30)) / params.mode.n));
    case 'count':
      return params.mode.count;
    default:
      return null;
  }
}

/** Mode picker and the fields of the chosen mode, plus range, downscale and drop-blurry. */
/** Whether `field` is outlined for `problem` (a range problem outlines both ends). */
export function fieldInvalid(problem: ExtractProblem | null, field: Exclude<ExtractField, 'range'>): boolean {
  if (!problem) return false;
  return problem.field === field || (problem.field === 'range' && (field === 'start' || field === 'end'));
}

/** The message shown under a row of the form: the mode field, the range row (start, end or both) or max side. */
export function errorUnder(problem: ExtractProblem | null, row: 'mode' | 'range' | 'maxSide'): string | null {
  if (!problem) return null;
  const rowOf: Record<ExtractField, 'mode' | 'range' | 'maxSide'> = { mode: 'mode', start: 'range', end: 'range', range: 'range', maxSide: 'maxSide' };
  return rowOf[problem.field] === row ? problem.error : null;
}

export function ExtractOptions({ value, onChange, media, problem }: { value: ExtractOptionsValue; onChange(v: ExtractOptionsValue): void; media: MediaSource; problem: ExtractProblem | null }) {
  const { t, i18n } = useTranslation('media');
  const error = errorUnder(problem, 'mode');
  const rangeError = errorUnder(problem, 'range');
  const maxSideError = errorUnder(problem, 'maxSide');
  const set = (patch: Partial<ExtractOptionsValue>) => onChange({ ...value, ...patch });
  const field = (key: 'fps' | 'every' | 'scene' | 'count', label: string, hint: string, step = 'any') => (
    <div className="field">
      <label htmlFor={`extract-${key}`}>{label}</label>
      <input
        id={`extract-${key}`}
        className="input"
        type="number"
        inputMode="decimal"
        step={step}
        value={value[key]}
        aria-invalid={!!error}
        onChange={(e) => set({ [key]: e.target.value })}
        data-testid={`extract-${key}`}
      />
      {error ? (
        <span className="field-error" data-testid="extract-mode-error">
          {t(error)}
        </span>
      ) : (
        <span className="field-hint">{hint}</span>
      )}
    </div>
  );
  return (
    <>
      <div className="field extract-mode">
        <span className="field-label" id="extract-mode-label">
          {t('modes.label')}
        </span>
        <Segmented
          options={modeKinds}
          value={value.mode}
          onChange={(m) => set({ mode: m })}
          render={(m) => t(`modes.${m}.name`)}
          labelledBy="extract-mode-label"
          testId={(m) => `extract-mode-${m}`}
          title={(m) => t(`modes.${m}.hint`)}
        />
        <span className="field-hint">{t(`modes.${value.mode}.hint`)}</span>
      </div>
      {value.mode === 'fps' && field('fps', t('extract.fps'), t('extract.fpsHint', { fps: formatNumber(media.probe.video.fps, i18n.language) }))}
      {value.mode === 'every' && field('every', t('modes.every.field'), t('modes.every.fieldHint'), '1')}
      {value.mode === 'scene' && field('scene', t('modes.scene.field'), t('modes.scene.fieldHint'), '0.05')}
      {value.mode === 'count' && field('count', t('modes.count.field'), t('modes.count.fieldHint'), '1')}
      {value.mode === 'keyframes' && (
        <div className="field">
          <span className="field-label">{t('modes.keyframes.field')}</span>
          <span className="field-hint">
            {media.probe.video.keyframeIntervalSeconds != null
              ? t('modes.keyframes.interval', { seconds: formatNumber(media.probe.video.keyframeIntervalSeconds, i18n.language, 2) })
              : t('modes.keyframes.unknown')}
          </span>
        </div>
      )}
      <div className="field extract-range">
        <span className="field-label">{t('modes.range')}</span>
        <div className="extract-range-inputs">
          <input
            className="input"
            type="number"
            min={0}
            step="any"
            placeholder="0"
            value={value.start}
            aria-invalid={fieldInvalid(problem, 'start')}
            aria-describedby={rangeError ? 'extract-range-error' : undefined}
            onChange={(e) => set({ start: e.target.value })}
            aria-label={t('modes.start')}
            data-testid="extract-start"
          />
          <span className="faint">–</span>
          <input
            className="input"
            type="number"
            min={0}
            step="any"
            placeholder={media.probe.durationSeconds ? formatNumber(media.probe.durationSeconds, i18n.language, 1) : ''}
            value={value.end}
            aria-invalid={fieldInvalid(problem, 'end')}
            aria-describedby={rangeError ? 'extract-range-error' : undefined}
            onChange={(e) => set({ end: e.target.value })}
            aria-label={t('modes.end')}
            data-testid="extract-end"
          />
          <span className="faint">s</span>
        </div>
        {rangeError && (
          <span className="field-error" id="extract-range-error" data-testid="extract-range-error">
            {t(rangeError)}
          </span>
        )}
      </div>
      <div className="field">
        <label htmlFor="extract-max-side">{t('modes.maxSide')}</label>
        <input
          id="extract-max-side"
          className="input"
          type="number"
          min={16}
          step={1}
          placeholder={t('modes.maxSideNone')}
          value={value.maxSide}
          aria-invalid={fieldInvalid(problem, 'maxSide')}
          onChange={(e) => set({ maxSide: e.target.value })}
          data-testid="extract-max-side"
        />
        {maxSideError && (
          <span className="field-error" data-testid="extract-max-side-error">
            {t(maxSideError)}
          </span>
        )}
      </div>
      <label className="field checkbox-field" data-testid="extract-drop-blurry-label">
        <input type="checkbox" checked={value.dropBlurry} onChange={(e) => set({ dropBlurry: e.target.checked })} data-testid="extract-drop-blurry" />
        <span>
          {t('modes.dropBlurry')}
          <span className="field-hint">{t('modes.dropBlurryHint')}</span>
        </span>
      </label>
    </>
  );
}

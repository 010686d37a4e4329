import { useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import type { MediaSource } from '../../../../main/common/contract';
import { useFrames } from '../../stores/frames-store';
import { Icon } from '../../ui/icon';
import { Segmented } from '../../ui/segmented';
import { extractStart, usePlace, type ExtractValues } from '../../stores/place-store';
import { defaultOptions, estimateFrames, ExtractOptions, toParams, type ExtractOptionsValue } from './extract-options';

const formats = ['jpg', 'png', 'webp'] as const;
type Format = (typeof formats)[number];

/** Frame extraction settings for one video; starts a job and leaves the progress to the frame set list. */
export function ExtractForm({ media }: { media: MediaSource }) {
  const { t } = useTranslation('media');
  const extract = useFrames((s) => s.extract);
  // the form starts where the creator left it in this project (else the last values used anywhere)
  const [start] = useState(() => extractStart(media.projectId));
  const [options, setOptionsState] = useState(() => (start ? { ...defaultOptions(), ...start.options } : defaultOptions()));
  const [format, setFormatState] = useState<Format>(start?.format ?? 'jpg');
  const [quality, setQualityState] = useState(start?.quality ?? 90);
  const [busy, setBusy] = useState(false);
  const keep = (next: Partial<ExtractValues>) => usePlace.getState().rememberExtract(media.projectId, { options, format, quality, ...next });
  const setOptions = (v: ExtractOptionsValue) => {
    setOptionsState(v);
    keep({ options: v });
  };
  const setFormat = (f: Format) => {
    setFormatState(f);
    keep({ format: f });
  };
  const setQuality = (q: number) => {
    setQualityState(q);
    keep({ quality: q });
  };

  const built = toParams(options, format, quality);
  const problem = 'error' in built ? built : null;
  const estimate = 'params' in built ? estimateFrames(built.params, media) : null;

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (!('params' in built) || busy) return;
    setBusy(true);
    await extract(media.projectId, media.id, built.params);
    setBusy(false);
  };

  return (
    <form className="panel extract-form" onSubmit={submit} data-testid="extract-form" noValidate>
      <div className="panel-title">
        <span>{t('extract.title')}</span>
      </div>
      <div className="extract-fields">
        <ExtractOptions value={options} onChange={setOptions} media={media} problem={problem} />
        <div className="field">
          <span className="field-label" id="extract-format-label">
            {t('extract.format')}
          </span>
          <Segmented options={formats} value={format} onChange={setFormat} render={(f) => f.toUpperCase()} labelledBy="extract-format-label" testId={(f) => `extract-format-${f}`} />
          <span className="field-hint">{t(`extract.formatHint.${format}`)}</span>
        </div>
        <div className="field">
          <label htmlFor="extract-quality">
            {t('extract.quality')} <span className="quality-value">{format === 'png' ? t('extract.lossless') : quality}</span>
          </label>
          <input
            id="extract-quality"
            className="range"
            type="range"
            min={1}
            max={100}
            value={quality}
            disabled={format === 'png'}
            onChange={(e) => setQuality(Number(e.target.value))}
            data-testid="extract-quality"
          />
        </div>
      </div>
      <div className="extract-footer">
        <span className="muted" data-testid="extract-estimate">
          {estimate !== null ? t('extract.estimate', { count: estimate }) : ''}
        </span>
        <button type="submit" className="button primary" disabled={busy || !!problem} data-testid="extract-submit">
          <Icon name="layers" size={16} /> {t('extract.submit')}
        </button>
      </div>
    </form>
  );
}

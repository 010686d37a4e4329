import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { reasonText, sayText } from '../../i18n/say';
import { aboveMinScore, minScoreOf, type ExportFormat, type InferenceResultItem } from '../../../../main/common/contract';
import { fileUrl } from '../../api';
import { formatNumber } from '../../ui/format';
import { Icon } from '../../ui/icon';
import { useModels } from './models-store';
import { caption } from './overlay-math';
import { ResultView } from './result-view';

/** Per-run summary: device, timing, counts per class, errors, exports. */
function Summary() {
  const { t, i18n } = useTranslation('models');
  const summary = useModels((s) => s.summary);
  const exportRun = useModels((s) => s.exportRun);
  const [exported, setExported] = useState<string | null>(null);
  if (!summary) return null;
  const { run } = summary;
  const fmt = (n: number, d = 1) => formatNumber(n, i18n.language, d);
  const doExport = async (format: ExportFormat) => setExported(await exportRun(run.id, format));
  const skipped = run.attempts.filter((a) => a.status === 'skipped' || a.status === 'failed');
  return (
    <div className="run-summary" data-testid="run-summary">
      <dl className="summary-grid">
        <div>
          <dt>{t('summary.device')}</dt>
          <dd data-testid="summary-device">{run.provider ?? '—'}</dd>
        </div>
        <div>
          <dt>{t('summary.speed')}</dt>
          <dd>{summary.imagesPerSecond ? t('summary.ips', { rate: fmt(summary.imagesPerSecond) }) : '—'}</dd>
        </div>
        <div>
          <dt>{t('summary.perImage')}</dt>
          <dd>{summary.msPerImage ? t('summary.ms', { mean: fmt(summary.msPerImage.mean), p95: fmt(summary.msPerImage.p95) }) : '—'}</dd>
        </div>
        <div>
          <dt>{t('summary.batch')}</dt>
          <dd>{run.batchSize}</dd>
        </div>
        <div>
          <dt>{t('summary.found')}</dt>
          <dd data-testid="summary-objects">{summary.objectCount}</dd>
        </div>
      </dl>
      {summary.classCounts.length > 0 && (
        <ul className="class-counts" data-testid="class-counts">
          {summary.classCounts.slice(0, 20).map((c) => (
            <li key={c.label}>
              <span>{c.label}</span> <strong>{c.count}</strong>
            </li>
          ))}
        </ul>
      )}
      {skipped.length > 0 && (
        <details className="fallbacks" data-testid="run-fallbacks">
          <summary className="muted">{t('summary.fallbacks', { count: skipped.length })}</summary>
          <ul>
            {skipped.map((a) => (
              <li key={a.name} data-testid="run-fallback" data-provider={a.name} data-status={a.status}>
                <strong>{a.label}</strong>: <span className="muted" title={a.detail ?? undefined}>{reasonText(i18n, a)}</span>
              </li>
            ))}
          </ul>
        </details>
      )}
      {summary.errors.map((e) => (
        <p key={e.code} className="field-error">
          {t('summary.errors', { count: e.count, code: e.code })}: {e.example}
        </p>
      ))}
      <div className="export-row">
        <span className="muted">{t('summary.export')}</span>
        {(['json', 'csv', ...(run.task === 'detection' ? (['coco'] as const) : [])] as ExportFormat[]).map((f) => (
          <button key={f} type="button" className="button small" onClick={() => void doExport(f)} data-testid={`export-${f}`}>
            {f.toUpperCase()}
          </button>
        ))}
        {exported && (
          <a href={fileUrl(exported)} download className="mono export-link" data-testid="export-link">
            {exported}
          </a>
        )}
      </div>
    </div>
  );
}

/** The result as shown at the chosen confidence threshold (detections below it are left out). */
function shown(item: InferenceResultItem, minScore: number): InferenceResultItem {
  return item.output ? { ...item, output: aboveMinScore(item.output, minScore) } : item;
}

/**
 * The detection confidence threshold of the selected run's model, remembered per model (models.setPreferences).
 * It filters what is shown; the stored results keep everything the model found.
 */
function MinScoreControl({ modelId, hidden }: { modelId: string; hidden: number }) {
  const { t } = useTranslation('models');
  const prefs = useModels((s) => s.prefs);
  const setPrefs = useModels((s) => s.setPrefs);
  const value = minScoreOf(prefs, modelId);
  return (
    <div className="min-score-row" data-testid="min-score-row">
      <label className="field-label" htmlFor="min-score">
        {t('results.minScore')}
      </label>
      <input
        id="min-score"
        type="range"
        min={0.05}
        max={0.95}
        step={0.05}
        value={value}
        onChange={(e) => void setPrefs({ minScores: { [modelId]: Number(e.target.value) } })}
        data-testid="min-score"
      />
      <output htmlFor="min-score" className="mono" data-testid="min-score-value">
        {Math.round(value * 100)}%
      </output>
      <span className="muted" data-testid="min-score-hidden">
        {hidden > 0 ? t('results.minScoreHidden', { count: hidden }) : t('results.minScoreNone')}
      </span>
    </div>
  );
}

function Tile({ item, onOpen }: { item: InferenceResultItem; onOpen: () => void }) {
  const { i18n } = useTranslation('models');
  const text = item.error ? sayText(i18n, item.error) : caption(item.output, (n) => formatNumber(n, i18n.language, 0));
  return (
    <li className={item.error ? 'result-tile failed' : 'result-tile'} data-testid="result-tile" data-image-id={item.imageId} data-ok={item.error ? 'false' : 'true'}>
      <button type="button" onClick={onOpen}>
        {item.output ? <ResultView item={item} thumb /> : <div className="result-failed"><Icon name="alert" size={22} /></div>}
        <span className="result-caption" title={text} data-testid="result-caption">
          {text}
        </span>
      </button>
    </li>
  );
}

/** A bigger view of one result with the overlay switch and, for depth, the point cloud link. */
function Detail({ item, onClose }: { item: InferenceResultItem; onClose: () => void }) {
  const { t } = useTranslation('models');
  const [overlay, setOverlay] = useState(true);
  const o = item.output;
  return (
    <div className="result-detail panel" data-testid="result-detail">
      <div className="panel-title">
        {/* the frame's own name, as written (panel titles are set in capitals; a storage path means nothing here) */}
        <span className="result-detail-name" title={item.file} data-testid="result-detail-name">
          {item.file.split('/').pop()}
        </span>
        <span className="detail-actions">
          <label className="switch-row small">
            <input type="checkbox" checked={overlay} onChange={(e) => setOverlay(e.target.checked)} data-testid="overlay-toggle" /> {t('results.overlay')}
          </label>
          <button type="button" className="icon-button" onClick={onClose} aria-label={t('common:actions.close')}>
            <Icon name="x" size={16} />
          </button>
        </span>
      </div>
      <ResultView item={item} showOverlay={overlay} />
      {o?.task === 'depth' && (
        <div className="export-row">
          <a className="button small" href={`#/viewer?open=${encodeURIComponent(o.pointCloud)}`} data-testid="open-in-3d">
            <Icon name="cube" size={14} /> {t('results.openIn3d')}
          </a>
          <a className="mono" href={fileUrl(o.pointCloud)} download>
            {o.pointCloud}
          </a>
        </div>
      )}
      {o?.task === 'segmentation' && (
        <div className="export-row">
          <a className="button small" href={fileUrl(o.cutout)} download data-testid="cutout-link">
            <Icon name="image" size={14} /> {t('results.cutout')}
          </a>
        </div>
      )}
      {o?.task === 'classification' && (
        <ol className="top-k">
          {o.top.map((c) => (
            <li key={c.classIndex}>
              {c.label} <span className="muted">{(c.score * 100).toFixed(1)}%</span>
            </li>
          ))}
        </ol>
      )}
      {(o?.task === 'ocr-det' || o?.task === 'ocr-rec') && (
        <pre className="ocr-text" data-testid="ocr-text">
          {o.text}
        </pre>
      )}
    </div>
  );
}

/** The selected run: summary, then its results as tiles with overlays. */
export function ResultsPanel() {
  const { t } = useTranslation('models');
  const results = useModels((s) => s.results);
  const total = useModels((s) => s.resultsTotal);
  const more = useModels((s) => s.loadMoreResults);
  const loadingMore = useModels((s) => s.loadingMore);
  const selected = useModels((s) => s.selectedRunId);
  const [open, setOpen] = useState<number | null>(null);
  const run = useModels((s) => s.runs.find((r) => r.id === s.selectedRunId) ?? null);
  const prefs = useModels((s) => s.prefs);
  if (selected === null) return null;
  const minScore = run?.task === 'detection' ? minScoreOf(prefs, run.modelId) : 0;
  const shownResults = results.map((r) => shown(r, minScore));
  const hidden = run?.task === 'detection' ? results.reduce((n, r) => n + (r.output?.task === 'detection' ? r.output.detections.filter((d) => d.score < minScore).length : 0), 0) : 0;
  const detail = shownResults.find((r) => r.id === open);
  return (
    <section className="panel results-panel" data-testid="results-panel">
      <div className="panel-title">
        <span>
          <Icon name="sparkles" size={14} /> {t('results.title', { count: total })}
        </span>
      </div>
      {/* Keyed by run: an export link belongs to the run it was made from. */}
      <Summary key={selected} />
      {run?.task === 'detection' && <MinScoreControl modelId={run.modelId} hidden={hidden} />}
      {detail && <Detail item={detail} onClose={() => setOpen(null)} />}
      <ul className="result-grid">
        {shownResults.map((r) => (
          <Tile key={r.id} item={r} onOpen={() => setOpen(r.id)} />
        ))}
      </ul>
      {results.length < total && (
        <button type="button" className="button" onClick={() => void more()} disabled={loadingMore} data-testid="results-more">
          {t('results.more', { count: total - results.length })}
        </button>
      )}
    </section>
  );
}

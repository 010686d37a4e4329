import { useTranslation } from 'react-i18next';
import { formatBytes } from '../../../ui/format';
import { Icon } from '../../../ui/icon';
import { ProgressBar } from '../../../ui/progress-bar';
import { lightingPresets } from '../render/lighting';
import { formatLength } from '../render/view-math';
import { useViewer, type SlotIndex } from '../viewer-store';

const fmt = (n: number, lng: string) => new Intl.NumberFormat(lng).format(n);

function Stat({ id, label, value, raw }: { id: string; label: string; value: string; raw: string | number }) {
  return (
    <div className="viewer-stat" data-testid={`stat-${id}`} data-value={raw}>
      <dt>{label}</dt>
      <dd>{value}</dd>
    </div>
  );
}

/** Statistics of one slot's model. */
export function StatsPanel({ slot }: { slot: SlotIndex }) {
  const { t, i18n } = useTranslation('viewer');
  const st = useViewer((s) => s.slots[slot]);
  if (st.status !== 'ready') return null;
  const { stats, format, fileBytes, warnings, name } = st.model;
  const subset = st.model.object.splats && st.model.object.splats.stride > 1 ? st.model.object.splats : null;
  const size = stats.bbox.max.map((v, i) => v - stats.bbox.min[i]!);
  const lng = i18n.language;
  return (
    <section className="viewer-side-section" data-testid={`viewer-stats-${slot}`}>
      <h3 className="viewer-side-title" title={name}>
        {name}
      </h3>
      <dl className="viewer-stats">
        <Stat id="format" label={t('stats.format')} value={format.toUpperCase()} raw={format} />
        {stats.splats > 0 && <Stat id="splats" label={t('stats.splats')} value={fmt(stats.splats, lng)} raw={stats.splats} />}
        {stats.points > 0 && <Stat id="points" label={t('stats.points')} value={fmt(stats.points, lng)} raw={stats.points} />}
        {stats.splats === 0 && <Stat id="vertices" label={t('stats.vertices')} value={fmt(stats.vertices, lng)} raw={stats.vertices} />}
        {stats.faces > 0 && <Stat id="faces" label={t('stats.faces')} value={fmt(stats.faces, lng)} raw={stats.faces} />}
        {stats.triangles > 0 && stats.triangles !== stats.faces && <Stat id="triangles" label={t('stats.triangles')} value={fmt(stats.triangles, lng)} raw={stats.triangles} />}
        {stats.parts > 1 && <Stat id="parts" label={t('stats.parts')} value={fmt(stats.parts, lng)} raw={stats.parts} />}
        <Stat id="bbox" label={t('stats.size')} value={size.map(formatLength).join(' × ')} raw={size.map(formatLength).join('x')} />
        <Stat id="file" label={t('stats.file')} value={formatBytes(fileBytes, lng)} raw={fileBytes} />
      </dl>
      {subset && (
        <p className="viewer-note" data-testid={`viewer-subset-${slot}`} data-stride={subset.stride}>
          {t('stats.subset', { stride: subset.stride, drawn: fmt(subset.drawn, lng) })}
        </p>
      )}
      {warnings.length > 0 && (
        <ul className="viewer-warnings" data-testid={`viewer-warnings-${slot}`}>
          {warnings.map((w) => (
            <li key={w}>
              <Icon name="alert" size={14} /> {w}
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}

/** Loading, error and empty states drawn over a slot's canvas. */
export function SlotOverlay({ slot, onOpen }: { slot: SlotIndex; onOpen(): void }) {
  const { t } = useTranslation('viewer');
  const st = useViewer((s) => s.slots[slot]);
  const cancel = useViewer((s) => s.cancel);
  if (st.status === 'ready') return null;
  if (st.status === 'loading') {
    return (
      <div className="viewer-overlay" data-testid={`viewer-loading-${slot}`}>
        <div className="viewer-overlay-card">
          <div className="viewer-overlay-title">{t('loading.title', { name: st.name })}</div>
          <div className="muted">{t(`loading.${st.stage}`)}</div>
          <ProgressBar fraction={st.fraction} label={t('loading.title', { name: st.name })} testId={`viewer-progress-${slot}`} />
          <button type="button" className="button small" onClick={() => cancel(slot)} data-testid={`viewer-cancel-${slot}`}>
            {t('loading.cancel')}
          </button>
        </div>
      </div>
    );
  }
  if (st.status === 'error') {
    return (
      <div className="viewer-overlay" data-testid={`viewer-error-${slot}`} data-code={st.code}>
        <div className="viewer-overlay-card error" role="alert">
          <div className="viewer-overlay-title">
            <Icon name="alert" /> {t(`errors.${st.code}.title`)}
          </div>
          <div className="viewer-error-name mono">{st.name}</div>
          <div>{t(`errors.${st.code}.hint`)}</div>
          <details>
            <summary>{t('errors.details')}</summary>
            <div className="mono viewer-error-message" data-testid={`viewer-error-message-${slot}`}>
              {st.message}
            </div>
          </details>
          <button type="button" className="button primary small" onClick={onOpen}>
            {t('empty.open')}
          </button>
        </div>
      </div>
    );
  }
  return (
    <div className="viewer-overlay passive" data-testid={`viewer-empty-${slot}`}>
      <div className="viewer-overlay-card">
        <Icon name="cube" size={30} />
        <div className="viewer-overlay-title">{t('empty.title')}</div>
        <div className="muted">{t('empty.hint')}</div>
        <button type="button" className="button primary" onClick={onOpen} data-testid={`viewer-open-${slot}`}>
          <Icon name="upload" /> {t('empty.open')}
        </button>
      </div>
    </div>
  );
}

/** View settings: lighting, background, up axis, point and splat size, screenshot transparency, camera sync. */
export function SettingsPanel() {
  const { t } = useTranslation('viewer');
  const settings = useViewer((s) => s.settings);
  const setOne = useViewer((s) => s.set);
  const compare = useViewer((s) => s.compare);
  return (
    <section className="viewer-side-section viewer-settings" data-testid="viewer-settings">
      <h3 className="viewer-side-title">{t('settings.title')}</h3>
      <label className="viewer-field">
        <span>{t('settings.lighting')}</span>
        <select className="select" value={settings.lighting} onChange={(e) => setOne('lighting', e.target.value as typeof settings.lighting)} data-testid="viewer-lighting">
          {lightingPresets.map((p) => (
            <option key={p} value={p}>
              {t(`lighting.${p}`)}
            </option>
          ))}
        </select>
      </label>
      <label className="viewer-field">
        <span>{t('settings.background')}</span>
        <input type="color" value={settings.background} onChange={(e) => setOne('background', e.target.value)} data-testid="viewer-background" />
      </label>
      <div className="viewer-field">
        <span>{t('settings.upAxis')}</span>
        <div className="segmented" role="group" aria-label={t('settings.upAxis')} data-testid="viewer-up-axis">
          {(['y', 'z'] as const).map((a) => (
            <button key={a} type="button" className={settings.upAxis === a ? 'active' : ''} aria-pressed={settings.upAxis === a} onClick={() => setOne('upAxis', a)}>
              {a.toUpperCase()}
            </button>
          ))}
        </div>
      </div>
      <label className="viewer-field">
        <span>
          {t('settings.pointSize')} <span className="muted">{settings.pointSize}px</span>
        </span>
        <input type="range" min={1} max={12} step={1} value={settings.pointSize} onChange={(e) => setOne('pointSize', Number(e.target.value))} data-testid="viewer-point-size" />
      </label>
      <label className="viewer-field">
        <span>
          {t('settings.splatScale')} <span className="muted">×{settings.splatScale.toFixed(2)}</span>
        </span>
        <input type="range" min={0.1} max={2} step={0.05} value={settings.splatScale} onChange={(e) => setOne('splatScale', Number(e.target.value))} data-testid="viewer-splat-scale" />
      </label>
      <label className="viewer-check">
        <input type="checkbox" checked={settings.transparentShot} onChange={(e) => setOne('transparentShot', e.target.checked)} data-testid="viewer-transparent" />
        {t('settings.transparentShot')}
      </label>
      {compare && (
        <label className="viewer-check">
          <input type="checkbox" checked={settings.syncCameras} onChange={(e) => setOne('syncCameras', e.target.checked)} data-testid="viewer-sync" />
          {t('settings.syncCameras')}
        </label>
      )}
    </section>
  );
}

/** The measuring tool's readout. */
export function MeasurePanel() {
  const { t } = useTranslation('viewer');
  const measuring = useViewer((s) => s.measuring);
  const points = useViewer((s) => s.measure.points);
  if (!measuring) return null;
  const [a, b] = points;
  const d = a && b ? Math.hypot(b[0] - a[0], b[1] - a[1], b[2] - a[2]) : null;
  return (
    <section className="viewer-side-section" data-testid="viewer-measure-panel">
      <h3 className="viewer-side-title">{t('measure.title')}</h3>
      <div className="muted">{points.length === 0 ? t('measure.first') : points.length === 1 ? t('measure.second') : t('measure.again')}</div>
      {d !== null && (
        <div className="viewer-measure-value" data-testid="viewer-measure-distance" data-value={d}>
          {formatLength(d)}
        </div>
      )}
      {points.map((p, i) => (
        <div key={i} className="mono muted viewer-measure-point">
          {String.fromCharCode(65 + i)}: {p.map(formatLength).join(', ')}
        </div>
      ))}
    </section>
  );
}

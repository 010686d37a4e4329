import { useEffect, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import type { ToolInfo } from '../../../../main/common/contract';
import { languages, type Language } from '../../i18n';
import { useSettings } from '../../stores/settings-store';
import { Icon } from '../../ui/icon';
import { Segmented } from '../../ui/segmented';
import { DatabasePanel } from './database-panel';

const languageNames: Record<Language, string> = { en: 'English', ko: '한국어' };

function LanguageSection() {
  const { t, i18n } = useTranslation('settings');
  const setLocale = useSettings((s) => s.setLocale);
  return (
    <section className="panel settings-section">
      <div className="panel-title">
        <span>
          <Icon name="globe" size={14} /> {t('language.title')}
        </span>
      </div>
      <p className="muted settings-text">{t('language.text')}</p>
      <Segmented
        options={languages}
        value={i18n.language as Language}
        onChange={(lng) => void setLocale(lng)}
        render={(lng) => languageNames[lng]}
        label={t('language.title')}
        testId={(lng) => `language-${lng}`}
        lang={(lng) => lng}
      />
    </section>
  );
}

function ToolRow({ name, tool }: { name: string; tool: ToolInfo | null }) {
  const { t } = useTranslation('settings');
  return (
    <div className="tool-row" data-testid={`tool-${name}`}>
      <div className="tool-name">{name}</div>
      {tool ? (
        <>
          <div className="tool-version">
            <span className="badge success">
              <Icon name="check" size={12} /> {tool.version}
            </span>
            <span className="badge">{t(`tools.source.${tool.source}`)}</span>
          </div>
          <div className="tool-path mono" title={tool.path}>
            {tool.path}
          </div>
        </>
      ) : (
        <div className="tool-version">
          <span className="badge danger">{t('tools.missing')}</span>
        </div>
      )}
    </div>
  );
}

function ToolsSection() {
  const { t } = useTranslation('settings');
  const settings = useSettings((s) => s.settings);
  const info = useSettings((s) => s.info);
  const setToolPaths = useSettings((s) => s.setToolPaths);
  const [ffmpeg, setFfmpeg] = useState('');
  const [ffprobe, setFfprobe] = useState('');
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    setFfmpeg(settings?.ffmpegPath ?? '');
    setFfprobe(settings?.ffprobePath ?? '');
  }, [settings?.ffmpegPath, settings?.ffprobePath]);

  const dirty = (settings?.ffmpegPath ?? '') !== ffmpeg.trim() || (settings?.ffprobePath ?? '') !== ffprobe.trim();

  const save = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    await setToolPaths({ ffmpegPath: ffmpeg.trim() || null, ffprobePath: ffprobe.trim() || null });
    setBusy(false);
  };

  return (
    <section className="panel settings-section">
      <div className="panel-title">
        <span>
          <Icon name="film" size={14} /> {t('tools.title')}
        </span>
      </div>
      <div className="tool-list">
        <ToolRow name="ffmpeg" tool={info?.ffmpeg ?? null} />
        <ToolRow name="ffprobe" tool={info?.ffprobe ?? null} />
      </div>
      {info?.ffmpegProblem && (
        <div className="callout danger" role="alert" data-testid="ffmpeg-problem">
          <Icon name="alert" size={16} />
          <span>{info.ffmpegProblem}</span>
        </div>
      )}
      <form onSubmit={save} className="tool-form">
        <p className="muted settings-text">{t('tools.text')}</p>
        <div className="field">
          <label htmlFor="ffmpeg-path">{t('tools.ffmpegPath')}</label>
          <input
            id="ffmpeg-path"
            className="input mono"
            value={ffmpeg}
            placeholder={t('tools.automatic')}
            onChange={(e) => setFfmpeg(e.target.value)}
            spellCheck={false}
            data-testid="ffmpeg-path-input"
          />
        </div>
        <div className="field">
          <label htmlFor="ffprobe-path">{t('tools.ffprobePath')}</label>
          <input
            id="ffprobe-path"
            className="input mono"
            value={ffprobe}
            placeholder={t('tools.automatic')}
            onChange={(e) => setFfprobe(e.target.value)}
            spellCheck={false}
            data-testid="ffprobe-path-input"
          />
        </div>
        <div className="form-actions">
          <button
            type="button"
            className="button ghost"
            disabled={busy || (!settings?.ffmpegPath && !settings?.ffprobePath)}
            onClick={async () => {
              setBusy(true);
              await setToolPaths({ ffmpegPath: null, ffprobePath: null });
              setBusy(false);
            }}
          >
            {t('tools.useAutomatic')}
          </button>
          <button type="submit" className="button primary" disabled={busy || !dirty} data-testid="save-tools">
            {t('common:actions.save')}
          </button>
        </div>
      </form>
    </section>
  );
}

function AboutSection() {
  const { t } = useTranslation('settings');
  const info = useSettings((s) => s.info);
  const rows: [string, string | undefined][] = [
    [t('about.version'), info?.version],
    [t('about.shell'), info ? t(`about.shells.${info.shell}`) : undefined],
    [t('about.platform'), info?.platform],
    [t('about.dataDir'), info?.dataDir],
  ];
  return (
    <section className="panel settings-section">
      <div className="panel-title">
        <span>
          <Icon name="info" size={14} /> {t('about.title')}
        </span>
      </div>
      <dl className="info-list" data-testid="app-info">
        {rows.map(([k, v]) => (
          <div key={k} className="info-row">
            <dt>{k}</dt>
            <dd className={k === t('about.dataDir') ? 'mono' : undefined}>{v ?? '—'}</dd>
          </div>
        ))}
      </dl>
    </section>
  );
}

export function SettingsPage() {
  const { t } = useTranslation('settings');
  const refreshInfo = useSettings((s) => s.refreshInfo);
  useEffect(() => {
    void refreshInfo();
  }, [refreshInfo]);
  return (
    <div className="page" data-testid="settings-page">
      <header className="page-header">
        <div className="page-header-text">
          <h1>{t('title')}</h1>
          <p className="page-subtitle">{t('subtitle')}</p>
        </div>
      </header>
      <div className="settings-grid">
        <LanguageSection />
        <AboutSection />
        <ToolsSection />
        <DatabasePanel />
      </div>
    </div>
  );
}

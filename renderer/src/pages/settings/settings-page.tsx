import { useEffect, useState } from 'react';
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
  const info = useSettings((s) => s.info);
  const chooseTool = useSettings((s) => s.chooseTool);
  const resetTools = useSettings((s) => s.resetTools);
  const [busy, setBusy] = useState(false);
  const native = info?.nativeDialogs ?? false;
  const notes = info?.toolNotes ?? [];
  const chosen = info?.ffmpeg?.source === 'setting' || info?.ffprobe?.source === 'setting' || notes.length > 0;

  const run = async (work: () => Promise<unknown>) => {
    setBusy(true);
    try {
      await work();
    } finally {
      setBusy(false);
    }
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
      {notes.length > 0 && (
        <div className="callout warning" role="status" data-testid="tool-notes">
          <Icon name="alert" size={16} />
          <span>
            {t('tools.refused')}: {notes.join(' ')}
          </span>
        </div>
      )}
      <div className="tool-form">
        {/* The page never types a program path: the desktop app asks the OS file picker, the browser host points to the CLI. */}
        <p className="muted settings-text" data-testid="tools-text">
          {native ? t('tools.text') : t('tools.textBrowser')}
        </p>
        <div className="form-actions">
          <button type="button" className="button ghost" disabled={busy || !chosen} onClick={() => void run(resetTools)} data-testid="tools-automatic">
            {t('tools.useAutomatic')}
          </button>
          {native &&
            (['ffmpeg', 'ffprobe'] as const).map((tool) => (
              <button key={tool} type="button" className="button" disabled={busy} onClick={() => void run(() => chooseTool(tool))} data-testid={`choose-${tool}`}>
                {t('tools.choose', { tool })}
              </button>
            ))}
        </div>
      </div>
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

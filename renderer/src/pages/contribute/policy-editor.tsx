import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { ContributorPolicy, ScheduleWindow } from '../../../../main/common/contract';
import { useContribute } from '../../stores/contribute-store';
import { Icon } from '../../ui/icon';
import { numberIn, parsePrograms } from './contribute-rules';

const DAYS = [1, 2, 3, 4, 5, 6, 0] as const;
type NumKey = 'idleMinutes' | 'cpuSharePercent' | 'gpuSharePercent' | 'memorySharePercent' | 'diskMaxMb' | 'quietMinutes';
const NUMBERS: { key: NumKey; min: number; max: number }[] = [
  { key: 'idleMinutes', min: 0, max: 1440 },
  { key: 'quietMinutes', min: 0, max: 1440 },
  { key: 'cpuSharePercent', min: 1, max: 100 },
  { key: 'gpuSharePercent', min: 1, max: 100 },
  { key: 'memorySharePercent', min: 5, max: 100 },
  { key: 'diskMaxMb', min: 16, max: 1_000_000 },
];

/** The creator's rules: idle minutes, battery, caps, weekday windows, daily maximum, programs; saved at once. */
export function PolicyEditor() {
  const { t } = useTranslation('contribute');
  const policy = useContribute((s) => s.policy);
  const busy = useContribute((s) => s.busy);
  const error = useContribute((s) => s.error);
  const setPolicy = useContribute((s) => s.setPolicy);
  const [draft, setDraft] = useState<Record<string, string>>({});
  const [programs, setPrograms] = useState('');
  const [saved, setSaved] = useState(false);
  useEffect(() => {
    if (!policy) return;
    setDraft(Object.fromEntries([...NUMBERS.map((n) => [n.key, String(policy[n.key])]), ['dailyMaxMinutes', policy.dailyMaxMinutes === null ? '' : String(policy.dailyMaxMinutes)]]));
    setPrograms(policy.pausePrograms.join('\n'));
  }, [policy]);
  if (!policy) return null;

  const bad = NUMBERS.filter((n) => numberIn(draft[n.key] ?? '', n.min, n.max) === null).map((n) => n.key as string);
  const dailyText = (draft.dailyMaxMinutes ?? '').trim();
  const daily = dailyText === '' ? null : numberIn(dailyText, 1, 1440);
  if (dailyText !== '' && daily === null) bad.push('dailyMaxMinutes');

  const save = async (patch: Partial<ContributorPolicy>) => {
    setSaved(false);
    if (await setPolicy(patch)) setSaved(true);
  };
  const saveAll = () => {
    if (bad.length) return;
    const patch: Partial<ContributorPolicy> = { pausePrograms: parsePrograms(programs), dailyMaxMinutes: daily };
    for (const n of NUMBERS) (patch as Record<string, number>)[n.key] = Number(draft[n.key]);
    void save(patch);
  };
  const setWindow = (i: number, w: ScheduleWindow | null) => {
    const next = [...policy.schedule];
    if (w) next[i] = w;
    else next.splice(i, 1);
    void save({ schedule: next });
  };

  return (
    <section className="panel contribute-policy" data-testid="contribute-policy">
      <div className="panel-title">
        <span>
          <Icon name="settings" size={14} /> {t('policy.title')}
        </span>
        {saved && <span className="faint" data-testid="contribute-policy-saved">{t('policy.saved')}</span>}
      </div>
      <div className="contribute-policy-grid">
        {NUMBERS.map((n) => (
          <label className="field" key={n.key}>
            <span className="field-label">{t(`policy.${n.key}`)}</span>
            <input className="input" inputMode="numeric" data-testid={`contribute-policy-${n.key}`} value={draft[n.key] ?? ''} aria-invalid={bad.includes(n.key)} onChange={(e) => setDraft({ ...draft, [n.key]: e.target.value })} />
            {bad.includes(n.key) && <span className="field-error">{t('policy.range', { min: n.min, max: n.max })}</span>}
          </label>
        ))}
        <label className="field">
          <span className="field-label">{t('policy.dailyMaxMinutes')}</span>
          <input className="input" inputMode="numeric" placeholder={t('policy.noMax')} data-testid="contribute-policy-dailyMaxMinutes" value={draft.dailyMaxMinutes ?? ''} aria-invalid={bad.includes('dailyMaxMinutes')} onChange={(e) => setDraft({ ...draft, dailyMaxMinutes: e.target.value })} />
          {bad.includes('dailyMaxMinutes') && <span className="field-error">{t('policy.range', { min: 1, max: 1440 })}</span>}
        </label>
      </div>
      <div className="contribute-checks">
        {(['runOnBattery', 'pauseOnGpuProcess', 'pauseOnOwnWork'] as const).map((k) => (
          <label key={k} className="contribute-check">
            <input type="checkbox" data-testid={`contribute-policy-${k}`} checked={policy[k]} disabled={busy} onChange={(e) => void save({ [k]: e.target.checked })} /> {t(`policy.${k}`)}
          </label>
        ))}
        {(['gpu', 'cpu'] as const).map((c) => (
          <label key={c} className="contribute-check">
            <input
              type="checkbox"
              data-testid={`contribute-policy-cluster-${c}`}
              checked={policy.clusters.includes(c)}
              disabled={busy || (policy.clusters.length === 1 && policy.clusters.includes(c))}
              onChange={(e) => void save({ clusters: e.target.checked ? [...policy.clusters, c] : policy.clusters.filter((x) => x !== c) })}
            />{' '}
            {t('policy.offer', { cluster: t(`clusters.${c}`) })}
          </label>
        ))}
      </div>
      <label className="field">
        <span className="field-label">{t('policy.pausePrograms')}</span>
        <textarea className="input mono" rows={3} data-testid="contribute-policy-programs" placeholder="blender.exe" value={programs} onChange={(e) => setPrograms(e.target.value)} />
        <span className="field-hint">{t('policy.programsHint')}</span>
      </label>
      <div className="field">
        <span className="field-label">{t('policy.schedule')}</span>
        {policy.schedule.length === 0 && <p className="faint" data-testid="contribute-schedule-empty">{t('policy.anyTime')}</p>}
        {policy.schedule.map((w, i) => (
          <div className="contribute-window" key={i} data-testid={`contribute-window-${i}`}>
            {DAYS.map((d) => (
              <label key={d} className="contribute-day">
                <input
                  type="checkbox"
                  checked={w.days.includes(d)}
                  disabled={busy || (w.days.length === 1 && w.days.includes(d))}
                  onChange={(e) => setWindow(i, { ...w, days: e.target.checked ? [...w.days, d].sort() : w.days.filter((x) => x !== d) })}
                />
                {t(`days.${d}`)}
              </label>
            ))}
            <input className="input mono" type="time" aria-label={t('policy.from')} value={w.start} onChange={(e) => e.target.value && setWindow(i, { ...w, start: e.target.value })} />
            <span>–</span>
            <input className="input mono" type="time" aria-label={t('policy.to')} value={w.end === '24:00' ? '23:59' : w.end} onChange={(e) => e.target.value && setWindow(i, { ...w, end: e.target.value })} />
            <button className="icon-button" aria-label={t('policy.removeWindow')} onClick={() => setWindow(i, null)}>
              <Icon name="trash" size={14} />
            </button>
          </div>
        ))}
        <button className="button ghost small" data-testid="contribute-add-window" disabled={busy} onClick={() => void save({ schedule: [...policy.schedule, { days: [1, 2, 3, 4, 5], start: '22:00', end: '07:00' }] })}>
          <Icon name="plus" size={14} /> {t('policy.addWindow')}
        </button>
      </div>
      {error?.action === 'policy' && (
        <p className="cloud-error" role="alert">
          {error.message}
        </p>
      )}
      <div className="cloud-row-actions">
        <button className="button primary small" data-testid="contribute-policy-save" disabled={busy || bad.length > 0} onClick={saveAll}>
          {t('policy.save')}
        </button>
      </div>
    </section>
  );
}

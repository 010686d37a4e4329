import { useId, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { sayText } from '../../../i18n/say';
import { useCompute } from '../../../stores/compute-store';
import { Icon } from '../../../ui/icon';
import { Segmented } from '../../../ui/segmented';
import { parseWhole, userIdProblems, type UserIdProblem } from './gpu-rules';

const MODES = ['register', 'existing'] as const;
type Mode = (typeof MODES)[number];

function problemText(t: (k: string, o?: Record<string, unknown>) => string, p: UserIdProblem): string {
  if (p.kind === 'empty') return t('gpu.register.userIdEmpty');
  if (p.kind === 'tooLong') return t('gpu.register.userIdTooLong', { max: p.max });
  return t('gpu.register.userIdForbidden', { chars: p.chars.join(' ') });
}

/**
 * Once per studio: register a user id with its personal storage on a campus (registerUser), or use an id registered
 * before (saved, nothing sent). The id is checked while it is typed — seed 003 takes any characters but `. # $ [ ]`.
 */
export function GpuRegister() {
  const { t, i18n } = useTranslation('cloud');
  const busy = useCompute((s) => s.busy);
  const error = useCompute((s) => s.error);
  const register = useCompute((s) => s.register);
  const useExisting = useCompute((s) => s.useExisting);
  const clearError = useCompute((s) => s.clearError);
  const [mode, setMode] = useState<Mode>('register');
  const [userId, setUserId] = useState('');
  const [storage, setStorage] = useState('20');
  const [school, setSchool] = useState('1');
  const [touched, setTouched] = useState(false);
  const ids = useId();

  const problems = userIdProblems(userId);
  // An empty field is only "wrong" once the creator tried; a forbidden character is said at once.
  const shown = problems.filter((p) => p.kind !== 'empty' || touched);
  const storageGb = parseWhole(storage, 1);
  const schoolId = parseWhole(school, 0);
  const ok = problems.length === 0 && schoolId !== null && (mode === 'existing' || storageGb !== null);
  const formError = error && (error.action === 'register' || error.action === 'useExisting') ? error : null;

  const submit = async () => {
    setTouched(true);
    if (!ok || busy) return;
    if (mode === 'register') await register(userId, storageGb!, schoolId!);
    else await useExisting(userId, schoolId!);
  };

  return (
    <section className="panel gpu-register" data-testid="compute-register" aria-labelledby={`${ids}-title`}>
      <div className="panel-title">
        <span id={`${ids}-title`}>
          <Icon name="cpu" size={14} /> {t('gpu.register.title')}
        </span>
      </div>
      <p className="muted gpu-intro">{t('gpu.register.intro')}</p>
      <form
        className="gpu-form"
        noValidate
        onSubmit={(e) => {
          e.preventDefault();
          void submit();
        }}
      >
        <Segmented
          options={MODES}
          value={mode}
          onChange={(m) => {
            setMode(m);
            clearError();
          }}
          render={(m) => t(`gpu.register.modes.${m}`)}
          label={t('gpu.register.modes.label')}
          testId={(m) => `compute-register-mode-${m}`}
          className="gpu-modes"
        />
        <div className="field">
          <label htmlFor={`${ids}-user`}>{t('gpu.register.userId')}</label>
          <input
            id={`${ids}-user`}
            className="input mono"
            value={userId}
            onChange={(e) => setUserId(e.target.value)}
            onBlur={() => userId && setTouched(true)}
            aria-invalid={shown.length > 0}
            aria-describedby={`${ids}-user-hint`}
            spellCheck={false}
            autoComplete="username"
            data-testid="compute-user-id"
          />
          <div id={`${ids}-user-hint`} aria-live="polite">
            {shown.length > 0 ? (
              shown.map((p) => (
                <div key={p.kind} className="field-error" data-testid="compute-user-id-error" data-kind={p.kind}>
                  {problemText(t, p)}
                </div>
              ))
            ) : (
              <div className="field-hint">{t('gpu.register.userIdHint')}</div>
            )}
          </div>
        </div>
        <div className="gpu-form-row">
          {mode === 'register' && (
            <div className="field">
              <label htmlFor={`${ids}-storage`}>{t('gpu.register.storage')}</label>
              <div className="gpu-unit-input">
                <input
                  id={`${ids}-storage`}
                  className="input"
                  inputMode="numeric"
                  value={storage}
                  onChange={(e) => setStorage(e.target.value)}
                  aria-invalid={storageGb === null}
                  data-testid="compute-storage-gb"
                />
                <span className="faint">GB</span>
              </div>
              {storageGb === null && <div className="field-error">{t('gpu.register.storageInvalid')}</div>}
            </div>
          )}
          <div className="field">
            <label htmlFor={`${ids}-school`}>{t('gpu.register.school')}</label>
            <input id={`${ids}-school`} className="input" inputMode="numeric" value={school} onChange={(e) => setSchool(e.target.value)} aria-invalid={schoolId === null} data-testid="compute-school" />
            {schoolId === null ? <div className="field-error">{t('gpu.register.schoolInvalid')}</div> : <div className="field-hint">{t('gpu.register.schoolHint')}</div>}
          </div>
        </div>
        {formError && (
          <div className="cloud-error" role="alert" data-testid="compute-register-error" data-code={formError.code}>
            <Icon name="alert" size={15} />
            <span>{t('gpu.register.refused', { message: sayText(i18n, formError) })}</span>
          </div>
        )}
        <div className="cloud-row-actions">
          <button type="submit" className="button primary" disabled={busy || (touched && !ok) || shown.length > 0} data-testid="compute-register-submit">
            {busy ? <span className="spinner" /> : <Icon name={mode === 'register' ? 'plus' : 'check'} size={15} />} {t(`gpu.register.submit.${mode}`)}
          </button>
        </div>
      </form>
    </section>
  );
}

import { useEffect, useId, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { MESSAGES } from '../../../../main/common/messages';
import { sayText } from '../../i18n/say';
import { useCloud, type AccountError } from '../../stores/cloud-store';
import { Dialog } from '../../ui/dialog';
import { Icon } from '../../ui/icon';
import { Segmented } from '../../ui/segmented';
import { accountErrorKey, checkPassword, emailOk, passwordChecks, passwordOk } from './cloud-rules';

/** The reason the core stores when a session ends by itself (an older or other reason is shown as it is). */
const EXPIRED = MESSAGES['atlas.session_expired'].en({});

/** The two ways in side by side; "forgot password" is a link under Sign in (three labels do not fit the side column). */
const TABS = ['signIn', 'signUp'] as const;
type Mode = (typeof TABS)[number] | 'reset';

/** The sign-up rule, each part ticked as it is met while the password is typed. */
export function PasswordRule({ password, id }: { password: string; id?: string }) {
  const { t } = useTranslation('cloud');
  const checks = checkPassword(password);
  return (
    <div className="password-rule" id={id} data-testid="password-rule" aria-live="polite">
      <span className="faint">{t('account.rule.title')}</span>
      <ul>
        {passwordChecks.map((c) => (
          <li key={c} className={checks[c] ? 'met' : ''} data-testid={`rule-${c}`} data-met={checks[c]}>
            <Icon name={checks[c] ? 'check' : 'x'} size={13} />
            <span>{t(`account.rule.${c}`)}</span>
            <span className="sr-only">({t(checks[c] ? 'account.rule.met' : 'account.rule.missing')})</span>
          </li>
        ))}
      </ul>
    </div>
  );
}

/** The account failure in its own sentence; sign-in's "not confirmed" offers to send the e-mail again. */
function AccountErrorView({ error, email }: { error: AccountError; email: string }) {
  const { t, i18n } = useTranslation('cloud');
  const resend = useCloud((s) => s.resendConfirmation);
  const key = accountErrorKey(error.action, error.code);
  return (
    <div className="cloud-error" role="alert" data-testid="account-error" data-code={error.code} data-reason={key}>
      <Icon name="alert" size={15} />
      <div>
        <div>{t(`account.errors.${key}`, { message: sayText(i18n, error) })}</div>
        {key === 'notConfirmed' && emailOk(email) && (
          <button type="button" className="button small cloud-error-action" onClick={() => void resend(email.trim())} data-testid="account-resend">
            {t('account.resend')}
          </button>
        )}
      </div>
    </div>
  );
}

function PasswordField({ value, onChange, label, autoComplete, testId, describedBy }: { value: string; onChange: (v: string) => void; label: string; autoComplete: string; testId: string; describedBy?: string }) {
  const { t } = useTranslation('cloud');
  const id = useId();
  const [show, setShow] = useState(false);
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      <div className="password-input">
        <input
          id={id}
          className="input"
          type={show ? 'text' : 'password'}
          value={value}
          onChange={(e) => onChange(e.target.value)}
          autoComplete={autoComplete}
          aria-describedby={describedBy}
          data-testid={testId}
        />
        <button type="button" className="button ghost small password-toggle" onClick={() => setShow((s) => !s)} aria-label={t('account.showPassword')} aria-pressed={show}>
          {t(show ? 'account.hide' : 'account.show')}
        </button>
      </div>
    </div>
  );
}

/** Signed out (or the session expired): sign in, create an account, or ask for a temporary password. */
function SignedOut({ expired }: { expired: boolean }) {
  const { t, i18n } = useTranslation('cloud');
  const busy = useCloud((s) => s.accountBusy);
  const error = useCloud((s) => s.accountError);
  const clearError = useCloud((s) => s.clearAccountError);
  const signIn = useCloud((s) => s.signIn);
  const signUp = useCloud((s) => s.signUp);
  const reset = useCloud((s) => s.resetPassword);
  const reason = useCloud((s) => s.account?.reason ?? null);
  const [mode, setMode] = useState<Mode>('signIn');
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [nickname, setNickname] = useState('');
  const [touched, setTouched] = useState(false);
  const [signedUp, setSignedUp] = useState<{ email: string; mailed: boolean } | null>(null);
  const ruleId = useId();

  useEffect(() => {
    clearError();
    setTouched(false);
  }, [mode, clearError]);

  const emailBad = touched && !emailOk(email);
  const canSubmit =
    !busy && emailOk(email) && (mode === 'reset' || (mode === 'signIn' ? password.length > 0 : passwordOk(password) && nickname.trim().length > 0));

  const submit = async () => {
    setTouched(true);
    if (!canSubmit) return;
    const e = email.trim();
    if (mode === 'signIn') {
      if (await signIn(e, password)) setPassword('');
    } else if (mode === 'signUp') {
      const res = await signUp(e, nickname.trim(), password);
      if (res) {
        setSignedUp({ email: e, mailed: res.confirmationSent });
        setPassword('');
        setMode('signIn');
      }
    } else {
      await reset(e);
    }
  };

  return (
    <form
      className="account-form"
      data-testid="account-form"
      data-mode={mode}
      onSubmit={(e) => {
        e.preventDefault();
        void submit();
      }}
      noValidate
    >
      {expired && (
        <div className="cloud-notice warning" role="status" data-testid="account-expired">
          <Icon name="alert" size={15} /> <span>{reason ? sayText(i18n, { message: reason, messageCode: reason === EXPIRED ? 'atlas.session_expired' : undefined }) : t('account.expired')}</span>
        </div>
      )}
      {signedUp && mode === 'signIn' && (
        <div className="cloud-notice success" role="status" data-testid="account-signed-up">
          <Icon name="check" size={15} /> <span>{t(signedUp.mailed ? 'account.signedUp' : 'account.signedUpNoMail', { email: signedUp.email })}</span>
        </div>
      )}
      {mode === 'reset' ? (
        <div className="account-reset-head">
          <strong>{t('account.modes.reset')}</strong>
          <button type="button" className="button ghost small" onClick={() => setMode('signIn')} data-testid="account-back">
            <Icon name="chevronLeft" size={14} /> {t('account.back')}
          </button>
        </div>
      ) : (
        <Segmented options={TABS} value={mode} onChange={setMode} render={(m) => t(`account.modes.${m}`)} label={t('account.modes.label')} testId={(m) => `account-mode-${m}`} className="account-modes" />
      )}
      <div className="field">
        <label htmlFor="account-email">{t('account.email')}</label>
        <input
          id="account-email"
          className="input"
          type="email"
          value={email}
          onChange={(e) => setEmail(e.target.value)}
          onBlur={() => email && setTouched(true)}
          autoComplete="email"
          aria-invalid={emailBad}
          data-testid="account-email"
        />
        {emailBad && <div className="field-error">{t('account.invalidEmail')}</div>}
      </div>
      {mode === 'signUp' && (
        <div className="field">
          <label htmlFor="account-nickname">{t('account.nickname')}</label>
          <input id="account-nickname" className="input" value={nickname} onChange={(e) => setNickname(e.target.value)} autoComplete="nickname" maxLength={100} data-testid="account-nickname" />
        </div>
      )}
      {mode !== 'reset' && (
        <PasswordField
          value={password}
          onChange={setPassword}
          label={t('account.password')}
          autoComplete={mode === 'signUp' ? 'new-password' : 'current-password'}
          testId="account-password"
          describedBy={mode === 'signUp' ? ruleId : undefined}
        />
      )}
      {mode === 'signUp' && <PasswordRule password={password} id={ruleId} />}
      {mode === 'reset' && <p className="faint account-hint">{t('account.resetHint')}</p>}
      {error && error.action !== 'resend' && <AccountErrorView error={error} email={email} />}
      <div className="cloud-row-actions">
        <button type="submit" className="button primary" disabled={!canSubmit} data-testid="account-submit">
          {busy && <span className="spinner" />}
          {mode === 'signIn' ? t('account.signIn') : mode === 'signUp' ? t('account.signUp') : t('account.sendReset')}
        </button>
        {mode === 'signIn' && (
          <button type="button" className="button ghost small" onClick={() => setMode('reset')} data-testid="account-forgot">
            {t('account.modes.reset')}
          </button>
        )}
        {mode === 'signUp' && emailOk(email) && (
          <button type="button" className="button ghost small" onClick={() => void useCloud.getState().resendConfirmation(email.trim())} disabled={busy} data-testid="account-resend-link">
            {t('account.resend')}
          </button>
        )}
      </div>
    </form>
  );
}

function ChangePassword({ onDone }: { onDone: () => void }) {
  const { t } = useTranslation('cloud');
  const busy = useCloud((s) => s.accountBusy);
  const change = useCloud((s) => s.changePassword);
  const [password, setPassword] = useState('');
  const ruleId = useId();
  return (
    <form
      className="account-subform"
      data-testid="change-password-form"
      onSubmit={(e) => {
        e.preventDefault();
        if (passwordOk(password)) void change(password).then((ok) => ok && onDone());
      }}
    >
      <PasswordField value={password} onChange={setPassword} label={t('account.newPassword')} autoComplete="new-password" testId="change-password-input" describedBy={ruleId} />
      <PasswordRule password={password} id={ruleId} />
      <div className="cloud-row-actions">
        <button type="submit" className="button primary small" disabled={busy || !passwordOk(password)} data-testid="change-password-submit">
          {t('account.savePassword')}
        </button>
        <button type="button" className="button ghost small" onClick={onDone}>
          {t('connection.cancel')}
        </button>
      </div>
    </form>
  );
}

function DeleteAccountDialog({ open, email, onClose }: { open: boolean; email: string; onClose: () => void }) {
  const { t } = useTranslation('cloud');
  const busy = useCloud((s) => s.accountBusy);
  const remove = useCloud((s) => s.deleteAccount);
  const [typed, setTyped] = useState('');
  useEffect(() => {
    if (open) setTyped('');
  }, [open]);
  const matches = typed.trim().toLowerCase() === email.toLowerCase();
  return (
    <Dialog
      open={open}
      title={t('account.deleteTitle')}
      onClose={onClose}
      testId="delete-account-dialog"
      footer={
        <>
          <button type="button" className="button ghost" onClick={onClose}>
            {t('connection.cancel')}
          </button>
          <button type="button" className="button danger" disabled={!matches || busy} onClick={() => void remove(typed.trim()).then((ok) => ok && onClose())} data-testid="confirm-button">
            {t('account.deleteConfirm')}
          </button>
        </>
      }
    >
      <p className="dialog-message">{t('account.deleteText')}</p>
      <div className="field">
        <label htmlFor="delete-account-email">{t('account.email')}</label>
        <input id="delete-account-email" className="input" value={typed} onChange={(e) => setTyped(e.target.value)} placeholder={email} autoFocus data-testid="delete-account-email" />
        {typed.length > 0 && !matches && <div className="field-hint">{t('account.deleteMismatch')}</div>}
      </div>
    </Dialog>
  );
}

function SignedIn() {
  const { t } = useTranslation('cloud');
  const account = useCloud((s) => s.account)!;
  const busy = useCloud((s) => s.accountBusy);
  const error = useCloud((s) => s.accountError);
  const signOut = useCloud((s) => s.signOut);
  const refresh = useCloud((s) => s.loadAccount);
  const [changing, setChanging] = useState(false);
  const [deleting, setDeleting] = useState(false);
  const initial = (account.nickname ?? account.email ?? '?').trim().charAt(0).toUpperCase();
  return (
    <div className="account-signed-in" data-testid="account-signed-in">
      <div className="account-profile">
        <div className="avatar" aria-hidden="true">
          {initial}
        </div>
        <div className="account-profile-text">
          <div className="account-nickname" data-testid="account-profile-nickname">
            {account.nickname ?? '—'}
          </div>
          <div className="muted account-email" data-testid="account-profile-email">
            {account.email ?? '—'}
          </div>
        </div>
        <button type="button" className="icon-button" onClick={() => void refresh(true)} aria-label={t('account.refresh')} title={t('account.refresh')} data-testid="account-refresh">
          <Icon name="refresh" size={15} />
        </button>
      </div>
      {account.vault && <div className="faint account-vault">{t('account.vault', { vault: t(`account.vaults.${account.vault}`, { defaultValue: account.vault }) })}</div>}
      {error && <AccountErrorView error={error} email={account.email ?? ''} />}
      {changing ? (
        <ChangePassword onDone={() => setChanging(false)} />
      ) : (
        <div className="cloud-row-actions">
          <button type="button" className="button small" onClick={() => void signOut()} disabled={busy} data-testid="account-sign-out">
            {t('account.signOut')}
          </button>
          <button type="button" className="button ghost small" onClick={() => setChanging(true)} data-testid="account-change-password">
            {t('account.changePassword')}
          </button>
        </div>
      )}
      <div className="account-danger">
        <button type="button" className="button ghost small danger-text" onClick={() => setDeleting(true)} data-testid="account-delete">
          <Icon name="trash" size={14} /> {t('account.deleteAccount')}
        </button>
      </div>
      <DeleteAccountDialog open={deleting} email={account.email ?? ''} onClose={() => setDeleting(false)} />
    </div>
  );
}

/** Sign in / sign up / reset, or the signed-in profile with sign out, change password and delete. */
export function AccountPanel() {
  const { t } = useTranslation('cloud');
  const account = useCloud((s) => s.account);
  return (
    <section className="panel cloud-account" data-testid="cloud-account" data-state={account?.state ?? 'loading'} aria-labelledby="cloud-account-title">
      <div className="panel-title">
        <span id="cloud-account-title">{t('account.title')}</span>
        {account?.state === 'signedIn' && <span className="badge success">{t('account.signedInAs')}</span>}
      </div>
      {account === null ? <span className="spinner" /> : account.state === 'signedIn' ? <SignedIn /> : <SignedOut expired={account.state === 'expired'} />}
    </section>
  );
}

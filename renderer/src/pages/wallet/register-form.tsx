import { useEffect, useId, useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { registerModelProblems, type ModelManifest, type RegisterModelBody, type RegisterProblem } from '../../../../main/common/contract';
import { api } from '../../api';
import { showError } from '../../stores/toast-store';
import { useWallet } from '../../stores/wallet-store';
import { Icon } from '../../ui/icon';
import { parseLamports } from './format';

const TEXT = ['name', 'uploader', 'versionName', 'modality', 'releaseDate', 'thumbnail', 'cidRoot', 'encryptionKey'] as const;
const LONG = ['overview', 'releaseNotes'] as const;
const JSON_FIELDS = ['metrics', 'technicalSpecs', 'sample'] as const;
const BILLING = ['free', 'monthly_subscription', 'one_time_purchase'] as const;
const RELATIONSHIPS = ['root', 'derived', 'fine-tuned'] as const;

interface TierRow {
  name: string;
  price: string;
  description: string;
  billingType: string;
}

interface Form {
  text: Record<(typeof TEXT)[number] | (typeof LONG)[number], string>;
  license: string;
  walletAddress: string;
  json: Record<(typeof JSON_FIELDS)[number], string>;
  tiers: TierRow[];
  relationship: string;
  parentModelPDA: string;
}

function toForm(b: RegisterModelBody): Form {
  return {
    text: { name: b.name, uploader: b.uploader, versionName: b.versionName, modality: b.modality, releaseDate: b.releaseDate, thumbnail: b.thumbnail, cidRoot: b.cidRoot, encryptionKey: b.encryptionKey, overview: b.overview, releaseNotes: b.releaseNotes },
    license: b.license.join(', '),
    walletAddress: b.walletAddress,
    json: { metrics: JSON.stringify(b.metrics), technicalSpecs: JSON.stringify(b.technicalSpecs), sample: JSON.stringify(b.sample) },
    tiers: Object.entries(b.pricing).map(([name, t]) => ({ name, price: String(t.price), description: t.description, billingType: t.billingType })),
    relationship: b.relationship,
    parentModelPDA: b.parentModelPDA ?? '',
  };
}

/** The body as typed: JSON that does not parse stays text, so the rule check names the field. */
function toBody(f: Form): { body: Record<string, unknown>; badJson: string[] } {
  const badJson: string[] = [];
  const json: Record<string, unknown> = {};
  for (const k of JSON_FIELDS) {
    try {
      json[k] = JSON.parse(f.json[k] || '{}');
    } catch {
      badJson.push(k);
      json[k] = f.json[k];
    }
  }
  const pricing: Record<string, unknown> = {};
  for (const t of f.tiers) pricing[t.name] = { price: parseLamports(t.price) ?? t.price, description: t.description, billingType: t.billingType };
  const body: Record<string, unknown> = {
    ...f.text,
    license: f.license.split(',').map((s) => s.trim()).filter(Boolean),
    walletAddress: f.walletAddress.trim(),
    pricing,
    ...json,
    relationship: f.relationship,
  };
  if (f.parentModelPDA.trim()) body.parentModelPDA = f.parentModelPDA.trim();
  return { body, badJson };
}

function FieldError({ problems, field }: { problems: RegisterProblem[]; field: string }) {
  const { t } = useTranslation('wallet');
  const mine = problems.filter((p) => p.field === field || p.field.startsWith(`${field}.`));
  if (!mine.length) return null;
  return (
    <div className="field-error" data-testid={`register-error-${field}`}>
      {mine.map((p) => t(`problems.${p.code}`, { ...p.params, field: p.field })).join(' · ')}
    </div>
  );
}

/** Register a library model on chain: the form starts from the model's manifest and lineage; every rule is checked as it is typed. */
export function RegisterForm() {
  const { t } = useTranslation('wallet');
  const models = useWallet((s) => s.models);
  const register = useWallet((s) => s.register);
  const busy = useWallet((s) => s.busy.register);
  const [library, setLibrary] = useState<ModelManifest[]>([]);
  const [modelId, setModelId] = useState('');
  const [form, setForm] = useState<Form | null>(null);
  const [tried, setTried] = useState(false);
  const id = useId();

  useEffect(() => {
    void api.models.list().then(setLibrary, showError);
  }, []);

  const startFrom = async (localModelId: string) => {
    setModelId(localModelId);
    setTried(false);
    if (!localModelId) return setForm(null);
    try {
      const d = await api.registry.draft({ localModelId });
      setForm(toForm(d.body));
    } catch (err) {
      showError(err);
    }
  };

  const { body, badJson } = useMemo(() => (form ? toBody(form) : { body: {}, badJson: [] }), [form]);
  const problems = useMemo(() => {
    if (!form) return [];
    const p = registerModelProblems(body).filter((x) => !badJson.includes(x.field));
    return [...p, ...badJson.map((f): RegisterProblem => ({ field: f, code: 'not_object', params: {} }))];
  }, [form, body, badJson]);
  // A missing value is said once the creator tried to send; a broken one at once.
  const shown = tried ? problems : problems.filter((p) => p.code !== 'required' && p.code !== 'parent_required');

  const set = (change: (f: Form) => void) =>
    setForm((f) => {
      if (!f) return f;
      const next = structuredClone(f);
      change(next);
      return next;
    });

  return (
    <section className="panel wallet-register" data-testid="register-panel">
      <div className="panel-title">
        <span>
          <Icon name="upload" size={14} /> {t('register.title')}
        </span>
      </div>
      <div className="field">
        <label htmlFor={`${id}-model`}>{t('register.fromModel')}</label>
        <select id={`${id}-model`} value={modelId} onChange={(e) => void startFrom(e.target.value)} data-testid="register-model-select">
          <option value="">{t('register.chooseModel')}</option>
          {library.map((m) => (
            <option key={m.id} value={m.id}>
              {m.name} ({m.id})
            </option>
          ))}
        </select>
      </div>
      {!form ? (
        <p className="muted" data-testid="register-empty">
          {library.length ? t('register.pickFirst') : t('register.noModels')}
        </p>
      ) : (
        <form
          className="register-form"
          noValidate
          onSubmit={(e) => {
            e.preventDefault();
            setTried(true);
            if (problems.length) return;
            void register({ body, localModelId: modelId || undefined }).then((m) => {
              if (m) {
                setForm(null);
                setModelId('');
              }
            });
          }}
        >
          <div className="register-grid">
            {TEXT.map((k) => (
              <div className="field" key={k}>
                <label htmlFor={`${id}-${k}`}>{t(`register.fields.${k}`)}</label>
                <input id={`${id}-${k}`} value={form.text[k]} onChange={(e) => set((f) => void (f.text[k] = e.target.value))} data-testid={`register-${k}`} aria-invalid={shown.some((p) => p.field === k)} />
                <FieldError problems={shown} field={k} />
              </div>
            ))}
            <div className="field">
              <label htmlFor={`${id}-license`}>{t('register.fields.license')}</label>
              <input id={`${id}-license`} value={form.license} onChange={(e) => set((f) => void (f.license = e.target.value))} data-testid="register-license" />
              <FieldError problems={shown} field="license" />
            </div>
            <div className="field">
              <label htmlFor={`${id}-wallet`}>{t('register.fields.walletAddress')}</label>
              <input id={`${id}-wallet`} value={form.walletAddress} onChange={(e) => set((f) => void (f.walletAddress = e.target.value))} data-testid="register-walletAddress" spellCheck={false} />
              <FieldError problems={shown} field="walletAddress" />
            </div>
            <div className="field">
              <label htmlFor={`${id}-rel`}>{t('register.fields.relationship')}</label>
              <select id={`${id}-rel`} value={form.relationship} onChange={(e) => set((f) => void (f.relationship = e.target.value))} data-testid="register-relationship">
                {RELATIONSHIPS.map((r) => (
                  <option key={r} value={r}>
                    {t(`relationship.${r}`)}
                  </option>
                ))}
              </select>
              <FieldError problems={shown} field="relationship" />
            </div>
            {form.relationship !== 'root' && (
              <div className="field">
                <label htmlFor={`${id}-parent`}>{t('register.fields.parentModelPDA')}</label>
                <select id={`${id}-parent`} value={models.some((m) => m.modelPda === form.parentModelPDA) ? form.parentModelPDA : ''} onChange={(e) => set((f) => void (f.parentModelPDA = e.target.value))} data-testid="register-parent-select">
                  <option value="">{t('register.chooseParent')}</option>
                  {models.map((m) => (
                    <option key={m.modelPda} value={m.modelPda}>
                      {m.name} — {m.modelPda}
                    </option>
                  ))}
                </select>
                <input aria-label={t('register.fields.parentModelPDA')} value={form.parentModelPDA} onChange={(e) => set((f) => void (f.parentModelPDA = e.target.value))} placeholder={t('register.parentPlaceholder')} data-testid="register-parentModelPDA" spellCheck={false} />
                <FieldError problems={shown} field="parentModelPDA" />
              </div>
            )}
          </div>
          {LONG.map((k) => (
            <div className="field" key={k}>
              <label htmlFor={`${id}-${k}`}>{t(`register.fields.${k}`)}</label>
              <textarea id={`${id}-${k}`} rows={2} value={form.text[k]} onChange={(e) => set((f) => void (f.text[k] = e.target.value))} data-testid={`register-${k}`} />
              <FieldError problems={shown} field={k} />
            </div>
          ))}
          <fieldset className="register-tiers">
            <legend>{t('register.fields.pricing')}</legend>
            {form.tiers.map((tier, i) => (
              <div className="register-tier" key={i} data-testid={`register-tier-${i}`}>
                <input aria-label={t('register.tier.name')} value={tier.name} placeholder={t('register.tier.name')} onChange={(e) => set((f) => void (f.tiers[i]!.name = e.target.value))} data-testid={`register-tier-${i}-name`} />
                <input aria-label={t('register.tier.price')} value={tier.price} placeholder={t('register.tier.price')} inputMode="numeric" onChange={(e) => set((f) => void (f.tiers[i]!.price = e.target.value))} data-testid={`register-tier-${i}-price`} />
                <input aria-label={t('register.tier.description')} value={tier.description} placeholder={t('register.tier.description')} onChange={(e) => set((f) => void (f.tiers[i]!.description = e.target.value))} data-testid={`register-tier-${i}-description`} />
                <select aria-label={t('register.tier.billingType')} value={tier.billingType} onChange={(e) => set((f) => void (f.tiers[i]!.billingType = e.target.value))} data-testid={`register-tier-${i}-billing`}>
                  {BILLING.map((b) => (
                    <option key={b} value={b}>
                      {t(`billing.${b}`)}
                    </option>
                  ))}
                </select>
                <button type="button" className="button small ghost" aria-label={t('register.tier.remove')} onClick={() => set((f) => void f.tiers.splice(i, 1))}>
                  <Icon name="x" size={14} />
                </button>
                <FieldError problems={shown} field={`pricing.${tier.name}`} />
              </div>
            ))}
            <button type="button" className="button small" onClick={() => set((f) => void f.tiers.push({ name: `tier${f.tiers.length + 1}`, price: '1000000000', description: '1 SOL per month', billingType: 'monthly_subscription' }))} data-testid="register-add-tier">
              <Icon name="plus" size={14} /> {t('register.tier.add')}
            </button>
            <FieldError problems={shown.filter((p) => p.field === 'pricing')} field="pricing" />
          </fieldset>
          <div className="register-grid">
            {JSON_FIELDS.map((k) => (
              <div className="field" key={k}>
                <label htmlFor={`${id}-${k}`}>{t(`register.fields.${k}`)}</label>
                <textarea id={`${id}-${k}`} rows={2} value={form.json[k]} spellCheck={false} onChange={(e) => set((f) => void (f.json[k] = e.target.value))} data-testid={`register-${k}`} />
                <FieldError problems={shown} field={k} />
              </div>
            ))}
          </div>
          <div className="register-submit">
            {tried && problems.length > 0 && (
              <span className="field-error" data-testid="register-problems-count">
                {t('register.problems', { count: problems.length })}
              </span>
            )}
            <button type="submit" className="button primary" disabled={busy} data-testid="register-submit">
              {busy ? t('register.sending') : t('register.submit')}
            </button>
          </div>
        </form>
      )}
    </section>
  );
}

import { useEffect, useId, useMemo, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useSay } from '../../i18n/say';
import type { FixKind, MediaSource, PreflightReport } from '../../../../main/common/contract';
import { api } from '../../api';
import { useCloud } from '../../stores/cloud-store';
import { isActive, useJobs } from '../../stores/job-store';
import { useMedia } from '../../stores/media-store';
import { useNav } from '../../stores/nav-store';
import { showError, useToasts } from '../../stores/toast-store';
import { Icon } from '../../ui/icon';
import { Segmented } from '../../ui/segmented';
import { JobProgressView } from '../media/job-progress';
import { cloudModels, defaultName, deviceTypes, EPOCH_MAX, EPOCH_MIN, formProblems, mediaFor, modelInputs, NAME_MAX, parseEpoch, type JobForm } from './cloud-rules';

interface FixResult {
  mediaId: number;
  file: string;
  fixes: FixKind[];
  report: PreflightReport;
}

/** The input to check: model, main media and (MusePose) image. A verdict for other inputs never stands. */
const verdictKey = (f: Pick<JobForm, 'model' | 'mediaId' | 'imageMediaId'>) => `${f.model}|${f.mediaId}|${modelInputs[f.model].image ? f.imageMediaId : ''}`;

/**
 * The pre-flight verdict for the chosen input, inline: the same `media.preflight` check and one-click
 * `media.fix` as the Media page's panel. A fixed copy becomes the chosen input and its verdict shows at once.
 */
function PreflightInline({
  form,
  report,
  checking,
  onRecheck,
  onFixed,
}: {
  form: JobForm;
  report: PreflightReport | null;
  checking: boolean;
  onRecheck: () => void;
  /** `image`: the fixed file is MusePose's reference image, not the main input. */
  onFixed: (result: FixResult, input: 'main' | 'image') => void;
}) {
  const { t } = useTranslation('cloud');
  const say = useSay();
  const [fixJobId, setFixJobId] = useState<string | null>(null);
  const [fixSubject, setFixSubject] = useState<'main' | 'image'>('main');
  const job = useJobs((s) => (fixJobId ? s.jobs[fixJobId] : undefined));
  const fixing = isActive(job?.status);
  const handled = useRef<string | null>(null);
  const [fixedFile, setFixedFile] = useState<{ file: string; ok: boolean } | null>(null);

  useEffect(() => {
    setFixedFile((f) => (f && report && report.ok === f.ok ? f : null));
  }, [report]);

  useEffect(() => {
    if (!job || job.status !== 'completed' || handled.current === job.id) return;
    handled.current = job.id;
    const result = job.result as FixResult | null;
    if (result) {
      setFixedFile({ file: result.file.split(/[\\/]/).pop() ?? result.file, ok: result.report.ok });
      onFixed(result, fixSubject);
    }
  }, [job, onFixed, fixSubject]);

  // MusePose's image problems are fixed on the image; everything else on the main input (as the Media page does).
  const fix = async (fixes?: FixKind[], subject: 'video' | 'image' = 'video') => {
    const target = subject === 'image' && modelInputs[form.model].image ? form.imageMediaId : form.mediaId;
    if (target === null) return;
    try {
      const { jobId } = await api.media.fix({ mediaId: target, model: form.model, fixes });
      useJobs.getState().setJob(await api.jobs.get({ id: jobId }));
      setFixSubject(target === form.mediaId ? 'main' : 'image');
      setFixJobId(jobId);
    } catch (err) {
      showError(err);
    }
  };

  const model = t(`models.${form.model}`);
  return (
    <div className="cloud-preflight" data-testid="cloud-preflight" data-state={checking ? 'checking' : report ? (report.ok ? 'ok' : 'bad') : 'none'} aria-live="polite">
      <div className="cloud-preflight-head">
        <span className="field-label">{t('preflight.title')}</span>
        <button type="button" className="button ghost small" onClick={onRecheck} disabled={checking || fixing || form.mediaId === null} data-testid="cloud-preflight-recheck">
          <Icon name="refresh" size={14} /> {t('preflight.recheck')}
        </button>
      </div>
      {checking ? (
        <div className="muted cloud-preflight-line">
          <span className="spinner" /> {t('preflight.checking')}
        </div>
      ) : !report ? (
        <div className="faint cloud-preflight-line">{t('preflight.waiting')}</div>
      ) : (
        <>
          <div className={`preflight-verdict ${report.ok ? 'ok' : 'bad'}`} data-testid="cloud-preflight-verdict" data-ok={report.ok}>
            <Icon name={report.ok ? 'check' : 'alert'} size={16} />
            <span>{t(report.ok ? 'preflight.ok' : 'preflight.bad', { model })}</span>
          </div>
          {report.problems.length > 0 && (
            <ul className="preflight-problems">
              {report.problems.map((p, i) => (
                <li key={i} className={`preflight-problem ${p.severity}`} data-testid="cloud-preflight-problem" data-code={p.code} data-severity={p.severity}>
                  <span className={`badge ${p.severity === 'error' ? 'danger' : 'warning'}`}>{t(`media:preflight.severity.${p.severity}`)}</span>
                  <span className="preflight-problem-text">
                    {t(`media:preflight.codes.${p.code}`, { limit: p.limit ?? '', actual: p.actual ?? '' })}
                    <span className="faint preflight-detail">{say(p)}</span>
                  </span>
                  <span className="preflight-fixes">
                    {p.fixes.map((f) => (
                      <button key={f} type="button" className="button small" onClick={() => void fix([f], p.subject)} disabled={fixing} data-testid={`cloud-fix-${f}`}>
                        <Icon name="sparkles" size={14} /> {t(`media:preflight.fixes.${f}`)}
                      </button>
                    ))}
                    {p.fixes.length === 0 && <span className="faint">{t('media:preflight.noFix')}</span>}
                  </span>
                </li>
              ))}
            </ul>
          )}
          {report.fixes.length > 1 && !report.ok && (
            <button type="button" className="button primary small cloud-fix-all" onClick={() => void fix()} disabled={fixing} data-testid="cloud-fix-all">
              <Icon name="sparkles" size={14} /> {t('preflight.fixAll')}
            </button>
          )}
        </>
      )}
      {fixJobId && fixing && (
        <div className="cloud-fix-progress">
          <div className="muted">{t('preflight.fixing')}</div>
          <JobProgressView jobId={fixJobId} fallback={job} />
        </div>
      )}
      {job?.status === 'failed' && job.error && (
        <div className="cloud-error" role="alert" data-testid="cloud-fix-error">
          <Icon name="alert" size={15} />
          <span>
            <strong>{t(`common:errors.${job.error.code}`, { defaultValue: t('common:errors.UNKNOWN') })}</strong> — {say(job.error)}
          </span>
        </div>
      )}
      {fixedFile && !fixing && (
        <div className="cloud-notice success" data-testid="cloud-fixed">
          <Icon name="check" size={15} /> <span>{t(fixedFile.ok ? 'preflight.fixedOk' : 'preflight.fixedStill', { file: fixedFile.file })}</span>
        </div>
      )}
    </div>
  );
}

function MediaSelect({ id, value, options, onChange, testId, emptyText }: { id: string; value: number | null; options: MediaSource[]; onChange: (id: number | null) => void; testId: string; emptyText: string }) {
  const { t } = useTranslation('cloud');
  if (options.length === 0) {
    return (
      <div className="cloud-no-media" data-testid={`${testId}-empty`}>
        <span className="faint">{emptyText}</span>
        <button type="button" className="button small" onClick={() => useNav.getState().navigate('media')}>
          <Icon name="plus" size={14} /> {t('form.addMedia')}
        </button>
      </div>
    );
  }
  return (
    <select id={id} className="select" value={value ?? ''} onChange={(e) => onChange(e.target.value ? Number(e.target.value) : null)} data-testid={testId}>
      <option value="">{t('form.choose')}</option>
      {options.map((m) => (
        <option key={m.id} value={m.id}>
          {m.name}
        </option>
      ))}
    </select>
  );
}

/** New 3D job: model, media of the open project, pre-flight verdict inline, the model's fields, submit. */
export function JobFormPanel({ projectId }: { projectId: number }) {
  const { t } = useTranslation('cloud');
  const ids = { media: useId(), image: useId(), name: useId(), epoch: useId(), device: useId() };
  const mediaProject = useMedia((s) => s.projectId);
  const allMedia = useMedia((s) => s.media);
  const signedIn = useCloud((s) => s.account?.state === 'signedIn');
  const unreachable = useCloud((s) => s.reach?.reachable === false);
  const submitJob = useCloud((s) => s.submit);
  const form = useCloud((s) => s.draft);
  const nameTouched = useCloud((s) => s.draftNamed);
  const setForm = useCloud((s) => s.setDraft);
  const [verdict, setVerdict] = useState<{ key: string; report: PreflightReport } | null>(null);
  const [checking, setChecking] = useState(false);
  const [submitting, setSubmitting] = useState(false);
  const checkSeq = useRef(0);

  useEffect(() => {
    if (mediaProject !== projectId) void useMedia.getState().load(projectId);
  }, [projectId, mediaProject]);

  const media = mediaProject === projectId ? allMedia : [];
  const spec = modelInputs[form.model];
  const primary = useMemo(() => mediaFor(form.model, media), [form.model, media]);
  const images = useMemo(() => media.filter((m) => m.kind === 'image'), [media]);

  // Keep the choice valid for the model: the first fitting media when the current one does not fit.
  useEffect(() => {
    setForm((f) => {
      const mediaId = f.mediaId !== null && primary.some((m) => m.id === f.mediaId) ? f.mediaId : (primary[0]?.id ?? null);
      const imageMediaId = spec.image ? (f.imageMediaId !== null && images.some((m) => m.id === f.imageMediaId) ? f.imageMediaId : (images[0]?.id ?? null)) : null;
      return mediaId === f.mediaId && imageMediaId === f.imageMediaId ? f : { ...f, mediaId, imageMediaId };
    });
  }, [primary, images, spec.image]);

  // The item is named after its file until the creator types a name.
  const chosen = media.find((m) => m.id === form.mediaId) ?? null;
  useEffect(() => {
    if (!nameTouched && chosen) setForm((f) => ({ ...f, name: defaultName(chosen.name) }));
  }, [chosen, nameTouched]);

  const key = verdictKey(form);
  const report = verdict?.key === key ? verdict.report : null;

  const runPreflight = async (f: JobForm) => {
    if (f.mediaId === null || (modelInputs[f.model].image && f.imageMediaId === null)) return;
    const seq = ++checkSeq.current;
    const k = verdictKey(f);
    setChecking(true);
    try {
      const r = await api.media.preflight({ mediaId: f.mediaId, model: f.model, imageMediaId: modelInputs[f.model].image ? (f.imageMediaId ?? undefined) : undefined });
      if (seq === checkSeq.current) setVerdict({ key: k, report: r });
    } catch (err) {
      if (seq === checkSeq.current) showError(err);
    } finally {
      if (seq === checkSeq.current) setChecking(false);
    }
  };

  // Checked as soon as the input is chosen: the verdict is there before the creator reaches Submit.
  useEffect(() => {
    if (verdict?.key === key) return; // e.g. a fix just returned the new file's verdict
    void runPreflight(form);
    // the key holds everything the check depends on
  }, [key]);

  const formRef = useRef(form);
  formRef.current = form;
  // The fixed copy is a new media source of the project: it becomes the input, with the verdict the fix returned.
  const onFixed = useMemo(
    () => (result: FixResult, input: 'main' | 'image') => {
      void useMedia
        .getState()
        .load(projectId)
        .then(() => {
          if (input === 'image') {
            // the fix checked the image alone: the pair is checked again as a whole
            setForm((f) => ({ ...f, imageMediaId: result.mediaId }));
            return;
          }
          const next = { ...formRef.current, mediaId: result.mediaId };
          checkSeq.current++; // a check still running for the old input must not overwrite this verdict
          setChecking(false);
          setVerdict({ key: verdictKey(next), report: result.report });
          setForm(next);
        });
    },
    [projectId],
  );

  const problems = formProblems(form);
  const blocked = report !== null && !report.ok;
  const canSubmit = signedIn && problems.length === 0 && report?.ok === true && !checking && !submitting;
  const epochBad = spec.epoch && parseEpoch(form.epoch) === null;

  const submit = async () => {
    if (!canSubmit || form.mediaId === null) return;
    setSubmitting(true);
    const job = await submitJob({
      projectId,
      model: form.model,
      mediaId: form.mediaId,
      imageMediaId: spec.image ? (form.imageMediaId ?? undefined) : undefined,
      itemName: form.name.trim(),
      epoch: spec.epoch ? (parseEpoch(form.epoch) ?? undefined) : undefined,
      resize: spec.resize ? form.resize : undefined,
      deviceType: spec.deviceType ? form.deviceType : undefined,
    });
    setSubmitting(false);
    if (job) setForm((f) => f, false); // the next job is named after its file again
    if (job) useToasts.getState().push({ kind: 'info', titleKey: 'cloud:form.submitted', titleValues: { name: job.fields.itemName } });
  };

  const why = !signedIn ? t('form.needSignIn') : blocked ? t('form.blocked') : null;

  return (
    <section className="panel cloud-form" data-testid="cloud-job-form" data-model={form.model} aria-labelledby="cloud-form-title">
      <div className="panel-title">
        <span id="cloud-form-title">
          <Icon name="upload" size={14} /> {t('form.title')}
        </span>
      </div>
      <div className="cloud-model-row">
        <Segmented
          options={cloudModels}
          value={form.model}
          onChange={(model) => setForm((f) => ({ ...f, model }))}
          render={(m) => t(`models.${m}`)}
          label={t('form.model')}
          testId={(m) => `cloud-model-${m}`}
          className="cloud-models"
        />
        <p className="faint cloud-model-hint" data-testid="cloud-model-hint">
          {t(`modelHints.${form.model}`)}
        </p>
      </div>
      <form
        className="cloud-form-grid"
        onSubmit={(e) => {
          e.preventDefault();
          void submit();
        }}
        noValidate
      >
        <div className="cloud-form-fields">
          <div className="field">
            <label htmlFor={ids.media}>{spec.primary === 'image' ? t('form.mediaImage') : t('form.media')}</label>
            <MediaSelect
              id={ids.media}
              value={form.mediaId}
              options={primary}
              onChange={(mediaId) => setForm((f) => ({ ...f, mediaId }))}
              testId="cloud-media"
              emptyText={spec.primary === 'image' ? t('form.noImage') : t('form.noMedia')}
            />
          </div>
          {spec.image && (
            <div className="field">
              <label htmlFor={ids.image}>{t('form.refImage')}</label>
              <MediaSelect id={ids.image} value={form.imageMediaId} options={images} onChange={(imageMediaId) => setForm((f) => ({ ...f, imageMediaId }))} testId="cloud-image" emptyText={t('form.noImage')} />
            </div>
          )}
          <div className="field">
            <label htmlFor={ids.name}>{t('form.name')}</label>
            <input
              id={ids.name}
              className="input"
              value={form.name}
              maxLength={NAME_MAX}
              onChange={(e) => setForm((f) => ({ ...f, name: e.target.value }), true)}
              aria-invalid={problems.includes('name') && nameTouched}
              data-testid="cloud-name"
            />
            <div className="field-hint">{t('form.nameHint', { max: NAME_MAX })}</div>
          </div>
          <div className="cloud-form-inline">
            {spec.epoch && (
              <div className="field cloud-epoch">
                <label htmlFor={ids.epoch}>{t('form.epoch')}</label>
                <input
                  id={ids.epoch}
                  className="input"
                  type="number"
                  inputMode="numeric"
                  min={EPOCH_MIN}
                  max={EPOCH_MAX}
                  step={1}
                  value={form.epoch}
                  onChange={(e) => setForm((f) => ({ ...f, epoch: e.target.value }))}
                  aria-invalid={epochBad}
                  aria-describedby={`${ids.epoch}-hint`}
                  data-testid="cloud-epoch"
                />
                <div id={`${ids.epoch}-hint`} className={epochBad ? 'field-error' : 'field-hint'}>
                  {epochBad ? t('form.epochInvalid', { min: EPOCH_MIN, max: EPOCH_MAX }) : t('form.epochHint', { min: EPOCH_MIN, max: EPOCH_MAX })}
                </div>
              </div>
            )}
            {spec.deviceType && (
              <div className="field">
                <label htmlFor={ids.device}>{t('form.deviceType')}</label>
                <select id={ids.device} className="select" value={form.deviceType} onChange={(e) => setForm((f) => ({ ...f, deviceType: e.target.value as JobForm['deviceType'] }))} data-testid="cloud-device-type">
                  {deviceTypes.map((d) => (
                    <option key={d} value={d}>
                      {t(`form.devices.${d}`)}
                    </option>
                  ))}
                </select>
              </div>
            )}
          </div>
          {spec.resize && (
            <label className="switch-row">
              <input type="checkbox" checked={form.resize} onChange={(e) => setForm((f) => ({ ...f, resize: e.target.checked }))} data-testid="cloud-resize" />
              <span>
                {t('form.resize')}
                <span className="field-hint cloud-block">{t('form.resizeHint')}</span>
              </span>
            </label>
          )}
        </div>
        <div className="cloud-form-side">
          <PreflightInline form={form} report={report} checking={checking} onRecheck={() => void runPreflight(form)} onFixed={onFixed} />
          <div className="cloud-submit-row">
            <button type="submit" className="button primary" disabled={!canSubmit} data-testid="cloud-submit" aria-describedby={why ? 'cloud-submit-why' : undefined}>
              {submitting ? <span className="spinner" /> : <Icon name="upload" size={16} />} {submitting ? t('form.submitting') : t('form.submit')}
            </button>
            {why && (
              <span id="cloud-submit-why" className="faint" data-testid="cloud-submit-why">
                {why}
              </span>
            )}
          </div>
          {unreachable && signedIn && (
            <div className="cloud-notice warning" data-testid="cloud-queued-note">
              <Icon name="info" size={15} /> <span>{t('form.queuedNote')}</span>
            </div>
          )}
        </div>
      </form>
    </section>
  );
}

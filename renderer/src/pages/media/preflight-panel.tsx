import { useEffect, useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useSay } from '../../i18n/say';
import type { CloudModel, FixKind, MediaSource, PreflightCode, PreflightProblem, PreflightReport } from '../../../../main/common/contract';
import { api } from '../../api';
import { isActive, useJobs } from '../../stores/job-store';
import { useMedia } from '../../stores/media-store';
import { showError } from '../../stores/toast-store';
import { ConfirmDialog } from '../../ui/dialog';
import { Icon } from '../../ui/icon';
import { Segmented } from '../../ui/segmented';
import { JobProgressView } from './job-progress';
import './media-tools.css';

const videoModels: CloudModel[] = ['nerf2mesh', 'gs3d', 'decal', 'musepose'];
const imageModels: CloudModel[] = ['instant-mesh'];
const capture3d: CloudModel[] = ['nerf2mesh', 'gs3d', 'decal'];

/** What to do about a problem no click can fix: only some need a new recording. */
const REMEDY: Partial<Record<PreflightCode, string>> = {
  IMAGE_REQUIRED: 'chooseImage',
  IMAGE_TOO_SMALL: 'otherImage',
  NOT_AN_IMAGE: 'otherImage',
  NOT_A_VIDEO: 'otherFile',
  UNREADABLE: 'otherFile',
};

/** The sentence that says what a fix does, before it runs: the size fit reads differently when it makes a file bigger. */
const whatKey = (f: FixKind, p: PreflightProblem | null) => (f === 'fit-size' && p?.code === 'FILE_TOO_SMALL' ? 'fit-size-up' : f);
/** Fixes that change more than the file's form (the picture cropped, the file inflated): confirmed first. */
const confirmFirst = (key: string) => key === 'fit-size-up' || key === 'crop-portrait';

interface FixResult {
  mediaId: number;
  file: string;
  fixes: FixKind[];
  report: PreflightReport;
}

/** Checks a media source against a cloud model's input limits before upload, with one-click fixes. */
export function PreflightPanel({ media }: { media: MediaSource }) {
  const { t } = useTranslation('media');
  const say = useSay();
  const models = media.kind === 'video' ? videoModels : imageModels;
  // Select the list itself: a selector that builds a new array each time would re-render forever.
  const allMedia = useMedia((s) => s.media);
  const images = useMemo(() => allMedia.filter((m) => m.kind === 'image'), [allMedia]);
  const [model, setModel] = useState<CloudModel>(models[0]!);
  const [imageId, setImageId] = useState<number | null>(null);
  const [report, setReport] = useState<PreflightReport | null>(null);
  const [checking, setChecking] = useState(false);
  const [fixJobId, setFixJobId] = useState<string | null>(null);
  const job = useJobs((s) => (fixJobId ? s.jobs[fixJobId] : undefined));
  const fixed = job?.status === 'completed' ? (job.result as FixResult | null) : null;

  useEffect(() => {
    setReport(null);
    setFixJobId(null);
  }, [media.id, model, imageId]);

  // The fixed file is a new media source of the project: show it in the list.
  useEffect(() => {
    if (job?.status === 'completed') void useMedia.getState().load(media.projectId);
  }, [job?.status, media.projectId]);

  const check = async () => {
    setChecking(true);
    setReport(null); // an old verdict must not stand while the new one is computed
    try {
      setReport(await api.media.preflight({ mediaId: media.id, model, imageMediaId: model === 'musepose' && imageId !== null ? imageId : undefined, quality: capture3d.includes(model) }));
    } catch (err) {
      showError(err);
    } finally {
      setChecking(false);
    }
  };
  const fix = async (fixes?: FixKind[]) => {
    try {
      const { jobId } = await api.media.fix({ mediaId: media.id, model, fixes });
      useJobs.getState().setJob(await api.jobs.get({ id: jobId }));
      setFixJobId(jobId);
    } catch (err) {
      showError(err);
    }
  };
  const fixing = isActive(job?.status);
  // A fix that inflates the file or crops the picture says so and waits for a yes.
  const [pending, setPending] = useState<{ fixes?: FixKind[]; what: string[] } | null>(null);
  const what = (f: FixKind, p: PreflightProblem | null) => t(`preflight.fixWhat.${whatKey(f, p)}`, { limit: p?.limit ?? '' });
  const ask = (fixes: FixKind[] | undefined, problems: { fix: FixKind; problem: PreflightProblem | null }[]) => {
    if (problems.some((x) => confirmFirst(whatKey(x.fix, x.problem)))) setPending({ fixes, what: problems.map((x) => what(x.fix, x.problem)) });
    else void fix(fixes);
  };
  const problemFor = (f: FixKind) => report?.problems.find((p) => p.fixes.includes(f)) ?? null;

  return (
    <section className="panel preflight-panel" data-testid="preflight-panel">
      <div className="panel-title">
        <span>{t('preflight.title')}</span>
      </div>
      <p className="muted preflight-intro">{t('preflight.intro')}</p>
      <div className="preflight-controls">
        <Segmented options={models} value={model} onChange={setModel} render={(m) => t(`preflight.models.${m}`)} label={t('preflight.model')} testId={(m) => `preflight-model-${m}`} />
        {model === 'musepose' && (
          <select className="input preflight-image" value={imageId ?? ''} onChange={(e) => setImageId(e.target.value ? Number(e.target.value) : null)} aria-label={t('preflight.image')} data-testid="preflight-image">
            <option value="">{t('preflight.noImage')}</option>
            {images.map((i) => (
              <option key={i.id} value={i.id}>
                {i.name}
              </option>
            ))}
          </select>
        )}
        {model === 'musepose' && (
          <p className="field-hint preflight-image-hint" data-testid="preflight-image-hint">
            {t(images.length === 0 ? 'preflight.imageHintNone' : 'preflight.imageHint')}
          </p>
        )}
        <button type="button" className="button" onClick={() => void check()} disabled={checking} data-testid="preflight-check">
          {checking ? <span className="spinner" /> : <Icon name="check" size={16} />} {t(checking && capture3d.includes(model) ? 'preflight.checkingQuality' : 'preflight.check')}
        </button>
      </div>

      {report && (
        <div className="preflight-report" data-testid="preflight-report" data-ok={report.ok}>
          <div className={`preflight-verdict ${report.ok ? 'ok' : 'bad'}`} data-testid="preflight-verdict">
            <Icon name={report.ok ? 'check' : 'alert'} size={16} />
            <span>{t(report.ok ? 'preflight.passes' : 'preflight.fails', { model: t(`preflight.models.${report.model}`) })}</span>
          </div>
          {report.problems.length > 0 && (
            <ul className="preflight-problems">
              {report.problems.map((p, i) => (
                <li key={i} className={`preflight-problem ${p.severity}`} data-testid="preflight-problem" data-code={p.code}>
                  <span className={`badge ${p.severity === 'error' ? 'danger' : 'warning'}`}>{t(`preflight.severity.${p.severity}`)}</span>
                  <span className="preflight-problem-text">
                    {t(`preflight.codes.${p.code}`, { limit: p.limit ?? '', actual: p.actual ?? '' })}
                    <span className="faint preflight-detail">{say(p)}</span>
                  </span>
                  <span className="preflight-fixes">
                    {p.fixes.map((f) => (
                      <span key={f} className="preflight-fix">
                        <button type="button" className="button small" onClick={() => ask([f], [{ fix: f, problem: p }])} disabled={fixing} data-testid={`preflight-fix-${f}`}>
                          <Icon name="sparkles" size={14} /> {t(`preflight.fixes.${f}`)}
                        </button>
                        <span className="faint preflight-fix-what" data-testid={`preflight-fix-what-${f}`}>
                          {what(f, p)}
                        </span>
                      </span>
                    ))}
                    {p.fixes.length === 0 && (
                      <span className="faint" data-testid="preflight-remedy">
                        {t(`preflight.${REMEDY[p.code] ? `remedy.${REMEDY[p.code]}` : 'noFix'}`)}
                      </span>
                    )}
                  </span>
                </li>
              ))}
            </ul>
          )}
          {report.fixes.length > 1 && (
            <button type="button" className="button primary" onClick={() => ask(undefined, report.fixes.map((f) => ({ fix: f, problem: problemFor(f) })))} disabled={fixing} data-testid="preflight-fix-all">
              <Icon name="sparkles" size={16} /> {t('preflight.fixAll', { fixes: report.fixes.map((f) => t(`preflight.fixes.${f}`)).join(', ') })}
            </button>
          )}
          {report.quality && (
            <div className={`preflight-quality ${report.quality.level}`} data-testid="preflight-quality" data-level={report.quality.level}>
              <div className="preflight-quality-head">
                <strong>{t('preflight.quality.title')}</strong>
                <span className={`badge ${report.quality.level === 'good' ? 'success' : report.quality.level === 'fair' ? 'warning' : 'danger'}`}>{t(`preflight.quality.${report.quality.level}`)}</span>
              </div>
              <div className="muted">
                {t('preflight.quality.numbers', { blurry: Math.round(report.quality.blurryShare * 100), motion: Math.round(report.quality.motionCoverage * 100), samples: report.quality.samples })}
              </div>
              <ul className="preflight-advice">
                {report.quality.advice.map((a, i) => {
                  const coded = report.quality?.adviceCodes?.[i];
                  return <li key={i}>{say({ message: a, messageCode: coded?.code, messageParams: coded?.params })}</li>;
                })}
              </ul>
            </div>
          )}
        </div>
      )}

      <ConfirmDialog
        open={pending !== null}
        title={t('preflight.confirmFix')}
        message={
          <ul className="preflight-confirm-list" data-testid="preflight-confirm-what">
            {pending?.what.map((w, i) => <li key={i}>{w}</li>)}
          </ul>
        }
        confirmLabel={t('preflight.confirmFixGo')}
        testId="preflight-confirm-dialog"
        onCancel={() => setPending(null)}
        onConfirm={() => {
          const p = pending;
          setPending(null);
          if (p) void fix(p.fixes);
        }}
      />
      {fixJobId && fixing && <JobProgressView jobId={fixJobId} fallback={job} />}
      {job?.status === 'failed' && job.error && (
        <div className="frame-set-error" role="alert" data-testid="preflight-fix-error">
          <Icon name="alert" size={15} />
          <span>
            <strong>{t(`common:errors.${job.error.code}`)}</strong> — {say(job.error)}
          </span>
        </div>
      )}
      {fixed && (
        <div className="preflight-fixed" data-testid="preflight-fixed" data-ok={fixed.report.ok}>
          <Icon name="check" size={16} />
          <span>{t(fixed.report.ok ? 'preflight.fixedOk' : 'preflight.fixedStill', { file: fixed.file.split('/').pop(), fixes: fixed.fixes.map((f) => t(`preflight.fixes.${f}`)).join(', ') })}</span>
          <button type="button" className="button small" onClick={() => useMedia.getState().select(fixed.mediaId)} data-testid="preflight-open-fixed">
            {t('preflight.openFixed')}
          </button>
        </div>
      )}
    </section>
  );
}

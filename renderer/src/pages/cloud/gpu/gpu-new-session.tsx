import { useId, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { ComputeClusterId } from '../../../../../main/common/contract';
import { sayText } from '../../../i18n/say';
import { useCompute } from '../../../stores/compute-store';
import { useCurrentProject } from '../../../stores/project-store';
import { Icon } from '../../../ui/icon';
import { Segmented } from '../../../ui/segmented';
import { parseMinutes, quotaReason } from './gpu-rules';

const CLUSTERS = ['gpu', 'cpu'] as const;

/** "New session": cluster, image, maximum duration, shared storage path — off, with the reason, when the quota is reached. */
export function GpuNewSession() {
  const { t, i18n } = useTranslation('cloud');
  const quota = useCompute((s) => s.quota);
  const busy = useCompute((s) => s.busy);
  const error = useCompute((s) => s.error);
  const run = useCompute((s) => s.run);
  const project = useCurrentProject();
  const [cluster, setCluster] = useState<ComputeClusterId>('gpu');
  const [image, setImage] = useState('');
  const [duration, setDuration] = useState('120');
  const [storagePath, setStoragePath] = useState('');
  const ids = useId();

  const reason = quotaReason(quota, cluster);
  const noLimit = duration.trim() === '';
  const minutes = noLimit ? null : parseMinutes(duration);
  const durationBad = !noLimit && minutes === null;
  const blocked = reason !== null;
  const disabled = busy || blocked || durationBad;
  const runError = error?.action === 'run' ? error : null;

  const submit = async () => {
    if (disabled) return;
    await run({
      clusterId: cluster,
      ...(image.trim() ? { dockerImagePath: image.trim() } : {}),
      ...(minutes !== null ? { maxDuration: minutes } : {}),
      ...(storagePath.trim() ? { storagePath: storagePath.trim() } : {}),
      ...(project ? { projectId: project.id } : {}),
    });
  };

  return (
    <section className="panel gpu-new" data-testid="compute-new" data-cluster={cluster} aria-labelledby={`${ids}-title`}>
      <div className="panel-title">
        <span id={`${ids}-title`}>
          <Icon name="plus" size={14} /> {t('gpu.new.title')}
        </span>
        {project && <span className="faint">{t('gpu.new.forProject', { name: project.name })}</span>}
      </div>
      <form
        className="gpu-form"
        noValidate
        onSubmit={(e) => {
          e.preventDefault();
          void submit();
        }}
      >
        <div className="field">
          <span className="field-label" id={`${ids}-cluster`}>
            {t('gpu.new.cluster')}
          </span>
          <Segmented
            options={CLUSTERS}
            value={cluster}
            onChange={setCluster}
            render={(c) => (
              <>
                <Icon name={c === 'gpu' ? 'sparkles' : 'cpu'} size={14} /> {t(`gpu.clusters.${c}`)}
              </>
            )}
            labelledBy={`${ids}-cluster`}
            testId={(c) => `compute-cluster-${c}`}
            className="gpu-clusters"
          />
        </div>
        <div className="gpu-form-row">
          <div className="field">
            <label htmlFor={`${ids}-image`}>{t('gpu.new.image')}</label>
            <input id={`${ids}-image`} className="input mono" value={image} onChange={(e) => setImage(e.target.value)} placeholder={t('gpu.new.imagePlaceholder')} spellCheck={false} data-testid="compute-image" />
            <div className="field-hint">{t('gpu.new.imageHint')}</div>
          </div>
          <div className="field gpu-field-narrow">
            <label htmlFor={`${ids}-duration`}>{t('gpu.new.duration')}</label>
            <div className="gpu-unit-input">
              <input id={`${ids}-duration`} className="input" inputMode="numeric" value={duration} onChange={(e) => setDuration(e.target.value)} aria-invalid={durationBad} data-testid="compute-duration" />
              <span className="faint">{t('gpu.min')}</span>
            </div>
            <div className={durationBad ? 'field-error' : 'field-hint'}>{durationBad ? t('gpu.minutesInvalid') : t('gpu.new.durationHint')}</div>
          </div>
        </div>
        <div className="field">
          <label htmlFor={`${ids}-storage`}>{t('gpu.new.storagePath')}</label>
          <input id={`${ids}-storage`} className="input mono" value={storagePath} onChange={(e) => setStoragePath(e.target.value)} placeholder="/datasets/…" spellCheck={false} data-testid="compute-storage-path" />
          <div className="field-hint">{t('gpu.new.storagePathHint')}</div>
        </div>
        {blocked && (
          // the service's own sentence (English only) is the tooltip; the notice says it in the creator's language
          <div className="cloud-notice warning" role="status" data-testid="compute-new-blocked" data-cluster={cluster} title={reason.message ?? undefined}>
            <Icon name="alert" size={15} />
            <span>{t('gpu.new.quotaReached', { cluster: t(`gpu.clusters.${cluster}`), used: reason.used, limit: reason.limit })}</span>
          </div>
        )}
        {runError && (
          <div className="cloud-error" role="alert" data-testid="compute-run-error" data-code={runError.code}>
            <Icon name="alert" size={15} />
            <span>{t('gpu.new.refused', { message: sayText(i18n, runError) })}</span>
          </div>
        )}
        <div className="cloud-row-actions">
          <button type="submit" className="button primary" disabled={disabled} title={blocked ? t('gpu.new.quotaReached', { cluster: t(`gpu.clusters.${cluster}`), used: reason.used, limit: reason.limit }) : undefined} data-testid="compute-run">
            {busy ? <span className="spinner" /> : <Icon name="play" size={15} />} {t('gpu.new.start', { cluster: t(`gpu.clusters.${cluster}`) })}
          </button>
        </div>
      </form>
    </section>
  );
}

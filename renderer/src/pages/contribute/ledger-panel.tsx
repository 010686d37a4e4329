import { useEffect, useRef } from 'react';
import { useTranslation } from 'react-i18next';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import { useContribute } from '../../stores/contribute-store';
import { EmptyState } from '../../ui/empty-state';
import { Icon } from '../../ui/icon';
import { earnSpendSeries } from './contribute-rules';

/** Credit earned (and spent on the creator's own network jobs) per day: one uPlot, fed with setData. */
function EarningsChart({ data, earnedLabel, spentLabel }: { data: [number[], number[], number[]]; earnedLabel: string; spentLabel: string }) {
  const box = useRef<HTMLDivElement>(null);
  const plot = useRef<uPlot | null>(null);
  useEffect(() => {
    const el = box.current;
    if (!el) return;
    const u = new uPlot(
      {
        width: Math.max(240, el.clientWidth),
        height: 180,
        axes: [
          { stroke: '#9aa4b2', grid: { stroke: '#2a2f38' } },
          { stroke: '#9aa4b2', grid: { stroke: '#2a2f38' } },
        ],
        series: [{}, { label: earnedLabel, stroke: '#7ad17a', fill: 'rgba(122,209,122,0.15)', width: 2, points: { show: true, size: 5 } }, { label: spentLabel, stroke: '#ffb454', width: 2, points: { show: true, size: 5 } }],
      },
      data as uPlot.AlignedData,
      el,
    );
    plot.current = u;
    const ro = new ResizeObserver(() => u.setSize({ width: Math.max(240, el.clientWidth), height: 180 }));
    ro.observe(el);
    return () => {
      ro.disconnect();
      u.destroy();
      plot.current = null;
    };
  }, [earnedLabel, spentLabel]);
  useEffect(() => {
    plot.current?.setData(data as uPlot.AlignedData);
  });
  return <div ref={box} className="contribute-chart" data-testid="contribute-chart" data-days={data[0].length} data-earned={data[1].reduce((a, b) => a + b, 0)} data-spent={data[2].reduce((a, b) => a + b, 0)} />;
}

/** Contributed minutes per cluster, jobs done, credit earned, the chart per day, recent jobs. */
export function LedgerPanel() {
  const { t } = useTranslation('contribute');
  const ledger = useContribute((s) => s.ledger);
  const account = useContribute((s) => s.account);
  const series = earnSpendSeries(ledger?.days ?? [], account?.spentByDay ?? []);
  const totals = ledger?.totals;
  return (
    <section className="panel contribute-ledger" data-testid="contribute-ledger">
      <div className="panel-title">
        <span>
          <Icon name="layers" size={14} /> {t('ledger.title')}
        </span>
      </div>
      <div className="contribute-totals">
        <div data-testid="contribute-total-jobs">
          <strong>{totals?.jobs ?? 0}</strong> <span className="faint">{t('ledger.jobs')}</span>
        </div>
        <div data-testid="contribute-total-gpu">
          <strong>{Math.round((totals?.gpuMinutes ?? 0) * 10) / 10}</strong> <span className="faint">{t('ledger.minutes', { cluster: t('clusters.gpu') })}</span>
        </div>
        <div data-testid="contribute-total-cpu">
          <strong>{Math.round((totals?.cpuMinutes ?? 0) * 10) / 10}</strong> <span className="faint">{t('ledger.minutes', { cluster: t('clusters.cpu') })}</span>
        </div>
        <div data-testid="contribute-total-credit">
          <strong>{totals?.grantedCredit ?? 0}</strong> <span className="faint">{t('ledger.earned')}</span>
        </div>
      </div>
      {series[0].length === 0 ? (
        <EmptyState icon="heart" title={t('ledger.emptyTitle')} testId="contribute-ledger-empty">
          {t('ledger.empty')}
        </EmptyState>
      ) : (
        <EarningsChart data={series} earnedLabel={t('ledger.earnedSeries')} spentLabel={t('ledger.spentSeries')} />
      )}
      {ledger && ledger.recent.length > 0 && (
        <table className="contribute-table" data-testid="contribute-recent">
          <thead>
            <tr>
              <th>{t('ledger.job')}</th>
              <th>{t('ledger.cluster')}</th>
              <th>{t('ledger.device')}</th>
              <th>{t('ledger.credit')}</th>
              <th>{t('ledger.status')}</th>
            </tr>
          </thead>
          <tbody>
            {ledger.recent.map((e) => (
              <tr key={`${e.jobId}-${e.replica}-${e.at}`}>
                <td className="mono">
                  {e.jobId}#{e.replica}
                </td>
                <td>{t(`clusters.${e.cluster}`)}</td>
                <td>{t('ledger.seconds', { s: Math.round(e.deviceMs / 1000) })}</td>
                <td>{e.grantedCredit ?? '–'}</td>
                <td>{t(`ledger.statuses.${e.status}`, { defaultValue: e.status })}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}

import { useEffect, useRef } from 'react';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import type { VisionMetricPoint } from '../../../../main/common/contract';
import { metricSeries } from './training-rules';

const COLOURS = ['#5aa9ff', '#ffb454', '#7ad17a', '#ff6b8b'];

/**
 * One uPlot chart of per-epoch metrics (e.g. loss and val_loss). The plot is made once and fed with setData as
 * epochs arrive, so a live chart never re-mounts; its size follows its box.
 */
export function MetricsChart({ points, names, title, testId }: { points: readonly VisionMetricPoint[]; names: readonly string[]; title: string; testId: string }) {
  const box = useRef<HTMLDivElement>(null);
  const plot = useRef<uPlot | null>(null);
  const data = metricSeries(points, names);

  useEffect(() => {
    const el = box.current;
    if (!el) return;
    const opts: uPlot.Options = {
      title,
      width: Math.max(240, el.clientWidth),
      height: 200,
      scales: { x: { time: false } },
      axes: [
        { stroke: '#9aa4b2', grid: { stroke: '#2a2f38' }, label: 'epoch' },
        { stroke: '#9aa4b2', grid: { stroke: '#2a2f38' } },
      ],
      series: [{ label: 'epoch' }, ...names.map((n, i) => ({ label: n, stroke: COLOURS[i % COLOURS.length], width: 2, spanGaps: true, points: { show: true, size: 4 } }))],
    };
    const u = new uPlot(opts, data as uPlot.AlignedData, el);
    plot.current = u;
    const ro = new ResizeObserver(() => u.setSize({ width: Math.max(240, el.clientWidth), height: 200 }));
    ro.observe(el);
    return () => {
      ro.disconnect();
      u.destroy();
      plot.current = null;
    };
    // the plot is rebuilt only when its series change; data goes through setData below
  }, [names.join('|'), title]);

  useEffect(() => {
    plot.current?.setData(data as uPlot.AlignedData);
  });

  return <div ref={box} className="training-chart" data-testid={testId} data-epochs={data[0].length} data-last-epoch={data[0].at(-1) ?? ''} />;
}

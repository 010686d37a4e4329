import { useLayoutEffect, useRef, useState } from 'react';
import type { InferenceResultItem } from '../../../../main/common/contract';
import { fileUrl, thumbWidthFor } from '../../api';
import { classColour, skeletonLines } from './overlay-math';

/** Width of a thumbnail for the element (device pixels, snapped), kept up to date as it resizes; null until measured. */
function useThumbWidth(enabled: boolean) {
  const ref = useRef<HTMLDivElement>(null);
  const [thumb, setThumb] = useState<number | null>(null);
  useLayoutEffect(() => {
    const el = ref.current;
    if (!enabled || !el) return;
    const measure = () => setThumb(thumbWidthFor(el.clientWidth));
    measure();
    const ro = new ResizeObserver(measure);
    ro.observe(el);
    return () => ro.disconnect();
  }, [enabled]);
  return { ref, thumb };
}

/**
 * One image with its result drawn over it in an SVG sized in image pixels, so boxes, keypoints and
 * text lines land exactly where the model put them whatever the display size — and whatever size of
 * picture is drawn under them: with `thumb` (tiles) the image is a cached thumbnail.
 */
export function ResultView({ item, showOverlay = true, thumb = false }: { item: InferenceResultItem; showOverlay?: boolean; thumb?: boolean }) {
  const { ref, thumb: thumbWidth } = useThumbWidth(thumb);
  const o = item.output;
  const w = item.width || 1;
  const h = item.height || 1;
  const stroke = Math.max(1.5, Math.max(w, h) / 300);
  const font = Math.max(10, Math.max(w, h) / 45);
  return (
    <div ref={ref} className="result-view" style={{ aspectRatio: `${w} / ${h}` }} data-testid="result-view">
      {(!thumb || thumbWidth) && <img src={fileUrl(item.file, thumb && thumbWidth ? { thumb: thumbWidth } : {})} alt="" loading="lazy" draggable={false} />}
      {showOverlay && o?.task === 'segmentation' && <img className="result-mask" src={fileUrl(o.cutout)} alt="" loading="lazy" />}
      {showOverlay && o?.task === 'depth' && <img className="result-depth" src={fileUrl(o.depthMap)} alt="" loading="lazy" />}
      {showOverlay && o && (
        <svg viewBox={`0 0 ${w} ${h}`} preserveAspectRatio="none" className="result-svg" aria-hidden="true">
          {o.task === 'detection' &&
            o.detections.map((d, i) => (
              <g key={i} data-testid="overlay-box" data-score={d.score}>
                <rect x={d.box.x} y={d.box.y} width={d.box.width} height={d.box.height} fill="none" stroke={classColour(d.classIndex)} strokeWidth={stroke} />
                <text x={d.box.x + stroke} y={Math.max(font, d.box.y - stroke)} fontSize={font} fill={classColour(d.classIndex)} className="result-label">
                  {d.label} {Math.round(d.score * 100)}%
                </text>
              </g>
            ))}
          {o.task === 'pose' &&
            o.poses.map((p, i) => (
              <g key={i}>
                {skeletonLines(p.keypoints, 0.3).map((l, j) => (
                  <line key={j} {...l} stroke="var(--teal)" strokeWidth={stroke} />
                ))}
                {p.keypoints
                  .filter((k) => k.score >= 0.3)
                  .map((k) => (
                    <circle key={k.name} cx={k.x} cy={k.y} r={stroke * 1.8} fill="var(--warning)" data-testid="overlay-keypoint">
                      <title>{`${k.name} ${Math.round(k.score * 100)}%`}</title>
                    </circle>
                  ))}
              </g>
            ))}
          {o.task === 'ocr-det' &&
            o.lines.map((l, i) => (
              <g key={i} data-testid="overlay-text">
                <rect x={l.box.x} y={l.box.y} width={l.box.width} height={l.box.height} fill="none" stroke="var(--accent)" strokeWidth={stroke} />
                <text x={l.box.x} y={l.box.y + l.box.height + font} fontSize={font} fill="var(--accent)" className="result-label">
                  {l.text}
                </text>
              </g>
            ))}
        </svg>
      )}
    </div>
  );
}

import { useEffect, useRef, useState } from 'react';
import type { ChartSpec } from '../lib/chart';

/**
 * A chart of a report, as a picture with a name; the report's table next to it
 * has the same figures and is what a screen reader reads. Chart.js is loaded
 * when the first chart is shown. Where the canvas cannot be drawn on (or the
 * library does not load), a sentence says so and the table stays.
 */
export function Chart({ label, spec }: { label: string; spec: ChartSpec }) {
  const canvasRef = useRef<HTMLCanvasElement>(null);
  const [failed, setFailed] = useState(false);

  useEffect(() => {
    let cancelled = false;
    let drawn: { destroy(): void } | null = null;
    setFailed(false);
    import('../lib/chart').then(
      ({ drawChart }) => {
        const canvas = canvasRef.current;
        if (cancelled || !canvas) return;
        try {
          drawn = drawChart(canvas, spec);
        } catch {
          drawn = null;
        }
        if (!drawn) setFailed(true);
      },
      () => {
        if (!cancelled) setFailed(true);
      },
    );
    return () => {
      cancelled = true;
      drawn?.destroy();
    };
  }, [spec]);

  if (failed) return <p className="muted">The chart cannot be shown here: the table has the same figures.</p>;
  return (
    <div className="chart">
      <canvas ref={canvasRef} role="img" aria-label={label}>
        {label}
      </canvas>
    </div>
  );
}

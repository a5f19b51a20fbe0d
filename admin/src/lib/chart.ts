/**
 * The reports' charts, drawn by Chart.js on a <canvas>. This module is loaded
 * only when a report is shown (components/Chart.tsx imports it lazily), so the
 * rest of the panel does not carry Chart.js. Only the pieces the charts use are
 * registered: bars, one line, two axes, the legend and tooltips.
 */
import {
  BarController,
  BarElement,
  CategoryScale,
  Chart,
  Legend,
  LinearScale,
  LineController,
  LineElement,
  PointElement,
  Tooltip,
} from 'chart.js';
import type { ChartConfiguration } from 'chart.js';

Chart.register(BarController, BarElement, CategoryScale, LinearScale, LineController, LineElement, PointElement, Legend, Tooltip);

export interface ChartSeries {
  label: string;
  data: number[];
  color: string;
  /** A bar (the default) or a line over the bars. */
  kind?: 'bar' | 'line';
  /** Series with the same stack are stacked on each other when the chart is stacked. */
  stack?: string;
}

export interface ChartSpec {
  labels: string[];
  series: ChartSeries[];
  stacked?: boolean;
  xTitle?: string;
  yTitle?: string;
}

export interface DrawnChart {
  destroy(): void;
}

/** Draws the chart, or returns null where the canvas cannot be drawn on (no 2D context). */
export function drawChart(canvas: HTMLCanvasElement, spec: ChartSpec): DrawnChart | null {
  const context = canvas.getContext('2d');
  if (!context) return null;
  const stacked = spec.stacked ?? false;
  const config: ChartConfiguration<'bar' | 'line', number[], string> = {
    type: 'bar',
    data: {
      labels: spec.labels,
      datasets: spec.series.map((s) =>
        s.kind === 'line'
          ? {
              type: 'line' as const,
              label: s.label,
              data: s.data,
              borderColor: s.color,
              backgroundColor: s.color,
              borderWidth: 2,
              pointRadius: 3,
              stack: s.stack ?? s.label,
              order: 0,
            }
          : {
              type: 'bar' as const,
              label: s.label,
              data: s.data,
              backgroundColor: s.color,
              borderColor: '#111',
              borderWidth: 1,
              ...(s.stack ? { stack: s.stack } : {}),
              order: 1,
            },
      ),
    },
    options: {
      responsive: true,
      maintainAspectRatio: false,
      // Drawn at once: no motion, and a screenshot shows the whole chart.
      animation: false,
      plugins: {
        // In the order of the series (a line is drawn over the bars, yet listed after them).
        legend: {
          position: 'bottom',
          labels: { color: '#111', font: { size: 13 }, sort: (a, b) => (a.datasetIndex ?? 0) - (b.datasetIndex ?? 0) },
        },
        tooltip: { mode: 'index', intersect: false },
      },
      scales: {
        x: {
          stacked,
          ticks: { color: '#111' },
          ...(spec.xTitle ? { title: { display: true, text: spec.xTitle, color: '#111' } } : {}),
        },
        y: {
          stacked,
          beginAtZero: true,
          ticks: { color: '#111', precision: 0 },
          ...(spec.yTitle ? { title: { display: true, text: spec.yTitle, color: '#111' } } : {}),
        },
      },
    },
  };
  return new Chart(context, config);
}

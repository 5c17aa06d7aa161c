import { formatDay, formatUsd } from '../lib/format';

const WIDTH = 720;
const HEIGHT = 140;
const GAP = 4;

/**
 * Daily spend as bars. SVG geometry is set with attributes, not styles, so it renders under the
 * console's CSP (style-src 'self'). The same numbers are in the table below for screen readers.
 */
export function SpendChart({ days }: { days: { day: string; spend: number }[] }) {
  const max = Math.max(...days.map((d) => d.spend), 0);
  const barWidth = days.length > 0 ? (WIDTH - GAP * (days.length - 1)) / days.length : 0;
  const first = days[0]?.day;
  const last = days.at(-1)?.day;
  return (
    <figure className="chart">
      <svg
        viewBox={`0 0 ${WIDTH} ${HEIGHT}`}
        preserveAspectRatio="none"
        role="img"
        aria-label={`Daily spend from ${formatDay(first)} to ${formatDay(last)}, highest ${formatUsd(max)}`}
      >
        <line x1={0} x2={WIDTH} y1={HEIGHT - 0.5} y2={HEIGHT - 0.5} className="chart-axis" />
        {days.map((d, i) => {
          const h = max > 0 ? Math.max(d.spend > 0 ? 2 : 0, (d.spend / max) * (HEIGHT - 8)) : 0;
          return (
            <rect
              key={d.day}
              x={i * (barWidth + GAP)}
              y={HEIGHT - h}
              width={barWidth}
              height={h}
              rx={2}
              className="chart-bar"
            >
              <title>{`${formatDay(d.day)}: ${formatUsd(d.spend)}`}</title>
            </rect>
          );
        })}
      </svg>
      <figcaption className="chart-caption">
        <span>{formatDay(first)}</span>
        <span>{max > 0 ? `Highest day ${formatUsd(max)}` : 'No spend in this period'}</span>
        <span>{formatDay(last)}</span>
      </figcaption>
    </figure>
  );
}

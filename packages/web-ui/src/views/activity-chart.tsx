import { type DayCounts, RUN_STATUSES } from '../api';

const BAR_WIDTH = 28;
const GAP = 10;
const HEIGHT = 120;
const LABEL_SPACE = 18;

/**
 * Runs per day, stacked by status, for all workflows together: an SVG drawn from the counts (no chart library: a
 * dozen rectangles do not need one). The same numbers are in a visually hidden table for screen readers.
 */
export function ActivityChart({ days, totals }: { days: string[]; totals: DayCounts[] }) {
  const max = Math.max(1, ...totals.map((day) => RUN_STATUSES.reduce((sum, status) => sum + day[status], 0)));
  const width = days.length * (BAR_WIDTH + GAP);
  return (
    <figure class="activity">
      <figcaption>Runs per day by status (last {days.length} days, UTC)</figcaption>
      <svg
        role="img"
        aria-label={`Runs per day by status over the last ${days.length} days`}
        width={width}
        height={HEIGHT + LABEL_SPACE}
        viewBox={`0 0 ${width} ${HEIGHT + LABEL_SPACE}`}
      >
        {totals.map((day, index) => {
          let top = HEIGHT;
          const x = index * (BAR_WIDTH + GAP);
          return (
            <g key={day.date} data-date={day.date}>
              {RUN_STATUSES.filter((status) => day[status] > 0).map((status) => {
                const height = (day[status] / max) * HEIGHT;
                top -= height;
                return (
                  <rect
                    key={status}
                    class={`bar bar-${status}`}
                    data-status={status}
                    data-count={day[status]}
                    x={x}
                    y={top}
                    width={BAR_WIDTH}
                    height={height}
                  >
                    <title>{`${day.date}: ${day[status]} ${status}`}</title>
                  </rect>
                );
              })}
              <text x={x + BAR_WIDTH / 2} y={HEIGHT + LABEL_SPACE - 4} text-anchor="middle" class="day-label">
                {day.date.slice(5)}
              </text>
            </g>
          );
        })}
      </svg>
      <ul class="legend">
        {RUN_STATUSES.map((status) => (
          <li key={status}>
            <span class={`swatch bar-${status}`} aria-hidden="true" />
            {status}
          </li>
        ))}
      </ul>
      <table class="visually-hidden">
        <caption>Runs per day by status</caption>
        <thead>
          <tr>
            <th scope="col">Day</th>
            {RUN_STATUSES.map((status) => (
              <th scope="col" key={status}>
                {status}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {totals.map((day) => (
            <tr key={day.date}>
              <th scope="row">{day.date}</th>
              {RUN_STATUSES.map((status) => (
                <td key={status}>{day[status]}</td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
    </figure>
  );
}

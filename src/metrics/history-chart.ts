/**
 * The overview's last hour in a picture: per sync queue, a small inline SVG of records waiting on
 * a parent, dead-lettered jobs and jobs written per minute, from the worker's minute samples
 * (connect_sync.sync_sample). Rendered on the server; the browser needs no script.
 */
import { html } from 'hono/html';
import type { SyncSample } from './metrics-store.ts';

const width = 420;
const height = 96;
const margin = { top: 8, right: 8, bottom: 16, left: 34 };

/** The three series, each with its colour. */
const series = [
  { key: 'waiting', label: 'waiting on a parent', colour: '#d97706' },
  { key: 'deadLettered', label: 'dead-lettered', colour: '#dc2626' },
  { key: 'written', label: 'written per minute', colour: '#16a34a' },
] as const;

/** One chart per queue of `queues` over the `minutes` ending at `now`. */
export function historyCharts(samples: readonly SyncSample[], queues: readonly string[], now = Date.now(), minutes = 60) {
  if (samples.length === 0) {
    return html`<p class="zero">No samples in the last hour yet: a running worker writes one a minute.</p>`;
  }
  const end = Math.floor(now / 60_000) * 60_000;
  const start = end - minutes * 60_000;
  return html`<p class="legend">${series.map(
      ({ label, colour }) => html`<span><svg width="18" height="8" aria-hidden="true"><line x1="0" y1="4" x2="18" y2="4" stroke="${colour}" stroke-width="2" /></svg> ${label}</span> `,
    )}</p>
    <div class="charts">
      ${queues.map((queue) => chart(queue, samples.filter((sample) => sample.queue === queue), start, end))}
    </div>`;
}

function chart(queue: string, samples: readonly SyncSample[], start: number, end: number) {
  const plotWidth = width - margin.left - margin.right;
  const plotHeight = height - margin.top - margin.bottom;
  const top = Math.max(1, ...samples.flatMap((sample) => series.map(({ key }) => sample[key])));
  const x = (at: number) => margin.left + ((at - start) / (end - start)) * plotWidth;
  const y = (value: number) => margin.top + plotHeight - (value / top) * plotHeight;
  const line = (key: (typeof series)[number]['key']) =>
    samples
      .filter((sample) => sample.sampledAt.getTime() >= start)
      .map((sample) => `${x(sample.sampledAt.getTime()).toFixed(1)},${y(sample[key]).toFixed(1)}`)
      .join(' ');
  const last = samples.at(-1);
  const title = last ? `${queue}: now ${last.waiting} waiting, ${last.deadLettered} dead-lettered, ${last.written} written in the last minute` : `${queue}: no samples`;
  return html`<figure>
    <figcaption><code>${queue}</code></figcaption>
    <svg class="history" role="img" aria-label="${title}" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}">
      <title>${title}</title>
      <line x1="${margin.left}" y1="${margin.top + plotHeight}" x2="${width - margin.right}" y2="${margin.top + plotHeight}" stroke="#c5ccd8" />
      <line x1="${margin.left}" y1="${margin.top}" x2="${width - margin.right}" y2="${margin.top}" stroke="#eef1f5" />
      <text x="${margin.left - 4}" y="${margin.top + 4}" text-anchor="end">${top}</text>
      <text x="${margin.left - 4}" y="${margin.top + plotHeight}" text-anchor="end">0</text>
      <text x="${margin.left}" y="${height - 3}">−60 min</text>
      <text x="${width - margin.right}" y="${height - 3}" text-anchor="end">now</text>
      ${series.map(({ key, colour }) => html`<polyline class="${key}" fill="none" stroke="${colour}" stroke-width="1.8" points="${line(key)}" />`)}
    </svg>
  </figure>`;
}

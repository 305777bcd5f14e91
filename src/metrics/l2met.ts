/**
 * Heroku's log-based metrics (l2met): `sample#name=value` for a level (a gauge) and
 * `count#name=n` for what happened since the last line, in the worker's log. Label values join
 * the name with dots: `sample#connect_sync_jobs.role.ready=3`.
 */
import type { MetricObjectWithValues, MetricValue } from 'prom-client';
import type { OutcomeCounts } from './metrics-store.ts';

/** A log line stays well under the logger's message cut (800 characters). */
const lineChars = 700;

/** An l2met name part: what Librato and l2met accept ([A-Za-z0-9_.-]); anything else becomes `_`. */
function namePart(value: string): string {
  return value.replace(/[^A-Za-z0-9_.-]/g, '_');
}

/** The gauges of a collection as `sample#` tokens. */
export function l2metSamples(metrics: readonly MetricObjectWithValues<MetricValue<string>>[]): string[] {
  return metrics
    // prom-client types `type` as a numeric enum; at run time it is the text ('gauge').
    .filter((metric) => (metric.type as unknown as string) === 'gauge')
    .flatMap((metric) =>
      metric.values.map((value) => {
        const labels = Object.values(value.labels).filter((label) => label !== '' && label !== undefined).map(String);
        return `sample#${[metric.name, ...labels].map(namePart).join('.')}=${value.value}`;
      }),
    );
}

/** Counts as `count#` tokens, under the counter's name: `count#connect_sync_jobs_settled_total.role.written=12`. */
export function l2metCounts(name: string, counts: OutcomeCounts): string[] {
  return [...counts].flatMap(([queue, byOutcome]) => [...byOutcome].map(([outcome, n]) => `count#${[name, queue, outcome].map(namePart).join('.')}=${n}`));
}

/** Tokens as few log lines as fit, each ending with `source=` (l2met's name for who measured). */
export function l2metLines(tokens: readonly string[], source: string): string[] {
  const tail = ` source=${namePart(source)}`;
  const lines: string[] = [];
  let line = '';
  for (const token of tokens) {
    if (line && line.length + 1 + token.length + tail.length > lineChars) {
      lines.push(line + tail);
      line = '';
    }
    line = line ? `${line} ${token}` : token;
  }
  if (line) lines.push(line + tail);
  return lines;
}

/** The dashboard's front page: queue depths and the doctor's classes, as plain server-rendered HTML. */
import { html } from 'hono/html';
import { historyCharts } from '../metrics/history-chart.ts';
import type { SyncSample } from '../metrics/metrics-store.ts';
import { checksUnreadText, objectUnreadText, type DoctorClass, type DoctorReport, type ObjectHealth } from '../ops/doctor-report.ts';
import type { QueueDepths } from '../worker/queue-depths.ts';

export function overviewPage(depths: QueueDepths, report: DoctorReport, queuesPath: string, history?: { samples: SyncSample[]; queues: string[] }) {
  const queues = Object.entries(depths.queues).sort(([a], [b]) => a.localeCompare(b));
  return html`<!doctype html>
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <title>connect-sync</title>
        <style>
          body { font: 15px/1.45 system-ui, sans-serif; margin: 2rem auto; max-width: 60rem; padding: 0 1rem; color: #1d2433; }
          table { border-collapse: collapse; width: 100%; margin-bottom: 2rem; }
          th, td { text-align: left; padding: .35rem .6rem; border-bottom: 1px solid #dde2ea; vertical-align: top; }
          td.n { text-align: right; font-variant-numeric: tabular-nums; }
          code { font-size: 13px; }
          .zero { color: #8a94a6; }
          .charts { display: flex; flex-wrap: wrap; gap: .5rem 1.5rem; margin-bottom: 2rem; }
          figure { margin: 0; }
          figcaption { font-size: 13px; }
          svg.history text { font-size: 10px; fill: #5b6475; }
          .legend span { margin-right: 1rem; font-size: 13px; }
        </style>
      </head>
      <body>
        <h1>connect-sync</h1>
        <p><a href="${queuesPath}">Jobs and queues</a> (pg-boss dashboard)</p>
        <h2>Sync queues</h2>
        <table>
          <tr><th>queue</th><th>queued</th><th>waiting on a parent</th><th>retrying (after an error)</th><th>running</th></tr>
          ${queues.length === 0 ? html`<tr><td colspan="5" class="zero">all sync queues idle</td></tr>` : ''}
          ${queues.map(
            ([queue, depth]) =>
              html`<tr><td><code>salesforce-sync.${queue}</code></td><td class="n">${depth.queued}</td><td class="n">${depth.waitingOnParent}</td><td class="n">${depth.retrying}</td><td class="n">${depth.active}</td></tr>`,
          )}
        </table>
        <p>${depths.deadLettered} jobs in <code>salesforce-sync.dead-letter</code> (gave up, or rejected as malformed), waiting for a person.</p>
        ${history ? html`<h2>The last hour</h2>${historyCharts(history.samples, history.queues)}` : ''}
        <h2>Doctor: mirror objects</h2>
        <table>
          <tr><th>object</th><th>what</th><th>count</th><th>examples</th></tr>
          ${report.objects.flatMap((health) => [
            objectUnreadRow(health),
            ...objectFindings(health).map(
              ([what, found]) =>
                html`<tr class="${found.count === 0 ? 'zero' : ''}">
                  <td><code>${health.object}</code></td>
                  <td>${what}</td>
                  <td class="n">${found.count}</td>
                  <td><code>${found.examples.join(', ')}</code></td>
                </tr>`,
            ),
          ])}
        </table>
        ${checksUnreadText(report) ? html`<p>${checksUnreadText(report)}</p>` : ''}
        ${Object.values(report.checks).map(
          (check) => html`<h2>Doctor: ${check.title}: ${check.count}</h2>
            <table>
              <tr><th>class</th><th>count</th><th>meaning</th><th>examples</th></tr>
              ${Object.entries(check.classes).map(
                ([name, found]) =>
                  html`<tr class="${found.count === 0 ? 'zero' : ''}">
                    <td><code>${name}</code></td>
                    <td class="n">${found.count}</td>
                    <td>${found.meaning}</td>
                    <td><code>${found.examples.join(', ')}</code></td>
                  </tr>`,
              )}
            </table>`,
        )}
        <p>Every part is also a function for psql, e.g. <code>SELECT * FROM ${report.functions.failedRows ?? ''}</code>.
        <code>connect-sync repair</code> lists what would heal the recoverable ones.</p>
      </body>
    </html>`;
}

/** The row saying what an object's findings cannot count now (a mirror table missing); none normally. */
function objectUnreadRow(health: ObjectHealth) {
  const unread = objectUnreadText(health);
  return unread ? html`<tr><td><code>${health.object}</code></td><td colspan="3">${unread}</td></tr>` : '';
}

/** An object's findings as table rows: what, and how many (those it could not count left out). */
function objectFindings(health: ObjectHealth): [string, DoctorClass][] {
  const missing = health.mirrorTablesMissing;
  return [
    ...(missing ? [] : health.failedOnLookup).flatMap((failure): [string, DoctorClass][] => [
      [`FAILED on ${failure.parent}, now synced (repair heals)`, failure.parentSynced],
      [`FAILED on ${failure.parent}, still missing (upstream)`, failure.parentMissing],
    ]),
    ...(missing ? [] : [['FAILED for another reason', health.failedOther] as [string, DoctorClass]]),
    ...(missing?.ownTable ? [] : [['no mirror row', health.missingRows] as [string, DoctorClass]]),
    ['jobs waiting on a parent', health.waitingOnParent],
    ['dead-lettered jobs', health.deadLetter],
  ];
}

/**
 * The metrics as a monitoring system sees them: /metrics on the dashboard, parsed as Prometheus
 * text, moves as jobs are enqueued, wait on a parent, land and fail; the worker's l2met lines
 * carry the same numbers; the doctor's mirror counts show a FAILED row; and /metrics answers
 * only with its bearer token.
 */
import { describe, expect, it } from 'vitest';
import { dashboardApp } from '../../src/dashboard/dashboard-server.ts';
import { contactEditorAffiliation } from '../../src/editor/objects/contact-editor-affiliation.ts';
import { contact } from '../../src/editor/objects/contact.ts';
import { editor } from '../../src/editor/objects/editor.ts';
import { workerStart } from '../../src/worker/worker-process.ts';
import { testDatabase } from '../support/database.ts';
import { editorConfig } from '../support/editor.ts';
import { logCapture } from '../support/log.ts';
import { testBoss } from '../support/queue.ts';
import { mirrorRowInsert, mirrorRowSync, roleInsert, schoolInsert } from '../support/records.ts';
import { waitFor } from '../support/wait.ts';
import { prometheusTextParse, sampleValue, type PrometheusText } from './prometheus-text.ts';

const database = await testDatabase();
// Supervising, as a running worker's pg-boss does: its queue monitor keeps the job counts a scrape reports.
const boss = await testBoss(database, { supervise: true });
const metricsToken = 'a-scraper-token-of-some-length';
// Every scrape starts the next collection (and answers with the last one).
const { app, close, metrics: dashboardMetrics } = dashboardApp(database, editorConfig, { username: 'ops', password: 'correct horse battery' }, undefined, {
  metricsToken,
  metricsCollectSeconds: 0,
});

async function scrape(): Promise<PrometheusText> {
  const response = await app.request('/metrics', { headers: { Authorization: `Bearer ${metricsToken}` } });
  expect(response.status).toBe(200);
  expect(response.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
  return prometheusTextParse(await response.text());
}

/**
 * Scrapes until `check` holds of the scrape: the counters reach the dashboard at each worker
 * sample, the job counts at each pass of pg-boss's monitor, and a scrape at the next collection.
 */
async function scrapeUntil(what: string, check: (text: PrometheusText) => boolean): Promise<PrometheusText> {
  // Generous: a loaded machine may take a while to run the worker's batches.
  return waitFor(
    what,
    async () => {
      const text = await scrape();
      return check(text) ? text : undefined;
    },
    { timeoutMs: 60_000 },
  );
}

const settled = (text: PrometheusText, queue: string, outcome: string) => sampleValue(text, 'connect_sync_jobs_settled_total', { queue, outcome });

describe('/metrics', () => {
  it('answers 401 without its bearer token, and with the dashboard password instead of it', async () => {
    expect((await app.request('/metrics')).status).toBe(401);
    expect((await app.request('/metrics', { headers: { Authorization: 'Bearer wrong-token-wrong-token-wrong' } })).status).toBe(401);
    const basic = `Basic ${Buffer.from('ops:correct horse battery').toString('base64')}`;
    expect([400, 401]).toContain((await app.request('/metrics', { headers: { Authorization: basic } })).status);
    // The dashboard itself keeps its own credentials.
    expect((await app.request('/', { headers: { Authorization: `Bearer ${metricsToken}` } })).status).toBe(401);
  });

  it('moves as jobs are enqueued, wait on a parent, land and fail; the l2met lines carry the same values', async () => {
    const empty = await scrapeUntil("the queues counted by pg-boss's monitor", (text) => sampleValue(text, 'connect_sync_jobs', { queue: 'school', state: 'ready' }) !== undefined);
    expect(empty.types.connect_sync_jobs).toBe('gauge');
    expect(sampleValue(empty, 'connect_sync_jobs_counted_age_seconds', { queue: 'school' })).toBeLessThan(60);
    expect(sampleValue(empty, 'connect_sync_metrics_collected_age_seconds', {})).toBeLessThan(60);
    expect(empty.types.connect_sync_jobs_settled_total).toBe('counter');
    expect(sampleValue(empty, 'connect_sync_jobs', { queue: 'school', state: 'ready' })).toBe(0);
    expect(settled(empty, 'school', 'written')).toBe(0);

    // Enqueued, no worker yet: ready.
    const school = await schoolInsert(database);
    const role = await roleInsert(database, { schoolId: school.id });
    await mirrorRowInsert(database, contact, role.userId, { synced: true });
    await boss.send(editor.queueName, { schoolId: school.id, isCreate: true }, { singletonKey: school.id });
    await boss.send(contactEditorAffiliation.queueName, { roleId: role.id }, { singletonKey: String(role.id) });
    const enqueued = await scrapeUntil('the two jobs counted', (text) => sampleValue(text, 'connect_sync_jobs', { queue: 'role', state: 'ready' }) === 1);
    expect(sampleValue(enqueued, 'connect_sync_jobs', { queue: 'school', state: 'ready' })).toBe(1);

    // The worker writes the school's Editor__c (no sfid: Connect has not pushed it), and the role waits on it.
    const captured = logCapture();
    const worker = await workerStart(database, editorConfig, captured.log, {
      summarySeconds: 0,
      reconcilerCron: 'off',
      pollingIntervalSeconds: 0.5,
      parentWakeSeconds: 0.2,
      metricsSampleSeconds: 0.3,
    });
    try {
      const waiting = await scrapeUntil(
        'the school written and the role waiting',
        (text) =>
          settled(text, 'school', 'written') === 1 &&
          (settled(text, 'role', 'waited') ?? 0) >= 1 &&
          sampleValue(text, 'connect_sync_jobs', { queue: 'school', state: 'ready' }) === 0 &&
          // The role's job: due later (its next try), due again, or running.
          ['ready', 'deferred', 'active'].reduce((sum, state) => sum + (sampleValue(text, 'connect_sync_jobs', { queue: 'role', state }) ?? 0), 0) === 1,
      );
      expect(sampleValue(waiting, 'connect_sync_records_waiting_on_parent', { queue: 'role' })).toBe(1);
      await scrapeUntil('the wait to age', (text) => (sampleValue(text, 'connect_sync_oldest_wait_seconds', { queue: 'role' }) ?? 0) > 0.2);

      // A malformed job fails at once, into the dead-letter queue.
      await boss.send(editor.queueName, { schoolId: 'not-a-uuid' }, { singletonKey: 'malformed' });
      // Counted as the batch settles; in the dead-letter queue once pg-boss has moved it there.
      await scrapeUntil(
        'the malformed job rejected and dead-lettered',
        (text) => settled(text, 'school', 'rejected') === 1 && sampleValue(text, 'connect_sync_dead_letter_jobs', { queue: 'school' }) === 1,
      );

      // Connect pushes the Editor__c: the waker brings the role's job forward and it lands.
      await mirrorRowSync(database, editor, school.id);
      const landed = await scrapeUntil('the role written', (text) => settled(text, 'role', 'written') === 1);
      expect(sampleValue(landed, 'connect_sync_records_waiting_on_parent', { queue: 'role' })).toBe(0);
      expect(sampleValue(landed, 'connect_sync_oldest_wait_seconds', { queue: 'role' })).toBe(0);

      // The worker's own registry has the batch histograms, with the role's wait among them.
      const own = prometheusTextParse(await worker.metrics.registry.metrics());
      expect(sampleValue(own, 'connect_sync_parent_ready_to_written_seconds_count', { queue: 'role' })).toBe(1);
      expect(sampleValue(own, 'connect_sync_batch_duration_seconds_count', { queue: 'school' })).toBeGreaterThanOrEqual(2);

      // The l2met lines: every gauge of a scrape as `sample#`, and this worker's counts as `count#`.
      await Promise.all([worker.metrics.doctorRefresh(), dashboardMetrics.doctorRefresh()]);
      const { l2met } = await worker.metrics.summary('worker.1');
      await dashboardMetrics.collect();
      const scraped = await scrape();
      const ages = ['connect_sync_doctor_age_seconds', 'connect_sync_metrics_collected_age_seconds', 'connect_sync_jobs_counted_age_seconds'];
      const tokens = new Map(l2met.flatMap((line) => line.split(' ')).map((token) => token.split('=') as [string, string]));
      expect(l2met.every((line) => line.endsWith(' source=worker.1') && line.length < 800)).toBe(true);
      for (const sample of scraped.samples.filter((s) => scraped.types[s.name] === 'gauge' && !ages.includes(s.name))) {
        const name = ['sample#' + sample.name, ...Object.values(sample.labels).filter((label) => label !== '')].join('.');
        expect({ name, value: Number(tokens.get(name)) }).toEqual({ name, value: sample.value });
      }
      expect(Number(tokens.get('count#connect_sync_jobs_settled_total.school.written'))).toBe(settled(scraped, 'school', 'written'));
      expect(Number(tokens.get('count#connect_sync_jobs_settled_total.role.written'))).toBe(1);
      expect(Number(tokens.get('count#connect_sync_jobs_settled_total.school.rejected'))).toBe(1);
      // The next lines count only what happened since.
      expect((await worker.metrics.summary('worker.1')).l2met.join(' ')).not.toContain('count#');
    } finally {
      await worker.stop(1000);
    }
  }, 240_000);

  it("shows the doctor's FAILED rows and records without a mirror row, from counts it refreshes every few minutes", async () => {
    await dashboardMetrics.doctorRefresh();
    const before = await scrape();
    expect(sampleValue(before, 'connect_sync_mirror_failed_rows', { object: editor.name, class: 'other' })).toBe(0);
    const school = await schoolInsert(database);
    await mirrorRowInsert(database, editor, school.id, { synced: false });
    // As Connect leaves a row Salesforce refused.
    await database.pool.query(`UPDATE salesforce.editor__c SET _hc_lastop = 'FAILED', _hc_err = 'REQUIRED_FIELD_MISSING' WHERE editoruuid__c = $1`, [school.id]);
    // Cached: the scrape still answers with the counts it had.
    expect(sampleValue(await scrape(), 'connect_sync_mirror_failed_rows', { object: editor.name, class: 'other' })).toBe(
      sampleValue(before, 'connect_sync_mirror_failed_rows', { object: editor.name, class: 'other' }),
    );
    await dashboardMetrics.doctorRefresh();
    const after = await scrape();
    expect(sampleValue(after, 'connect_sync_mirror_failed_rows', { object: editor.name, class: 'other' })).toBe(1);
    expect(sampleValue(after, 'connect_sync_mirror_rows_missing', { object: editor.name })).toBeGreaterThanOrEqual(0);
    await close();
  });
});

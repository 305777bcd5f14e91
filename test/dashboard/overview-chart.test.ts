/**
 * The overview's last hour, as a person sees it in a real browser (Chromium, headless): per sync
 * queue a chart of records waiting, dead letters and jobs written, so a stall shows at a glance.
 * The samples are the worker's own minute samples (one written here by the metrics' flush) and
 * an hour of them planted before it: the role queue stalls half an hour ago. The screenshot's
 * path is printed.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { dashboardStart } from '../../src/dashboard/dashboard-server.ts';
import { silentLogger } from '../../src/log.ts';
import { SyncMetrics } from '../../src/metrics/sync-metrics.ts';
import { testDatabase } from '../support/database.ts';
import { editorConfig } from '../support/editor.ts';

const chromiumPath = '/usr/bin/chromium';
const chromiumFlags = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];
const database = await testDatabase();
const credentials = { username: 'ops', password: 'correct horse battery' };

/** An hour of minute samples before this minute: role stalls 30 minutes ago, two school jobs dead-letter 15 minutes ago. */
async function hourPlant(): Promise<void> {
  await database.pool.query(`
    INSERT INTO connect_sync.sync_sample (sampled_at, queue, waiting, dead_lettered, written)
    SELECT date_trunc('minute', now()) - make_interval(mins => m), q.queue,
           CASE WHEN q.queue = 'role' AND m <= 30 THEN (31 - m) * 3 ELSE m % 3 END,
           CASE WHEN q.queue = 'school' AND m <= 15 THEN 2 ELSE 0 END,
           CASE WHEN q.queue = 'role' AND m <= 30 THEN 0 ELSE 40 + (m * 7) % 11 END
      FROM generate_series(1, 60) m, (VALUES ('school'), ('role'), ('contact')) q(queue)`);
}

describe('the overview in a browser', () => {
  it('draws each queue\'s last hour: waiting, dead-lettered and written', async () => {
    expect(existsSync(chromiumPath), `${chromiumPath} is missing: install it with apt-get install -y chromium (.ci/run does)`).toBe(true);
    await hourPlant();
    // This minute's sample, as the worker writes it.
    const metrics = new SyncMetrics(database, editorConfig);
    metrics.batchRecord('school', { written: 7 }, 0.05, []);
    await metrics.flush();
    const { rows } = await database.pool.query<{ written: number }>(`SELECT written FROM connect_sync.sync_sample WHERE queue = 'school' AND sampled_at = date_trunc('minute', now())`);
    expect(rows[0]?.written).toBe(7);

    const server = await dashboardStart(database, editorConfig, silentLogger, { PORT: 0, HOST: '127.0.0.1', DASHBOARD_USER: credentials.username, DASHBOARD_PASSWORD: credentials.password });
    const profile = mkdtempSync(join(tmpdir(), 'connect-sync-chromium-'));
    const context = await chromium.launchPersistentContext(profile, {
      executablePath: chromiumPath,
      headless: true,
      args: chromiumFlags,
      httpCredentials: credentials,
      viewport: { width: 1100, height: 900 },
    });
    try {
      const page = await context.newPage();
      const response = await page.goto(`http://127.0.0.1:${server.port}/`);
      expect(response?.status()).toBe(200);
      const charts = page.locator('svg.history');
      expect(await charts.count()).toBe(editorConfig.objects.objects.length);
      // The role queue's stall: its waiting line climbs to 90 while its written line lies at 0.
      const role = page.locator('figure', { has: page.locator('figcaption', { hasText: /^role$/ }) }).locator('svg.history');
      expect(await role.getAttribute('aria-label')).toBe('role: now 0 waiting, 0 dead-lettered, 0 written in the last minute');
      const points = (await role.locator('polyline.waiting').getAttribute('points'))!.split(' ');
      // 61 minutes' samples, one fewer when a minute turned while the test ran.
      expect(points.length).toBeGreaterThanOrEqual(60);
      const box = await role.boundingBox();
      expect(box && box.width > 300 && box.height > 60).toBe(true);
      const school = page.locator('figure', { has: page.locator('figcaption', { hasText: /^school$/ }) }).locator('svg.history');
      expect(await school.getAttribute('aria-label')).toBe('school: now 0 waiting, 0 dead-lettered, 7 written in the last minute');
      const screenshot = join(tmpdir(), `connect-sync-overview-${process.pid}.png`);
      await page.screenshot({ path: screenshot, fullPage: true });
      console.log(`overview screenshot: ${screenshot}`);
    } finally {
      await context.close();
      await server.stop();
      rmSync(profile, { recursive: true, force: true });
    }
  }, 120_000);
});

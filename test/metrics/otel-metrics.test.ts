/**
 * The metrics as OpenTelemetry instruments: a worker given a Meter reports, through the OTel
 * SDK's in-memory exporter, the same values its prom-client registry holds: every gauge, the
 * settled counter and the batch histograms.
 */
import { AggregationTemporality, DataPointType, InMemoryMetricExporter, MeterProvider, PeriodicExportingMetricReader, type Histogram } from '@opentelemetry/sdk-metrics';
import { metrics } from '@opentelemetry/api';
import { describe, expect, it } from 'vitest';
import { editor } from '../../src/editor/objects/editor.ts';
import { workerStart } from '../../src/worker/worker-process.ts';
import { testDatabase } from '../support/database.ts';
import { editorConfig } from '../support/editor.ts';
import { logCapture } from '../support/log.ts';
import { testBoss } from '../support/queue.ts';
import { schoolInsert } from '../support/records.ts';
import { waitFor } from '../support/wait.ts';
import { prometheusTextParse, sampleValue } from './prometheus-text.ts';

const database = await testDatabase();
const boss = await testBoss(database, { supervise: true });

/** Every data point the exporter has, by `name{attributes}`: a gauge's or counter's value, a histogram's count and sum. */
async function otelPoints(reader: PeriodicExportingMetricReader, exporter: InMemoryMetricExporter): Promise<Map<string, number | { count: number; sum: number }>> {
  exporter.reset();
  await reader.forceFlush();
  const points = new Map<string, number | { count: number; sum: number }>();
  for (const resource of exporter.getMetrics()) {
    for (const scope of resource.scopeMetrics) {
      for (const metric of scope.metrics) {
        for (const point of metric.dataPoints) {
          const key = `${metric.descriptor.name}${JSON.stringify(point.attributes)}`;
          if (metric.dataPointType === DataPointType.HISTOGRAM) {
            const value = point.value as Histogram;
            points.set(key, { count: value.count, sum: value.sum ?? 0 });
          } else points.set(key, point.value as number);
        }
      }
    }
  }
  return points;
}

/** A prom-client sample's labels as OTel attributes: empty ones left out. */
function attributes(labels: Record<string, string>): string {
  return JSON.stringify(Object.fromEntries(Object.entries(labels).filter(([, value]) => value !== '')));
}

describe('OpenTelemetry', () => {
  it("reports the registry's values through the SDK's in-memory exporter", async () => {
    const exporter = new InMemoryMetricExporter(AggregationTemporality.CUMULATIVE);
    const reader = new PeriodicExportingMetricReader({ exporter, exportIntervalMillis: 3_600_000 });
    const provider = new MeterProvider({ readers: [reader] });
    const worker = await workerStart(database, editorConfig, logCapture().log, {
      meter: provider.getMeter('connect-sync-test'),
      summarySeconds: 0,
      reconcilerCron: 'off',
      pollingIntervalSeconds: 0.5,
      metricsSampleSeconds: 3600,
    });
    try {
      const school = await schoolInsert(database);
      await boss.send(editor.queueName, { schoolId: school.id, isCreate: true }, { singletonKey: school.id });
      await boss.send(editor.queueName, { schoolId: 'not-a-uuid' }, { singletonKey: 'malformed' });
      await waitFor('both school jobs settled', async () => {
        const { totals } = await worker.metrics.collect();
        return (totals.get('school')?.get('written') ?? 0) + (totals.get('school')?.get('rejected') ?? 0) === 2;
      }, { timeoutMs: 60_000 });
      await worker.metrics.doctorRefresh();
      await worker.metrics.collect();

      const prom = prometheusTextParse(await worker.metrics.registry.metrics());
      const otel = await otelPoints(reader, exporter);
      const ages = ['connect_sync_metrics_collected_age_seconds', 'connect_sync_jobs_counted_age_seconds', 'connect_sync_doctor_age_seconds'];
      let compared = 0;
      for (const sample of prom.samples) {
        const type = prom.types[sample.name];
        if (type === 'gauge' && !ages.includes(sample.name)) {
          expect({ [sample.name]: otel.get(`${sample.name}${attributes(sample.labels)}`) }).toEqual({ [sample.name]: sample.value });
          compared += 1;
        }
        if (type === 'counter') {
          const name = sample.name.replace(/_total$/, '');
          expect({ [name]: otel.get(`${name}${attributes(sample.labels)}`) }).toEqual({ [name]: sample.value });
          compared += 1;
        }
      }
      expect(compared).toBeGreaterThan(50);
      expect(sampleValue(prom, 'connect_sync_jobs_settled_total', { queue: 'school', outcome: 'written' })).toBe(1);
      expect(otel.get('connect_sync_jobs_settled{"queue":"school","outcome":"rejected"}')).toBe(1);
      expect(otel.get('connect_sync_dead_letter_jobs{"queue":"school"}')).toBe(1);
      // The histograms: the same observations, so the same count and sum.
      const batches = sampleValue(prom, 'connect_sync_batch_duration_seconds_count', { queue: 'school' });
      expect(batches).toBeGreaterThanOrEqual(1);
      expect(otel.get('connect_sync_batch_duration_seconds{"queue":"school"}')).toEqual({
        count: batches,
        sum: expect.closeTo(sampleValue(prom, 'connect_sync_batch_duration_seconds_sum', { queue: 'school' })!, 9),
      });
    } finally {
      await worker.stop(1000);
      await provider.shutdown();
    }
  }, 120_000);

  it("takes the api's global meter when asked for it", async () => {
    const exporter = new InMemoryMetricExporter(AggregationTemporality.CUMULATIVE);
    const reader = new PeriodicExportingMetricReader({ exporter, exportIntervalMillis: 3_600_000 });
    const provider = new MeterProvider({ readers: [reader] });
    metrics.setGlobalMeterProvider(provider);
    const worker = await workerStart(database, editorConfig, logCapture().log, { meter: 'global', summarySeconds: 0, reconcilerCron: 'off', metricsSampleSeconds: 3600 });
    try {
      await worker.metrics.collect();
      const otel = await otelPoints(reader, exporter);
      expect(otel.get('connect_sync_jobs_settled{"queue":"school","outcome":"written"}')).toBeGreaterThanOrEqual(0);
      expect(otel.has('connect_sync_records_waiting_on_parent{"queue":"role"}')).toBe(true);
    } finally {
      await worker.stop(1000);
      metrics.disable();
      await provider.shutdown();
    }
  }, 120_000);
});

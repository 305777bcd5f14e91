/**
 * The sync's metrics as OpenTelemetry instruments, for a host that reports through OTel: the
 * gauges as observable gauges and the counter as an observable counter, all observed in one
 * batch callback from the same collection prom-client reads; the histograms as OTel histograms
 * fed the same observations. `@opentelemetry/api` is an optional peer: nothing here loads it
 * unless the host asks for the global meter, and a host passes its own Meter by shape.
 */
import { ConnectSyncError } from '../errors.ts';

/** `meter: 'global'` asked for, and `@opentelemetry/api` is not installed. */
export class OtelApiMissingError extends ConnectSyncError { readonly code = 'OTEL_API_MISSING'; }

/** What the metrics need of an OpenTelemetry `Meter` (`@opentelemetry/api`); a real Meter fits. */
export interface OtelMeter {
  createObservableGauge(name: string, options?: OtelInstrumentOptions): OtelObservable;
  createObservableCounter(name: string, options?: OtelInstrumentOptions): OtelObservable;
  createHistogram(name: string, options?: OtelInstrumentOptions): { record(value: number, attributes?: OtelAttributes): void };
  addBatchObservableCallback(callback: (result: { observe(observable: OtelObservable, value: number, attributes?: OtelAttributes): void }) => void | Promise<void>, observables: OtelObservable[]): void;
}

/** An OTel observable instrument, as the meter made it. */
export type OtelObservable = object;
type OtelAttributes = Record<string, string>;
interface OtelInstrumentOptions {
  description?: string;
  unit?: string;
  advice?: { explicitBucketBoundaries?: number[] };
}

/** One gauge or counter of the collection: its name, help and how to read its values now. */
export interface ObservedMetric {
  name: string;
  help: string;
  kind: 'gauge' | 'counter';
  read(): Promise<{ values: { value: number; labels: Record<string, string | number | undefined> }[] }>;
}

/** One histogram: its name, help and bucket bounds, in seconds. */
export interface HistogramMetric {
  name: string;
  help: string;
  buckets: number[];
}

/** The histograms' OTel twins, fed each observation the prom-client histogram gets. */
export type OtelHistograms = Map<string, { record(value: number, attributes?: OtelAttributes): void }>;

/**
 * Registers `observed` and `histograms` on `meter`. A counter drops Prometheus's `_total` (an
 * OTel exporter to Prometheus adds it back); a label left empty is no attribute.
 */
export function otelInstrumentsRegister(meter: OtelMeter, observed: readonly ObservedMetric[], histograms: readonly HistogramMetric[]): OtelHistograms {
  const instruments = observed.map((metric) => {
    const options = { description: metric.help, unit: metric.name.endsWith('_seconds') ? 's' : '1' };
    return metric.kind === 'counter' ? meter.createObservableCounter(metric.name.replace(/_total$/, ''), options) : meter.createObservableGauge(metric.name, options);
  });
  meter.addBatchObservableCallback(async (result) => {
    const readings = await Promise.all(observed.map((metric) => metric.read()));
    readings.forEach((reading, i) => {
      for (const { value, labels } of reading.values) result.observe(instruments[i]!, value, otelAttributes(labels));
    });
  }, instruments);
  return new Map(
    histograms.map((histogram) => [
      histogram.name,
      meter.createHistogram(histogram.name, { description: histogram.help, unit: 's', advice: { explicitBucketBoundaries: histogram.buckets } }),
    ]),
  );
}

/** The global meter of `@opentelemetry/api` (whatever MeterProvider the host registered), loaded only when asked for. */
export async function otelGlobalMeter(): Promise<OtelMeter> {
  let api: typeof import('@opentelemetry/api');
  try {
    api = await import('@opentelemetry/api');
  } catch (error) {
    throw new OtelApiMissingError("meter: 'global' needs the @opentelemetry/api package (an optional peer dependency): npm install @opentelemetry/api", { cause: error });
  }
  return api.metrics.getMeter('connect-sync');
}

function otelAttributes(labels: Record<string, string | number | undefined>): OtelAttributes {
  return Object.fromEntries(Object.entries(labels).flatMap(([key, value]) => (value === undefined || value === '' ? [] : [[key, String(value)]])));
}

/** The public interface loads as one module and exposes every declared object. */
import { describe, expect, it } from 'vitest';
import * as connectSync from '../src/index.ts';

describe('the public interface', () => {
  it('exports each declared object by name, and the functions a host app embeds', () => {
    const exported = Object.values(connectSync);
    for (const object of connectSync.mirrorObjects) expect(exported).toContain(object);
    for (const name of ['syncEnqueuer', 'workerStart', 'syncBatch', 'migrateApp', 'ConnectSim', 'doctorReport', 'repairApply', 'schoolCreate'] as const) {
      expect(typeof connectSync[name]).toBe('function');
    }
  });
});

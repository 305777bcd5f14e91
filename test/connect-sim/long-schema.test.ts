/**
 * A mirror schema with a long name (a host declares it; up to Postgres's 63 bytes, multi-byte
 * characters counting as bytes). `<schema>.hc_trigger_log` is then past 63 bytes: pg_notify
 * refuses such a channel, failing the app's write in the log trigger, and LISTEN would cut it
 * short. The stand-in still logs the row and is woken by NOTIFY to push it.
 */
import { pgTable, uuid, varchar } from 'drizzle-orm/pg-core';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { ConnectSim } from '../../src/connect-sim/connect-sim.ts';
import { devDatabasePrepare } from '../../src/connect-sim/dev-database.ts';
import { triggerLogChannel } from '../../src/connect-sim/trigger-functions.ts';
import { silentLogger } from '../../src/log.ts';
import { connectTable } from '../../src/mirror/connect-table.ts';
import { defineMirrorObject } from '../../src/mirror/define.ts';
import { uuidId } from '../../src/mirror/payload-ids.ts';
import { syncConfigResolve } from '../../src/sync-config.ts';
import { testDatabase } from '../support/database.ts';
import { waitFor } from '../support/wait.ts';

const mirrorSchema = 'salesforce_mirror_für_the_harbour_office_östlich_abteilung';
const regions = pgTable('long_schema_regions', { id: uuid('id').primaryKey() });
const region = defineMirrorObject({
  name: 'Region__c',
  record: 'Region',
  table: connectTable('region__c', 'region_id__c', { region_id__c: varchar({ length: 36 }) }, { schema: mirrorSchema }),
  externalId: 'region_id__c',
  externalIdField: 'Region_Id__c',
  queue: 'long-schema-region',
  payload: z.strictObject({ regionId: uuidId }),
  payloadKey: 'regionId',
  source: { table: regions, id: regions.id },
  fields: { region_id__c: regions.id },
  write: 'upsert',
});

describe('the trigger log channel', () => {
  it('is Connect’s <schema>.hc_trigger_log while that fits in 63 bytes', () => {
    expect(triggerLogChannel('salesforce')).toBe('salesforce.hc_trigger_log');
    const fits = 'a'.repeat(48);
    expect(triggerLogChannel(fits)).toBe(`${fits}.hc_trigger_log`);
  });

  it('is at most 63 bytes and one per schema for longer names', () => {
    const long = ['a'.repeat(49), 'é'.repeat(31), `${'b'.repeat(62)}1`, `${'b'.repeat(62)}2`, mirrorSchema];
    const channels = long.map(triggerLogChannel);
    for (const channel of channels) expect(Buffer.byteLength(channel)).toBeLessThanOrEqual(63);
    expect(new Set(channels).size).toBe(long.length);
    expect(channels).not.toContain(triggerLogChannel('salesforce'));
  });
});

describe('the Connect stand-in over a mirror schema of 60 bytes', () => {
  it('logs an app write and, woken by NOTIFY, pushes it', async () => {
    expect(Buffer.byteLength(mirrorSchema)).toBe(60);
    const database = await testDatabase();
    await database.pool.query(`CREATE TABLE long_schema_regions (id uuid PRIMARY KEY)`);
    const config = syncConfigResolve({ objects: [region] });
    await devDatabasePrepare(database, config, silentLogger);
    // Timers that only a NOTIFY on the schema's channel can beat within the wait.
    const sim = new ConnectSim(database, config.objects, { minIntervalSeconds: 0, pollIntervalSeconds: 3600, readPollIntervalSeconds: 3600 });
    await sim.start();
    try {
      const regionId = crypto.randomUUID();
      await database.pool.query(`INSERT INTO "${mirrorSchema}".region__c (region_id__c) VALUES ($1)`, [regionId]);
      const row = await waitFor('the region sent on NOTIFY', async () => {
        const { rows } = await database.pool.query(`SELECT sfid, _hc_lastop FROM "${mirrorSchema}".region__c WHERE region_id__c = $1`, [regionId]);
        return rows[0]?._hc_lastop === 'INSERTED' ? rows[0] : undefined;
      });
      expect(row.sfid).toMatch(/^[A-Za-z0-9]{18}$/);
    } finally {
      await sim.stop();
    }
  });
});

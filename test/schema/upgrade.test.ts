/**
 * Upgrading: a database the first release (0.1.0, commit a6c59c1) migrated and left holding jobs
 * — records waiting on a parent, a dead-lettered job, jobs pending — is migrated by this code to
 * the schema a fresh database gets, and every pending and waiting job still lands exactly once.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { connectSync } from '../../src/connect-sync.ts';
import { mirrorTablesCreate } from '../../src/connect-sim/mirror-tables.ts';
import { contact } from '../../src/editor/objects/contact.ts';
import { editorPreset } from '../../src/editor/preset.ts';
import { silentLogger } from '../../src/log.ts';
import { migrateQueue } from '../../src/schema/migrate.ts';
import { schemaMigrationsRead } from '../../src/schema/migrations.ts';
import { testDatabase } from '../support/database.ts';
import { editorConfig } from '../support/editor.ts';
import { fakeSfid, mirrorRowInsert, roleInsert, schoolInsert } from '../support/records.ts';
import { releasePackage } from '../support/release.ts';
import { schemaSnapshot } from '../support/schema-snapshot.ts';
import { waitFor } from '../support/wait.ts';

const release = 'a6c59c1';
const loader = fileURLToPath(new URL('./release-load.mjs', import.meta.url));

async function releaseRun(packageFolder: string, url: string, phase: string, plan: object = {}): Promise<void> {
  await promisify(execFile)(process.execPath, [loader, packageFolder, url, phase, JSON.stringify(plan)], { timeout: 90_000 });
}

describe(`a database migrated and loaded by release ${release}`, () => {
  it('is migrated to the fresh schema, and every pending and waiting job lands once', { timeout: 180_000 }, async () => {
    const packageFolder = releasePackage(release);
    const database = await testDatabase({ empty: true });
    await releaseRun(packageFolder, database.url, 'migrate');

    // Two schools whose roles will wait on them, two more sent while no worker runs.
    const schools = await Promise.all(['Gurnard', 'Thornton', 'Ryde', 'Cowes'].map((name) => schoolInsert(database, { name })));
    const roles: { school: string; role: { id: number; userId: string } }[] = [];
    for (const school of schools) for (let n = 0; n < 3; n += 1) roles.push({ school: school.id, role: await roleInsert(database, { schoolId: school.id }) });
    // Every Contact is in Salesforce: the roles wait on their school's Editor__c alone.
    for (const { role } of roles) await mirrorRowInsert(database, contact, role.userId, { synced: true });
    const roleIds = (ids: string[]) => roles.filter((entry) => ids.includes(entry.school)).map((entry) => entry.role.id);
    const waitingSchools = schools.slice(0, 2).map((school) => school.id);
    const pendingSchools = schools.slice(2).map((school) => school.id);
    await releaseRun(packageFolder, database.url, 'load', {
      waitingSchools,
      waitingRoles: roleIds(waitingSchools),
      pendingSchools,
      pendingRoles: roleIds(pendingSchools),
    });
    const before = await database.pool.query<{ state: string; n: number }>(
      `SELECT CASE WHEN name = 'salesforce-sync.dead-letter' THEN 'dead-letter' ELSE state::text END AS state, count(*)::int AS n FROM pgboss.job GROUP BY 1 ORDER BY 1`,
    );
    expect(Object.fromEntries(before.rows.map((row) => [row.state, row.n]))).toMatchObject({ created: expect.any(Number), 'dead-letter': 1 });

    await migrateQueue(database, editorConfig, silentLogger);
    const { rows: ran } = await database.pool.query<{ id: number }>('SELECT id FROM connect_sync.schema_migration ORDER BY id');
    expect(ran.map((row) => row.id)).toEqual(schemaMigrationsRead().map((migration) => migration.id));

    // The same schema as a database this code migrated from nothing.
    const fresh = await testDatabase({ empty: true });
    await migrateQueue(fresh, editorConfig, silentLogger);
    await mirrorTablesCreate(fresh, editorConfig.objects, silentLogger);
    await migrateQueue(fresh, editorConfig, silentLogger);
    expect(await schemaSnapshot(database)).toEqual(await schemaSnapshot(fresh));

    const sync = connectSync({ database, ...editorPreset });
    const worker = await sync.workerStart({ summarySeconds: 0 });
    try {
      // Connect gives each Editor__c its sfid once the worker has written it.
      await waitFor(
        'every role written',
        async () => {
          await database.pool.query(`UPDATE salesforce.editor__c SET sfid = $1 || lpad(id::text, 6, '0') WHERE sfid IS NULL`, [fakeSfid().slice(0, 12)]);
          const { rows } = await database.pool.query<{ n: number }>(`SELECT count(*)::int AS n FROM salesforce.contact_editor_affiliation__c`);
          return rows[0]!.n === roles.length;
        },
        { timeoutMs: 90_000, intervalMs: 200 },
      );
    } finally {
      await worker.stop();
    }
    const { rows: editors } = await database.pool.query<{ key: string; n: number }>(
      `SELECT editoruuid__c AS key, count(*)::int AS n FROM salesforce.editor__c GROUP BY 1 ORDER BY 1`,
    );
    expect(editors).toEqual(schools.map((school) => ({ key: school.id, n: 1 })).sort((a, b) => a.key.localeCompare(b.key)));
    const { rows: affiliations } = await database.pool.query<{ key: string; n: number }>(
      `SELECT affiliation_id__c AS key, count(*)::int AS n FROM salesforce.contact_editor_affiliation__c GROUP BY 1`,
    );
    expect(affiliations.map((row) => row.n)).toEqual(roles.map(() => 1));
    expect(new Set(affiliations.map((row) => row.key))).toEqual(new Set(roles.map(({ role }) => String(role.id))));
    // Nothing left to run, nothing new given up; the malformed job failed and its dead-letter copy
    // stays for a person, as before the upgrade.
    const { rows: left } = await database.pool.query<{ name: string; key: string; state: string }>(
      `SELECT name, singleton_key AS key, state::text FROM pgboss.job WHERE state IN ('created', 'retry', 'active', 'failed') ORDER BY 1`,
    );
    expect(left).toEqual([
      { name: 'salesforce-sync.dead-letter', key: 'malformed-1', state: 'created' },
      { name: 'salesforce-sync.role', key: 'malformed-1', state: 'failed' },
    ]);
  });
});

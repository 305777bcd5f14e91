/**
 * The embedded server started by root from a folder other users cannot enter (a mode-700
 * checkout, /root/…): Postgres runs as the postgres user, from binaries and data it can reach.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { embeddedServerStart } from '../../src/db/embedded-postgres.ts';
import { logCapture } from '../support/log.ts';

const asRoot = process.getuid?.() === 0;

describe.skipIf(!asRoot)('embedded Postgres as root from a mode-700 folder', () => {
  // mkdtemp makes the folder mode 700: the postgres user cannot enter it.
  const closed = mkdtempSync(join(tmpdir(), 'connect-sync-closed-'));
  const movedTo: string[] = [];
  afterAll(() => {
    for (const folder of [closed, ...movedTo]) rmSync(folder, { recursive: true, force: true });
  });

  it('starts with its default data folder moved where postgres can reach it, and says where', async () => {
    const { log, lines } = logCapture('info');
    const server = await embeddedServerStart(join(closed, '.data', 'postgres'), log, { persistent: false, movableWhenUnreachable: true });
    try {
      const client = new pg.Client({ connectionString: server.url('postgres') });
      await client.connect();
      const { rows } = await client.query<{ answer: number }>('SELECT 1 + 1 AS answer');
      await client.end();
      expect(rows[0]?.answer).toBe(2);
      const moved = lines.find((line) => line.msg.includes('cannot reach'));
      if (moved) movedTo.push(dirname(String(moved.dataDir)));
      expect(String(moved?.dataDir)).toMatch(new RegExp(`^${tmpdir()}/connect-sync-data-`));
    } finally {
      await server.stop();
    }
  });

  it('refuses a data folder the operator chose, in one line naming EMBEDDED_POSTGRES_DIR', async () => {
    const { log } = logCapture('info');
    await expect(embeddedServerStart(join(closed, 'chosen', 'postgres'), log)).rejects.toThrow(/^The postgres user cannot reach EMBEDDED_POSTGRES_DIR .*chmod o\+x/);
  });
});

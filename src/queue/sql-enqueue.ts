/**
 * The statement JavaScript enqueue runs: `connect_sync.job_insert(queue, payload, record_key)`,
 * the function migrations/connect-sync/0003_job_insert.sql creates, which `connect_sync.sync_enqueue` (enqueueing
 * from SQL, for a host app written in any language) calls too. Either way the job is written in
 * the caller's transaction and commits with it, and its NOTIFY wakes a worker at commit, as
 * pg-boss's own send does. The job takes its queue's options (retries, expiry, dead letter,
 * singleton policy) as send does; the worker validates the payload and dead-letters one of the
 * wrong shape. The function checks the record key against the payload's id and refuses one longer
 * than `recordKeyLengthMax`.
 */
import { qualifiedName, syncSchema } from '../db/sql-names.ts';

/** Longest record key (record id) a job takes; the function refuses a longer one, as enqueue does. */
export const recordKeyLengthMax = 200;

/** Parameters: $1 queue, $2 payload (jsonb), $3 record key. One row: the job id, null when the queue is not migrated. */
export const jobInsertSql = `SELECT ${qualifiedName(syncSchema, 'job_insert')}($1::text, $2::jsonb, $3::text) AS id`;

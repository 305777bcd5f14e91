/**
 * The SQL text of what Heroku Connect adds to its mirror schema (`salesforce` unless declared
 * otherwise): its bookkeeping tables and the two trigger functions every mapped table gets.
 * Identifiers come from the declarations only, quoted; no value is spliced in.
 */
import { createHash } from 'node:crypto';
import pg from 'pg';
import { identifierBytesMax, identifierQuote } from '../db/sql-names.ts';
import { mirrorTableQuoted } from '../mirror/mirror-table-name.ts';
import type { AnyMirrorObject } from '../mirror/object-set.ts';

/** Written as the COMMENT of every table the stand-in creates; anything else is a real Connect's. */
export const connectSimMarker = 'connect-sim: the local Heroku Connect stand-in of connect-sync, not a real Heroku Connect';

/** Connect's bookkeeping tables, by name. */
export const connectTableNames = ['_hcmeta', '_trigger_log', '_trigger_log_archive', '_sf_event_log'] as const;

/**
 * The NOTIFY channel the stand-in listens on: Connect's `<schema>.hc_trigger_log` when that fits
 * in 63 bytes; for a longer schema name, `hc_trigger_log_` and a hash of the name, so the log
 * trigger can still notify and each schema still has its own channel. The trigger function is
 * written with this channel as a literal, so both sides take it from here.
 */
export function triggerLogChannel(schema: string): string {
  const channel = `${schema}.hc_trigger_log`;
  // pg_notify refuses a longer channel and LISTEN cuts it short.
  if (Buffer.byteLength(channel) <= identifierBytesMax) return channel;
  return `hc_trigger_log_${createHash('sha256').update(schema).digest('hex').slice(0, 40)}`;
}

/** Columns an UPDATE's change set leaves out: Connect's own status columns. */
export const statusColumns = ['_hc_lastop', '_hc_err', 'systemmodstamp'] as const;

const statusColumnsArray = `ARRAY[${statusColumns.map((column) => pg.escapeLiteral(column)).join(', ')}]::text[]`;

/** CREATE statements for Connect's tables in `mirrorSchema`, each marked as the stand-in's. Idempotent. */
export function connectTablesSql(mirrorSchema: string): string {
  const schema = identifierQuote(mirrorSchema);
  const marker = pg.escapeLiteral(connectSimMarker);
  return `
    CREATE TABLE IF NOT EXISTS ${schema}._hcmeta (
      id serial PRIMARY KEY, hcver integer, org_id varchar(50), details text);
    CREATE TABLE IF NOT EXISTS ${schema}._trigger_log (
      id bigserial PRIMARY KEY,
      txid bigint,
      created_at timestamptz DEFAULT now(),
      updated_at timestamptz DEFAULT now(),
      processed_at timestamptz,
      processed_tx bigint,
      state varchar(8),
      action varchar(7),
      table_name varchar(128),
      record_id integer,
      sfid varchar(18),
      old jsonb,
      values jsonb,
      sf_result integer,
      sf_message text);
    CREATE INDEX IF NOT EXISTS _trigger_log_idx_state_id ON ${schema}._trigger_log (state, id);
    CREATE INDEX IF NOT EXISTS _trigger_log_idx_created_at ON ${schema}._trigger_log (created_at);
    CREATE TABLE IF NOT EXISTS ${schema}._trigger_log_archive (LIKE ${schema}._trigger_log, PRIMARY KEY (id));
    CREATE TABLE IF NOT EXISTS ${schema}._sf_event_log (
      id bigserial PRIMARY KEY,
      table_name varchar(128),
      action varchar(7),
      synced_at timestamptz DEFAULT now(),
      sf_timestamp timestamptz,
      sfid varchar(20),
      record jsonb,
      processed boolean);
    COMMENT ON TABLE ${schema}._hcmeta IS ${marker};
    COMMENT ON TABLE ${schema}._trigger_log IS ${marker};
    COMMENT ON TABLE ${schema}._trigger_log_archive IS ${marker};
    COMMENT ON TABLE ${schema}._sf_event_log IS ${marker};`;
}

/**
 * The status and log trigger functions, shared by every mapped table. A session whose
 * `xmlbinary` is not `base64` is Connect's own (real Connect sets it so; the stand-in's engine
 * sets `hex`); its writes are neither marked PENDING nor logged.
 */
export function triggerFunctionsSql(mirrorSchema: string): string {
  const schema = identifierQuote(mirrorSchema);
  // Each body is a string constant, so no schema name can end it early (as it could a $fn$ quote).
  return `
    CREATE OR REPLACE FUNCTION ${schema}.hc_connect_sim_status() RETURNS trigger LANGUAGE plpgsql AS ${pg.escapeLiteral(`
    BEGIN
      IF current_setting('xmlbinary') <> 'base64' THEN
        IF TG_OP = 'INSERT' THEN
          NEW._hc_lastop := coalesce(NEW._hc_lastop, 'SYNCED');
        ELSIF NEW._hc_lastop IS NOT DISTINCT FROM OLD._hc_lastop THEN
          NEW._hc_lastop := 'SYNCED';
        END IF;
        RETURN NEW;
      END IF;
      -- An app write that changes nothing is logged IGNORE and never sent, so the row keeps the
      -- status (and error) of what was last sent rather than a PENDING nothing will clear.
      IF TG_OP = 'UPDATE' AND (to_jsonb(NEW) - ${statusColumnsArray}) = (to_jsonb(OLD) - ${statusColumnsArray}) THEN
        RETURN NEW;
      END IF;
      NEW._hc_lastop := 'PENDING';
      NEW._hc_err := NULL;
      RETURN NEW;
    END`)};

    CREATE OR REPLACE FUNCTION ${schema}.hc_connect_sim_log() RETURNS trigger LANGUAGE plpgsql AS ${pg.escapeLiteral(`
    DECLARE
      changed jsonb;
      previous jsonb;
      entry_state text := 'NEW';
      row_id integer;
      row_sfid text;
    BEGIN
      IF current_setting('xmlbinary') <> 'base64' THEN
        RETURN NULL;
      END IF;
      IF TG_OP = 'INSERT' THEN
        changed := to_jsonb(NEW);
        row_id := NEW.id;
        row_sfid := NEW.sfid;
      ELSIF TG_OP = 'UPDATE' THEN
        SELECT coalesce(jsonb_object_agg(n.key, n.value), '{}'::jsonb), coalesce(jsonb_object_agg(n.key, o.value), '{}'::jsonb)
          INTO changed, previous
          FROM jsonb_each(to_jsonb(NEW)) AS n JOIN jsonb_each(to_jsonb(OLD)) AS o ON o.key = n.key
         WHERE n.value IS DISTINCT FROM o.value AND NOT n.key = ANY (${statusColumnsArray});
        IF changed = '{}'::jsonb THEN
          entry_state := 'IGNORE';
        END IF;
        row_id := NEW.id;
        row_sfid := NEW.sfid;
      ELSE
        previous := to_jsonb(OLD);
        row_id := OLD.id;
        row_sfid := OLD.sfid;
        -- Salesforce never had a row without an sfid, so there is nothing to delete there.
        IF OLD.sfid IS NULL THEN
          entry_state := 'IGNORE';
        END IF;
      END IF;
      INSERT INTO ${schema}._trigger_log (txid, state, action, table_name, record_id, sfid, old, values)
      VALUES (txid_current(), entry_state, TG_OP, TG_TABLE_NAME, row_id, row_sfid, previous, changed);
      IF entry_state = 'NEW' THEN
        PERFORM pg_notify(${pg.escapeLiteral(triggerLogChannel(mirrorSchema))}, TG_TABLE_NAME);
      END IF;
      RETURN NULL;
    END`)};`;
}

/** The two triggers on `object`'s mirror table, named as Connect names its own. */
export function tableTriggersSql(object: AnyMirrorObject): string {
  const schema = identifierQuote(object.mirrorSchema);
  const table = mirrorTableQuoted(object);
  const status = identifierQuote(`hc_${object.tableName}_status_trigger`);
  const log = identifierQuote(`hc_${object.tableName}_logtrigger`);
  return `
    CREATE OR REPLACE TRIGGER ${status} BEFORE INSERT OR UPDATE ON ${table}
      FOR EACH ROW EXECUTE FUNCTION ${schema}.hc_connect_sim_status();
    CREATE OR REPLACE TRIGGER ${log} AFTER INSERT OR UPDATE OR DELETE ON ${table}
      FOR EACH ROW EXECUTE FUNCTION ${schema}.hc_connect_sim_log();`;
}

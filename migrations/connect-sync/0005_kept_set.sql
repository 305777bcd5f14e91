-- The doctor's kept sets (see src/ops/kept-set.ts): the records with no mirror row, per object, and
-- a preset check's subjects (the editor's schools without a synced affiliation), as found by the
-- last count. Counting them anew is an anti-join of whole tables (seconds at ten million mirror
-- rows); a count that starts from the last one reads only the rows changed since.
-- One row per set: the definition it was counted by, the snapshot horizon of that count (rows
-- with a newer xmin are the changed ones), and what each table it reads looked like then.
CREATE TABLE :CONNECT_SYNC_SCHEMA.kept_set (
  name text PRIMARY KEY,
  definition text NOT NULL,
  horizon xid8 NOT NULL,
  tables jsonb NOT NULL,
  counted_at timestamptz NOT NULL,
  full_count_at timestamptz NOT NULL
);
-- Its members, by the source row's id as text.
CREATE TABLE :CONNECT_SYNC_SCHEMA.kept_set_member (
  set_name text NOT NULL REFERENCES :CONNECT_SYNC_SCHEMA.kept_set (name) ON DELETE CASCADE,
  source_id text NOT NULL,
  PRIMARY KEY (set_name, source_id)
);

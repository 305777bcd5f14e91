-- What the metrics need to outlive a worker and reach the dashboard's process: each sync queue's
-- job outcomes as running totals (the counters), and one sample a minute of each queue's waiting
-- records, dead letters and jobs written (the overview's last-hour chart). Workers add to both
-- once a minute; samples older than a day are pruned as new ones are written.

CREATE TABLE IF NOT EXISTS :CONNECT_SYNC_SCHEMA.sync_outcome_total (
  queue text NOT NULL,
  -- written, skipped, discarded, rejected, waited, gave_up
  outcome text NOT NULL,
  total bigint NOT NULL,
  PRIMARY KEY (queue, outcome)
);

CREATE TABLE IF NOT EXISTS :CONNECT_SYNC_SCHEMA.sync_sample (
  -- The minute the sample stands for (its start).
  sampled_at timestamptz NOT NULL,
  queue text NOT NULL,
  -- Records waiting on a parent and dead-lettered jobs at that minute; jobs written during it.
  waiting integer NOT NULL,
  dead_lettered integer NOT NULL,
  written integer NOT NULL,
  PRIMARY KEY (sampled_at, queue)
);

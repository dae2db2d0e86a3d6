-- 037: a run is answered once it is recorded; its contacts and orders are written behind it by the
-- run writer (src/tracing/run_writer.c).  pending > 0: queued, not yet written; the number is its
-- place in the queue (the runs of one request share it), taken from tracing_run_queue.last inside
-- the queueing transaction, so numbers grow in commit order on both engines.  0: written.
ALTER TABLE tracing_runs ADD COLUMN pending BIGINT NOT NULL DEFAULT 0;
ALTER TABLE tracing_runs ADD COLUMN contacts_changed BIGINT; -- rows the last write inserted or updated
ALTER TABLE tracing_runs ADD COLUMN written_at BIGINT;
CREATE INDEX tracing_runs_pending ON tracing_runs (pending, id) WHERE pending > 0;

CREATE TABLE tracing_run_queue (
    id INTEGER PRIMARY KEY,
    last BIGINT NOT NULL
);
INSERT INTO tracing_run_queue (id, last) VALUES (1, 0);

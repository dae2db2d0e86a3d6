-- 020: every change to check-ins, in order, so that each server's in-memory
-- contact index (src/tracing/index.c) follows writes made anywhere: by its
-- own requests, by another server over the same PostgreSQL, by `cordon jobs`.
-- One row per check-in inserted or checked out (checkin_id), or per
-- retention batch (deleted_before: check-ins before that time are gone),
-- written in the same transaction as the change.  A reader keeps a
-- watermark: on SQLite, writers commit one at a time, so the last seq read is
-- one; on PostgreSQL, numbers are taken before commit and may become visible
-- out of order, so the reader keeps the oldest transaction still running
-- when it read (tx, the writing transaction's id) and reads again from there.
-- Rows older than a day are pruned by the check-in retention job.

CREATE TABLE checkin_changes (
    seq {{serial}},
    checkin_id BIGINT,
    deleted_before BIGINT,
    tx BIGINT NOT NULL DEFAULT {{txid}},
    at BIGINT NOT NULL
);
CREATE INDEX checkin_changes_tx ON checkin_changes (tx);
CREATE INDEX checkin_changes_at ON checkin_changes (at);

-- 024: the commune health station marks a flagged declaration as handled
-- (the person was called) with a note; who (account) and when are kept.
-- Marking one declaration also marks the person's earlier unhandled ones.
ALTER TABLE declarations ADD COLUMN handled_at BIGINT;
ALTER TABLE declarations ADD COLUMN handled_by BIGINT;
ALTER TABLE declarations ADD COLUMN handled_note TEXT;

-- 018: a case's infectious window from what is known of it.  A case keeps
-- the collection time of its sample (the window starts from it when the
-- onset is unknown); onset, sample time and isolation are NULL when unknown
-- and tracers may correct them, each change a case event naming the
-- account.  The policy says how long a window may be.

ALTER TABLE cases ADD COLUMN sample_at BIGINT;
UPDATE cases SET sample_at = (SELECT s.collected_at FROM testing_samples s WHERE s.id = cases.sample_id)
 WHERE sample_id IS NOT NULL;

-- Cases tracers entered stored the test day as onset, and as isolation,
-- when these were unknown: the test day is their sample day, the unknown
-- stays unknown, and an unisolated case is confirmed at the end of its
-- test day (the window no longer ends at 00:00 of it).
UPDATE cases SET sample_at = confirmed_at WHERE client_id IS NOT NULL AND sample_id IS NULL;
UPDATE cases SET onset_at = NULL WHERE client_id IS NOT NULL AND onset_at = confirmed_at;
UPDATE cases SET isolated_at = NULL WHERE client_id IS NOT NULL AND isolated_at = confirmed_at;
UPDATE cases SET confirmed_at = confirmed_at + 86399
 WHERE client_id IS NOT NULL AND isolated_at IS NULL AND (confirmed_at + 25200) % 86400 = 0;

CREATE INDEX cases_province ON cases (province_code, id);
CREATE INDEX cases_district ON cases (district_code, id);

ALTER TABLE case_events ADD COLUMN account_id BIGINT; -- who changed the case; NULL for the system

ALTER TABLE tracing_policy ADD COLUMN window_max_days INTEGER NOT NULL DEFAULT 30;
ALTER TABLE tracing_policy_provinces ADD COLUMN window_max_days INTEGER NOT NULL DEFAULT 30;

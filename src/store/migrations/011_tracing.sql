-- 011: contact tracing.  A run finds the contacts (F1, F2) of one confirmed
-- case (F0, table cases of 008) with the parameters it keeps; contacts are
-- one row per (case, person), so running again changes nothing.  Interviews
-- hold the contacts tracers name; the policy says what follows for an F1.

CREATE TABLE tracing_runs (
    id {{serial}},
    case_id BIGINT NOT NULL,
    person_id BIGINT NOT NULL,      -- the case's person (F0)
    window_from BIGINT NOT NULL,    -- infectious window, epoch seconds
    window_until BIGINT NOT NULL,
    params TEXT NOT NULL,           -- JSON: slack, default stay, skew, whole-day types, sources, depth
    digest TEXT NOT NULL,           -- hex digest of params + window: the same run twice is one row
    f1 BIGINT NOT NULL,             -- contacts found
    f2 BIGINT NOT NULL,
    trigger_kind TEXT NOT NULL,     -- manual | batch | auto
    created_by BIGINT,              -- staff account, NULL for the job
    created_at BIGINT NOT NULL,
    UNIQUE (case_id, digest)
);
CREATE INDEX tracing_runs_case ON tracing_runs (case_id, id);

CREATE TABLE tracing_contacts (
    id {{serial}},
    case_id BIGINT NOT NULL,
    person_id BIGINT NOT NULL,
    degree INTEGER NOT NULL,        -- 1: F1, 2: F2
    through_person_id BIGINT NOT NULL, -- F0 for an F1, the F1 for an F2
    first_at BIGINT NOT NULL,       -- first exposure
    risk INTEGER NOT NULL,          -- 0..1000
    reasons TEXT NOT NULL,          -- JSON array of reasons
    status TEXT NOT NULL DEFAULT 'not_reached', -- not_reached reached tested in_quarantine cleared
    note TEXT,
    province_code TEXT,             -- the contact's home, for the commune work lists
    district_code TEXT,
    commune_code TEXT,
    run_id BIGINT NOT NULL,         -- the run that last changed this row
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    UNIQUE (case_id, person_id)
);
CREATE INDEX tracing_contacts_commune ON tracing_contacts (commune_code, degree, status);
CREATE INDEX tracing_contacts_district ON tracing_contacts (district_code, degree, status);
CREATE INDEX tracing_contacts_province ON tracing_contacts (province_code, degree, status);
CREATE INDEX tracing_contacts_person ON tracing_contacts (person_id);

CREATE TABLE tracing_interviews (
    id {{serial}},
    client_id TEXT NOT NULL UNIQUE,
    case_id BIGINT NOT NULL,
    index_person_id BIGINT NOT NULL, -- who was interviewed (the F0, or an F1)
    contact_person_id BIGINT NOT NULL,
    contacted_at BIGINT NOT NULL,
    minutes INTEGER NOT NULL,
    note TEXT,
    created_by BIGINT,
    created_at BIGINT NOT NULL,
    UNIQUE (index_person_id, contact_person_id, contacted_at)
);
CREATE INDEX tracing_interviews_index ON tracing_interviews (index_person_id, contacted_at);

-- Cases the automatic job has traced (so it picks up only new ones).
CREATE TABLE tracing_auto (
    case_id BIGINT PRIMARY KEY,
    run_id BIGINT,
    traced_at BIGINT NOT NULL
);

-- One row: what follows for an F1.  Test days count from the exposure day (day 1).
CREATE TABLE tracing_policy (
    id INTEGER PRIMARY KEY,         -- always 1
    quarantine_days INTEGER NOT NULL,
    place_kind TEXT NOT NULL,       -- home | centre
    checkins_per_day INTEGER NOT NULL,
    radius_m INTEGER NOT NULL,
    grace_minutes INTEGER NOT NULL,
    test_days TEXT NOT NULL,        -- comma-separated day numbers, "1,7,14"
    enabled INTEGER NOT NULL,
    updated_at BIGINT NOT NULL
);
INSERT INTO tracing_policy (id, quarantine_days, place_kind, checkins_per_day, radius_m, grace_minutes, test_days,
                            enabled, updated_at)
VALUES (1, 14, 'home', 3, 100, 60, '1,7,14', 1, 0);

-- Test orders the sampling platform reads: one per person and day.
CREATE TABLE test_orders (
    id {{serial}},
    person_id BIGINT NOT NULL,
    case_id BIGINT,
    due_day BIGINT NOT NULL,        -- local day number (UTC+7) the sample is due
    reason TEXT NOT NULL,           -- f1_policy, ...
    status TEXT NOT NULL DEFAULT 'pending', -- pending | sampled | cancelled
    province_code TEXT,
    district_code TEXT,
    commune_code TEXT,
    created_at BIGINT NOT NULL,
    UNIQUE (person_id, due_day, reason)
);
CREATE INDEX test_orders_commune ON test_orders (commune_code, due_day);

-- Confirmed cases (table of 008) gain what tracing needs: the onset (or
-- test) time the infectious window starts from, when the person was
-- isolated (the window's end), and the client id of a case a tracer entered.
ALTER TABLE cases ADD COLUMN onset_at BIGINT;
ALTER TABLE cases ADD COLUMN isolated_at BIGINT;
ALTER TABLE cases ADD COLUMN client_id TEXT;
ALTER TABLE cases ADD COLUMN entered_by BIGINT;
CREATE UNIQUE INDEX cases_client ON cases (client_id);
ALTER TABLE tracing_policy ADD COLUMN window_days_before INTEGER NOT NULL DEFAULT 2;

-- 030: the callbot (src/callbot/).  An official starts a call list (the F1 of
-- an area not yet reached, or the people due for a quarantine check-in); each
-- person of it gets one call row, tried until answered or out of retries.  An
-- answered call's keypad answers become a health declaration (declaration_ref).

CREATE TABLE callbot_lists (
    id {{serial}},
    reason TEXT NOT NULL,           -- f1 | checkin
    unit_code TEXT NOT NULL,        -- the area it was drawn from
    created_by BIGINT NOT NULL,
    created_at BIGINT NOT NULL
);

CREATE TABLE callbot_calls (
    id {{serial}},
    list_id BIGINT NOT NULL REFERENCES callbot_lists (id),
    person_id BIGINT NOT NULL,
    phone TEXT NOT NULL,
    status TEXT NOT NULL DEFAULT 'queued', -- queued | calling | answered | failed
    attempts INTEGER NOT NULL DEFAULT 0,
    next_attempt_at BIGINT NOT NULL,
    claimed_until BIGINT,           -- the callbot's claim while it calls; past it the row is taken again
    last_error TEXT,                -- why the last try did not get the answers (no_answer, busy, hung_up ...)
    answers TEXT,                   -- keys per question, "121" (1 yes, 2 no): symptoms, exposure, help
    declaration_ref TEXT,
    province_code TEXT,             -- the person's home, for area scope
    district_code TEXT,
    commune_code TEXT,
    updated_at BIGINT NOT NULL
);
CREATE INDEX callbot_calls_due ON callbot_calls (status, next_attempt_at);
CREATE INDEX callbot_calls_list ON callbot_calls (list_id, id);

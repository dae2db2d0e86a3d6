-- 026: road checkpoints (src/checkpoint/), citizens' feedback and the safety map (below).
-- A checkpoint sits in a commune on a
-- road; its officers (role checkpoint_officer) are listed in
-- checkpoint_officers.  A passage is one vehicle (or one person on foot)
-- crossing it, recorded once per client_id by the officer's phone, possibly
-- hours later from its offline queue; each person in it gets a verdict from
-- checkpoint_rules, kept with the reasons that produced it.  Photos are kept
-- for the retention tracing uses, then deleted (photo set to NULL).

CREATE TABLE checkpoints (
    id {{serial}},
    client_id TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    road TEXT,
    direction TEXT NOT NULL,        -- both | in | out: the way traffic is checked
    lat_e6 BIGINT,
    lon_e6 BIGINT,
    province_code TEXT NOT NULL,
    district_code TEXT NOT NULL,
    commune_code TEXT NOT NULL,
    created_by BIGINT,
    created_at BIGINT NOT NULL
);
CREATE INDEX checkpoints_commune ON checkpoints (commune_code);
CREATE INDEX checkpoints_district ON checkpoints (district_code);
CREATE INDEX checkpoints_province ON checkpoints (province_code);

CREATE TABLE checkpoint_officers (
    checkpoint_id BIGINT NOT NULL REFERENCES checkpoints (id),
    account_id BIGINT NOT NULL,
    PRIMARY KEY (checkpoint_id, account_id)
);
CREATE INDEX checkpoint_officers_account ON checkpoint_officers (account_id);

CREATE TABLE checkpoint_passages (
    id {{serial}},
    client_id TEXT NOT NULL UNIQUE,
    checkpoint_id BIGINT NOT NULL REFERENCES checkpoints (id),
    direction TEXT NOT NULL,        -- in | out
    plate TEXT,                     -- normalised ("47A-123.45"); NULL on foot
    vehicle_type TEXT,              -- car | truck | bus | motorbike | other
    origin_commune TEXT,
    destination_commune TEXT,
    day BIGINT NOT NULL,            -- local day (UTC+7) of passed_at
    passed_at BIGINT NOT NULL,      -- when the officer scanned (the phone's time, checked)
    recorded_at BIGINT NOT NULL,    -- when the server stored it
    recorded_by BIGINT,
    province_code TEXT NOT NULL,    -- the checkpoint's area
    district_code TEXT NOT NULL,
    commune_code TEXT NOT NULL
);
CREATE INDEX checkpoint_passages_day ON checkpoint_passages (checkpoint_id, day, id);
CREATE INDEX checkpoint_passages_plate ON checkpoint_passages (plate, passed_at);
CREATE INDEX checkpoint_passages_at ON checkpoint_passages (passed_at);

CREATE TABLE checkpoint_passage_people (
    id {{serial}},
    passage_id BIGINT NOT NULL REFERENCES checkpoint_passages (id),
    person_id BIGINT NOT NULL,
    position INTEGER NOT NULL,      -- order in the request
    by_field TEXT NOT NULL,         -- qr | cccd | cmnd
    verdict TEXT NOT NULL,          -- pass | test | back
    reasons TEXT NOT NULL,          -- rule codes joined by ','; '' when none applied
    vaccination TEXT NOT NULL,      -- none | partial | complete | booster
    photo_type TEXT,                -- image/jpeg | image/png; NULL when none or deleted
    photo TEXT,                     -- base64
    UNIQUE (passage_id, person_id)
);
CREATE INDEX checkpoint_passage_people_person ON checkpoint_passage_people (person_id);

-- The rules, in order.  code names a condition the code knows (checkpoint/rules.c);
-- hours is its look-back where it has one; waived_by 'vaccinated' skips the rule
-- for a person whose primary series is complete.  The strictest verdict wins.
CREATE TABLE checkpoint_rules (
    code TEXT PRIMARY KEY,
    position INTEGER NOT NULL,
    verdict TEXT NOT NULL,          -- pass | test | back
    hours INTEGER,
    waived_by TEXT,
    enabled INTEGER NOT NULL
);
INSERT INTO checkpoint_rules (code, position, verdict, hours, waived_by, enabled) VALUES
    ('confirmed_case', 1, 'back', 504, NULL, 1),
    ('f1', 2, 'back', 336, NULL, 1),
    ('in_quarantine', 3, 'back', NULL, NULL, 1),
    ('no_declaration', 4, 'back', 72, NULL, 1),
    ('no_negative_test', 5, 'test', 72, 'vaccinated', 1),
    ('not_vaccinated', 6, 'test', NULL, NULL, 0);

-- Citizens' feedback (src/feedback/): a report to the health staff of a commune.  Categories
-- are data with the hours the commune has to answer; a report not answered in time goes up to
-- the district (level), then the province, each time with the same hours again.
CREATE TABLE feedback_categories (
    code TEXT PRIMARY KEY,
    position INTEGER NOT NULL,
    answer_hours INTEGER NOT NULL,
    enabled INTEGER NOT NULL
);
INSERT INTO feedback_categories (code, position, answer_hours, enabled) VALUES
    ('rule_violation', 1, 24, 1),
    ('arrival_from_affected_area', 2, 12, 1),
    ('need_help', 3, 24, 1),
    ('quarantine_problem', 4, 24, 1),
    ('other', 5, 72, 1);

CREATE TABLE feedback (
    id {{serial}},
    client_id TEXT NOT NULL UNIQUE,
    category TEXT NOT NULL,
    body TEXT NOT NULL,
    phone TEXT NOT NULL,            -- where the answer goes by SMS
    person_id BIGINT,               -- the citizen who sent it, when signed in
    photo_type TEXT,
    photo TEXT,                     -- base64
    status TEXT NOT NULL,           -- new | forwarded | answered | closed
    level TEXT NOT NULL,            -- commune | district | province: who must answer now
    due_at BIGINT NOT NULL,         -- when the current level's time is up
    escalated_at BIGINT,
    answer TEXT,
    answered_by BIGINT,
    answered_at BIGINT,
    note TEXT,                      -- forwarding or closing note
    province_code TEXT NOT NULL,    -- the commune that handles it (changes when forwarded)
    district_code TEXT NOT NULL,
    commune_code TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX feedback_commune ON feedback (commune_code, status);
CREATE INDEX feedback_district ON feedback (district_code, status);
CREATE INDEX feedback_province ON feedback (province_code, status);
CREATE INDEX feedback_due ON feedback (status, due_at);
CREATE INDEX feedback_person ON feedback (person_id);
CREATE INDEX feedback_phone ON feedback (phone, created_at);

-- The COVID-safety map (src/safety/): a venue's daily self-assessment against a checklist kept
-- as data, each check with its weight (the weights add up to 100); the score sets the day's
-- status by the levels below.  Commune staff inspect on site and set the status with a note;
-- an inspection overrides the self-assessment of that day.
CREATE TABLE safety_checks (
    code TEXT PRIMARY KEY,
    position INTEGER NOT NULL,
    weight INTEGER NOT NULL,
    enabled INTEGER NOT NULL
);
INSERT INTO safety_checks (code, position, weight, enabled) VALUES
    ('distancing', 1, 15, 1),
    ('masks', 2, 15, 1),
    ('hand_washing', 3, 10, 1),
    ('checkin_qr_posted', 4, 10, 1),
    ('staff_tested', 5, 15, 1),
    ('staff_vaccinated', 6, 15, 1),
    ('ventilation', 7, 10, 1),
    ('no_case_14_days', 8, 10, 1);

CREATE TABLE safety_levels (
    status TEXT PRIMARY KEY,        -- safe | at_risk | unsafe
    min_score INTEGER NOT NULL      -- the lowest score of the status
);
INSERT INTO safety_levels (status, min_score) VALUES ('safe', 80), ('at_risk', 50), ('unsafe', 0);

CREATE TABLE safety_places (
    venue_id BIGINT PRIMARY KEY REFERENCES venues (id),
    lat_e6 BIGINT NOT NULL,
    lon_e6 BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);

CREATE TABLE safety_assessments (
    id {{serial}},
    venue_id BIGINT NOT NULL REFERENCES venues (id),
    day BIGINT NOT NULL,            -- local day (UTC+7)
    kind TEXT NOT NULL,             -- self | inspection
    checks TEXT NOT NULL,           -- codes met, joined by ','
    score INTEGER,                  -- NULL for an inspection
    status TEXT NOT NULL,           -- safe | at_risk | unsafe
    note TEXT,
    by_account BIGINT NOT NULL,
    province_code TEXT NOT NULL,
    district_code TEXT NOT NULL,
    commune_code TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    UNIQUE (venue_id, day, kind)
);
CREATE INDEX safety_assessments_commune ON safety_assessments (commune_code, day);
CREATE INDEX safety_assessments_district ON safety_assessments (district_code, day);
CREATE INDEX safety_assessments_province ON safety_assessments (province_code, day);

-- 008: sample collection and pooled testing (src/testing/).
-- Sites, sessions and their samplers; tubes (one printed label each, pooled
-- or single); samples (one person in one tube: the collection record, which
-- also carries the person's result); result batches (one per result entered
-- or file imported); retest orders; confirmed cases and their events.
-- Rows copy the commune (and its province and district) of the sampling site,
-- so oversight by area and day is an indexed range.

CREATE TABLE testing_sites (
    id {{serial}},
    client_id TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    address TEXT,
    province_code TEXT NOT NULL,
    district_code TEXT NOT NULL,
    commune_code TEXT NOT NULL,
    created_by BIGINT,
    created_at BIGINT NOT NULL
);
CREATE INDEX testing_sites_commune ON testing_sites (commune_code);
CREATE INDEX testing_sites_district ON testing_sites (district_code);
CREATE INDEX testing_sites_province ON testing_sites (province_code);

CREATE TABLE testing_sessions (
    id {{serial}},
    client_id TEXT NOT NULL UNIQUE,
    site_id BIGINT NOT NULL REFERENCES testing_sites (id),
    session_date TEXT NOT NULL,         -- YYYY-MM-DD (local)
    team TEXT NOT NULL,
    test_type TEXT NOT NULL,            -- rt_pcr | rapid_antigen
    pool_size INTEGER NOT NULL,         -- people per tube, 1..10
    lab_unit_code TEXT NOT NULL,        -- the unit whose lab accounts receive the tubes
    lab_province_code TEXT,             -- its ancestors (NULL above its level), for a lab's list by index
    lab_district_code TEXT,
    lab_commune_code TEXT,
    province_code TEXT NOT NULL,        -- the site's
    district_code TEXT NOT NULL,
    commune_code TEXT NOT NULL,
    created_by BIGINT,
    created_at BIGINT NOT NULL
);
CREATE INDEX testing_sessions_commune ON testing_sessions (commune_code, session_date);
CREATE INDEX testing_sessions_district ON testing_sessions (district_code, session_date);
CREATE INDEX testing_sessions_province ON testing_sessions (province_code, session_date);
CREATE INDEX testing_sessions_date ON testing_sessions (session_date);
CREATE INDEX testing_sessions_lab_province ON testing_sessions (lab_province_code, session_date);
CREATE INDEX testing_sessions_lab_district ON testing_sessions (lab_district_code, session_date);
CREATE INDEX testing_sessions_lab_commune ON testing_sessions (lab_commune_code, session_date);

CREATE TABLE testing_session_samplers (
    session_id BIGINT NOT NULL REFERENCES testing_sessions (id),
    account_id BIGINT NOT NULL,
    created_at BIGINT NOT NULL,
    UNIQUE (session_id, account_id)
);
CREATE INDEX testing_session_samplers_account ON testing_session_samplers (account_id);

CREATE TABLE testing_tube_batches (
    id {{serial}},
    client_id TEXT NOT NULL UNIQUE,
    session_id BIGINT NOT NULL REFERENCES testing_sessions (id),
    count INTEGER NOT NULL,
    created_by BIGINT,
    created_at BIGINT NOT NULL
);

CREATE TABLE testing_tubes (
    id {{serial}},
    code TEXT NOT NULL UNIQUE,          -- printed on the label: "T" + 9 Crockford base32
    session_id BIGINT NOT NULL REFERENCES testing_sessions (id),
    batch_id BIGINT,
    lab_unit_code TEXT NOT NULL,        -- the session's, copied
    capacity INTEGER NOT NULL,          -- the session's pool size
    members INTEGER NOT NULL DEFAULT 0, -- samples in the tube
    first_sampled_at BIGINT,
    received_at BIGINT,                 -- lab receipt
    result TEXT,                        -- positive | negative | invalid; NULL pending
    ct INTEGER,                         -- cycle threshold x 10 (32.5 -> 325); NULL when not given
    resulted_at BIGINT,
    resulted_by BIGINT,
    result_batch BIGINT,                -- testing_result_batches.id of the write that set the result
    province_code TEXT NOT NULL,
    district_code TEXT NOT NULL,
    commune_code TEXT NOT NULL
);
CREATE INDEX testing_tubes_session ON testing_tubes (session_id);
CREATE INDEX testing_tubes_batch ON testing_tubes (result_batch);
CREATE INDEX testing_tubes_lab ON testing_tubes (lab_unit_code, result);

CREATE TABLE testing_samples (
    id {{serial}},
    client_id TEXT NOT NULL UNIQUE,
    session_id BIGINT NOT NULL REFERENCES testing_sessions (id),
    tube_id BIGINT NOT NULL REFERENCES testing_tubes (id),
    person_id BIGINT NOT NULL,
    phone TEXT,                         -- the person's, copied for the result message
    collected_at BIGINT NOT NULL,
    collected_by BIGINT,
    status TEXT NOT NULL,               -- pending | negative | positive | pool_positive_retest | invalid
    resulted_at BIGINT,
    result_batch BIGINT,
    province_code TEXT NOT NULL,        -- the site's
    district_code TEXT NOT NULL,
    commune_code TEXT NOT NULL,
    UNIQUE (session_id, person_id)
);
CREATE INDEX testing_samples_tube ON testing_samples (tube_id);
CREATE INDEX testing_samples_person ON testing_samples (person_id, collected_at);
CREATE INDEX testing_samples_batch ON testing_samples (result_batch);

CREATE TABLE testing_result_batches (
    id {{serial}},
    kind TEXT NOT NULL,                 -- single | import
    token TEXT UNIQUE,                  -- import: the check token the apply step names
    status TEXT NOT NULL,               -- checked | applied
    account_id BIGINT,
    unit_code TEXT NOT NULL,            -- the lab account's unit
    format TEXT,                        -- csv | xlsx
    rows_total INTEGER NOT NULL DEFAULT 0,
    rows_valid INTEGER NOT NULL DEFAULT 0,
    rows_bad INTEGER NOT NULL DEFAULT 0,
    rows_text TEXT,                     -- valid rows as "line,tube,result,ct" lines, for the apply step
    applied INTEGER NOT NULL DEFAULT 0, -- tubes whose result this batch set
    unchanged INTEGER NOT NULL DEFAULT 0,
    people INTEGER NOT NULL DEFAULT 0,  -- samples whose result this batch set
    created_at BIGINT NOT NULL,
    applied_at BIGINT
);

CREATE TABLE testing_retest_orders (
    id {{serial}},
    sample_id BIGINT NOT NULL UNIQUE,
    person_id BIGINT NOT NULL,
    session_id BIGINT NOT NULL,
    reason TEXT NOT NULL,               -- pool_positive | invalid
    status TEXT NOT NULL,               -- open
    created_at BIGINT NOT NULL,
    province_code TEXT NOT NULL,
    district_code TEXT NOT NULL,
    commune_code TEXT NOT NULL
);
CREATE INDEX testing_retest_orders_person ON testing_retest_orders (person_id);
CREATE INDEX testing_retest_orders_commune ON testing_retest_orders (commune_code, status);

CREATE TABLE cases (
    id {{serial}},
    person_id BIGINT NOT NULL,
    sample_id BIGINT UNIQUE,            -- the positive sample that confirmed it
    status TEXT NOT NULL,               -- confirmed
    confirmed_at BIGINT NOT NULL,
    result_batch BIGINT,
    province_code TEXT NOT NULL,
    district_code TEXT NOT NULL,
    commune_code TEXT NOT NULL
);
CREATE INDEX cases_person ON cases (person_id);
CREATE INDEX cases_batch ON cases (result_batch);
CREATE INDEX cases_commune ON cases (commune_code, confirmed_at);

CREATE TABLE case_events (
    id {{serial}},
    case_id BIGINT NOT NULL REFERENCES cases (id),
    kind TEXT NOT NULL,                 -- confirmed
    at BIGINT NOT NULL,
    detail TEXT
);
CREATE INDEX case_events_case ON case_events (case_id, at);

CREATE TABLE testing_lookups (
    id {{serial}},
    client_ip TEXT NOT NULL,
    at BIGINT NOT NULL
);
CREATE INDEX testing_lookups_ip ON testing_lookups (client_ip, at);

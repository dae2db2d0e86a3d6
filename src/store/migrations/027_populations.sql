-- 027: populations by unit and age band, uploaded by officials (src/situation/).
-- band: all | 18 | 50 | 65 (people of that age and over).  A unit without a
-- row for a band has no known population for it: it is never guessed from
-- the parent or the children.
CREATE TABLE populations (
    unit_code TEXT NOT NULL,
    band TEXT NOT NULL,
    people BIGINT NOT NULL,
    updated_by BIGINT,
    updated_at BIGINT NOT NULL,
    PRIMARY KEY (unit_code, band)
);

-- Epidemic levels (1 green .. 4 red): the rules are data, one row (id 1)
-- holding JSON that national admins edit; none means the 2021 guidance
-- built into the code.  A province (or national) admin may raise a unit's
-- level for a span of days, with a reason; the computed level is never
-- lowered by it.
CREATE TABLE level_rules (
    id INTEGER PRIMARY KEY,
    rules TEXT NOT NULL,
    updated_by BIGINT,
    updated_at BIGINT NOT NULL
);

CREATE TABLE level_raises (
    id {{serial}},
    unit_code TEXT NOT NULL,
    level INTEGER NOT NULL,
    from_day BIGINT NOT NULL,       -- local days (UTC+7), inclusive
    to_day BIGINT NOT NULL,
    reason TEXT NOT NULL,
    raised_by BIGINT NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE INDEX level_raises_unit ON level_raises (unit_code, to_day);

-- The morning job's daily reports: one row per unit and day once its
-- officials' messages are queued, so a rerun or a second server never
-- queues them twice.
CREATE TABLE daily_reports (
    unit_code TEXT NOT NULL,
    day BIGINT NOT NULL,            -- local day (UTC+7)
    level INTEGER,
    new_f0 BIGINT NOT NULL,
    messages INTEGER NOT NULL,
    queued_at BIGINT NOT NULL,
    PRIMARY KEY (unit_code, day)
);

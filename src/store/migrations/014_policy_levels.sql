-- Policy by level: the national tracing/quarantine policy (tracing_policy,
-- one row) is set by national admins; a province admin may override it for
-- the province.  A place's policy in force is its province's override when
-- there is one, else the national row.
CREATE TABLE tracing_policy_provinces (
    province_code TEXT PRIMARY KEY,
    quarantine_days INTEGER NOT NULL,
    place_kind TEXT NOT NULL,
    checkins_per_day INTEGER NOT NULL,
    radius_m INTEGER NOT NULL,
    grace_minutes INTEGER NOT NULL,
    test_days TEXT NOT NULL,
    enabled INTEGER NOT NULL,
    window_days_before INTEGER NOT NULL,
    updated_at BIGINT NOT NULL
);

-- 012: quarantine orders (at home or in a centre), their daily check-ins
-- with a photo and the phone's location, and the alerts for the commune
-- health station.  Photos live in quarantine_photos (base64 of the JPEG or
-- PNG bytes) and are deleted by a job once the order has ended.

CREATE TABLE quarantine_orders (
    id {{serial}},
    client_id TEXT NOT NULL UNIQUE,
    person_id BIGINT NOT NULL,
    case_id BIGINT,                 -- the case that led to it, if any
    kind TEXT NOT NULL,             -- home | centre
    address TEXT,
    lat_e6 BIGINT,                  -- place, micro-degrees (NULL until set: no radius check)
    lon_e6 BIGINT,
    start_day BIGINT NOT NULL,      -- local days (UTC+7), inclusive
    end_day BIGINT NOT NULL,
    checkins_per_day INTEGER NOT NULL,
    radius_m INTEGER NOT NULL,
    grace_minutes INTEGER NOT NULL,
    status TEXT NOT NULL,           -- active | ended | cancelled
    province_code TEXT,             -- the person's home area (commune health station)
    district_code TEXT,
    commune_code TEXT,
    created_by BIGINT,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    photos_deleted_at BIGINT
);
CREATE INDEX quarantine_orders_person ON quarantine_orders (person_id, status);
CREATE INDEX quarantine_orders_commune ON quarantine_orders (commune_code, status);
CREATE INDEX quarantine_orders_district ON quarantine_orders (district_code, status);
CREATE INDEX quarantine_orders_province ON quarantine_orders (province_code, status);
CREATE INDEX quarantine_orders_status ON quarantine_orders (status, end_day);

CREATE TABLE quarantine_checkins (
    id {{serial}},
    client_id TEXT NOT NULL,
    order_id BIGINT NOT NULL REFERENCES quarantine_orders (id),
    slot_start BIGINT NOT NULL,     -- the scheduled slot it answers
    at BIGINT NOT NULL,
    lat_e6 BIGINT NOT NULL,
    lon_e6 BIGINT NOT NULL,
    accuracy_m INTEGER,
    distance_m INTEGER,             -- from the order's place; NULL when the place has no location
    inside INTEGER NOT NULL,        -- 1 inside the radius (or no place to compare), 0 outside
    UNIQUE (order_id, client_id)
);
CREATE INDEX quarantine_checkins_order ON quarantine_checkins (order_id, slot_start);

CREATE TABLE quarantine_photos (
    checkin_id BIGINT PRIMARY KEY REFERENCES quarantine_checkins (id),
    order_id BIGINT NOT NULL,
    media_type TEXT NOT NULL,       -- image/jpeg | image/png
    data TEXT NOT NULL              -- base64
);
CREATE INDEX quarantine_photos_order ON quarantine_photos (order_id);

CREATE TABLE quarantine_alerts (
    id {{serial}},
    order_id BIGINT NOT NULL REFERENCES quarantine_orders (id),
    person_id BIGINT NOT NULL,
    kind TEXT NOT NULL,             -- missed | outside
    slot_start BIGINT NOT NULL,
    detail TEXT,
    province_code TEXT,
    district_code TEXT,
    commune_code TEXT,
    created_at BIGINT NOT NULL,
    resolved_at BIGINT,
    UNIQUE (order_id, kind, slot_start)
);
CREATE INDEX quarantine_alerts_commune ON quarantine_alerts (commune_code, created_at);
CREATE INDEX quarantine_alerts_district ON quarantine_alerts (district_code, created_at);
CREATE INDEX quarantine_alerts_province ON quarantine_alerts (province_code, created_at);

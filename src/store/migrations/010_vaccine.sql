-- 010: vaccination: sites and their daily capacity per product, sessions,
-- registrations, appointments (invitations and bookings), on-site visits with
-- screening, doses, adverse events and certificates.
-- Products, intervals, mixing, priority groups and the screening checklist are
-- data (data/vaccine_products.json, data/priority_groups.json), not tables:
-- rows store the product and group codes.  Every located row carries
-- province_code, district_code, commune_code; `day` columns are local dates
-- (Asia/Ho_Chi_Minh, YYYY-MM-DD) so per-day counts are one GROUP BY.

CREATE TABLE vaccine_sites (
    id {{serial}},
    client_id TEXT UNIQUE,
    name TEXT NOT NULL,
    address TEXT,
    province_code TEXT NOT NULL,
    district_code TEXT NOT NULL,
    commune_code TEXT NOT NULL,
    created_by BIGINT,
    created_at BIGINT NOT NULL
);
CREATE INDEX vaccine_sites_province ON vaccine_sites (province_code);
CREATE INDEX vaccine_sites_district ON vaccine_sites (district_code);
CREATE INDEX vaccine_sites_commune ON vaccine_sites (commune_code);

CREATE TABLE vaccine_site_capacity (
    site_id BIGINT NOT NULL REFERENCES vaccine_sites (id),
    product TEXT NOT NULL,           -- product code from data/vaccine_products.json
    daily_capacity INTEGER NOT NULL, -- doses a day
    UNIQUE (site_id, product)
);

CREATE TABLE vaccine_sessions (
    id {{serial}},
    client_id TEXT UNIQUE,
    site_id BIGINT NOT NULL REFERENCES vaccine_sites (id),
    product TEXT NOT NULL,
    day TEXT NOT NULL,               -- YYYY-MM-DD, local
    starts_at BIGINT NOT NULL,
    ends_at BIGINT NOT NULL,
    capacity INTEGER NOT NULL,
    booked INTEGER NOT NULL DEFAULT 0, -- only ever changed by a conditional UPDATE (booked < capacity)
    province_code TEXT NOT NULL,
    district_code TEXT NOT NULL,
    commune_code TEXT NOT NULL,
    created_by BIGINT,
    created_at BIGINT NOT NULL
);
CREATE INDEX vaccine_sessions_site ON vaccine_sessions (site_id, day);
CREATE INDEX vaccine_sessions_province ON vaccine_sessions (province_code, day);
CREATE INDEX vaccine_sessions_district ON vaccine_sessions (district_code, day);
CREATE INDEX vaccine_sessions_commune ON vaccine_sessions (commune_code, day);

CREATE TABLE vaccine_registrations (
    id {{serial}},
    client_id TEXT UNIQUE,
    person_id BIGINT NOT NULL UNIQUE REFERENCES persons (id),
    priority_group TEXT NOT NULL,
    conditions TEXT NOT NULL DEFAULT '', -- comma-separated condition codes
    source TEXT NOT NULL,            -- self | staff | list
    age_years INTEGER,               -- at registration
    province_code TEXT,
    district_code TEXT,
    commune_code TEXT,
    created_by_account BIGINT,
    created_by_person BIGINT,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX vaccine_registrations_province ON vaccine_registrations (province_code);
CREATE INDEX vaccine_registrations_district ON vaccine_registrations (district_code);
CREATE INDEX vaccine_registrations_commune ON vaccine_registrations (commune_code);

CREATE TABLE vaccine_appointments (
    id {{serial}},
    client_id TEXT UNIQUE,
    person_id BIGINT NOT NULL REFERENCES persons (id),
    session_id BIGINT NOT NULL REFERENCES vaccine_sessions (id),
    dose_number INTEGER NOT NULL,
    status TEXT NOT NULL,            -- invited | confirmed | reschedule_requested | cancelled | attended
    active INTEGER NOT NULL,         -- 1 while it holds a seat (invited, confirmed)
    slot_start BIGINT NOT NULL,
    slot_end BIGINT NOT NULL,
    source TEXT NOT NULL,            -- invitation | booking
    province_code TEXT NOT NULL,     -- the site's area
    district_code TEXT NOT NULL,
    commune_code TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE UNIQUE INDEX vaccine_appointments_one_active ON vaccine_appointments (person_id) WHERE active = 1;
CREATE INDEX vaccine_appointments_person ON vaccine_appointments (person_id);
CREATE INDEX vaccine_appointments_session ON vaccine_appointments (session_id);

CREATE TABLE vaccine_visits (
    id {{serial}},
    client_id TEXT UNIQUE,
    person_id BIGINT NOT NULL REFERENCES persons (id),
    site_id BIGINT NOT NULL REFERENCES vaccine_sites (id),
    appointment_id BIGINT,
    day TEXT NOT NULL,
    checked_in_at BIGINT NOT NULL,
    method TEXT NOT NULL,            -- qr | person_id
    outcome TEXT NOT NULL,           -- pending | proceed | defer | refer | vaccinated
    reasons TEXT,                    -- screening reasons (JSON array of codes)
    answers TEXT,                    -- screening answers (JSON object)
    screened_by BIGINT,
    screened_at BIGINT,
    staff_id BIGINT,
    province_code TEXT NOT NULL,
    district_code TEXT NOT NULL,
    commune_code TEXT NOT NULL
);
CREATE INDEX vaccine_visits_person ON vaccine_visits (person_id);
CREATE INDEX vaccine_visits_site ON vaccine_visits (site_id, day);

CREATE TABLE vaccine_doses (
    id {{serial}},
    client_id TEXT UNIQUE,
    person_id BIGINT NOT NULL REFERENCES persons (id),
    dose_number INTEGER NOT NULL,
    product TEXT NOT NULL,
    lot TEXT NOT NULL,
    site_id BIGINT NOT NULL REFERENCES vaccine_sites (id),
    visit_id BIGINT,
    vaccinator_id BIGINT,
    vaccinator_name TEXT,
    administered_at BIGINT NOT NULL,
    day TEXT NOT NULL,
    observation_until BIGINT NOT NULL,
    next_earliest BIGINT NOT NULL,   -- earliest time of the next dose; 0: not known
    next_latest BIGINT NOT NULL,     -- latest advised time; 0: no bound
    completes INTEGER NOT NULL,      -- 1: this dose completes the primary series
    booster INTEGER NOT NULL,        -- 1: a dose beyond the primary series
    age_years INTEGER,
    age_group TEXT,
    priority_group TEXT,
    province_code TEXT,              -- the person's residence (coverage)
    district_code TEXT,
    commune_code TEXT,
    site_province_code TEXT NOT NULL, -- the site's area (doses per site)
    site_district_code TEXT NOT NULL,
    site_commune_code TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    UNIQUE (person_id, dose_number)
);
CREATE INDEX vaccine_doses_province ON vaccine_doses (province_code, day);
CREATE INDEX vaccine_doses_district ON vaccine_doses (district_code, day);
CREATE INDEX vaccine_doses_commune ON vaccine_doses (commune_code, day);
CREATE INDEX vaccine_doses_site ON vaccine_doses (site_id, day);
CREATE INDEX vaccine_doses_site_province ON vaccine_doses (site_province_code, day);

CREATE TABLE vaccine_adverse_events (
    id {{serial}},
    client_id TEXT UNIQUE,
    person_id BIGINT NOT NULL REFERENCES persons (id),
    dose_id BIGINT NOT NULL REFERENCES vaccine_doses (id),
    severity TEXT NOT NULL,          -- mild | moderate | severe | life_threatening | death
    description TEXT NOT NULL,
    onset_at BIGINT,
    source TEXT NOT NULL,            -- staff | citizen
    reported_by_account BIGINT,
    reported_by_person BIGINT,
    province_code TEXT NOT NULL,     -- the site's area of the dose
    district_code TEXT NOT NULL,
    commune_code TEXT NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE INDEX vaccine_adverse_person ON vaccine_adverse_events (person_id);
CREATE INDEX vaccine_adverse_province ON vaccine_adverse_events (province_code);
CREATE INDEX vaccine_adverse_district ON vaccine_adverse_events (district_code);
CREATE INDEX vaccine_adverse_commune ON vaccine_adverse_events (commune_code);

CREATE TABLE vaccine_certificates (
    id {{serial}},
    dose_id BIGINT NOT NULL UNIQUE REFERENCES vaccine_doses (id),
    person_id BIGINT NOT NULL REFERENCES persons (id),
    uvci TEXT NOT NULL UNIQUE,       -- URN:UVCI:01:VN:...
    hc1 TEXT NOT NULL,
    kid TEXT NOT NULL,
    issued_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL
);
CREATE INDEX vaccine_certificates_person ON vaccine_certificates (person_id);

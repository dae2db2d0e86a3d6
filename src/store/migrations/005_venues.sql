-- 005: venues (shops, markets, schools, offices...) registered by venue owners
-- and approved by the officials of their area.  The code is the public id
-- printed in the poster's QR URL (8 characters of Crockford base32).

CREATE TABLE venues (
    id {{serial}},
    code TEXT NOT NULL UNIQUE,
    client_id TEXT UNIQUE,          -- optional client-generated id: a retried registration is not duplicated
    name TEXT NOT NULL,
    type TEXT NOT NULL,
    street TEXT NOT NULL,
    capacity BIGINT NOT NULL,
    status TEXT NOT NULL,           -- pending, approved, rejected
    owner_account_id BIGINT NOT NULL REFERENCES accounts (id),
    province_code TEXT NOT NULL,    -- ancestors of commune_code, for area filters by index
    district_code TEXT NOT NULL,
    commune_code TEXT NOT NULL REFERENCES units (code),
    reviewed_by BIGINT,
    reviewed_at BIGINT,
    reject_reason TEXT,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX venues_owner ON venues (owner_account_id);
CREATE INDEX venues_province ON venues (province_code, status);
CREATE INDEX venues_district ON venues (district_code, status);
CREATE INDEX venues_commune ON venues (commune_code, status);

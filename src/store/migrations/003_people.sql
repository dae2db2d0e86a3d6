-- 003: persons, the family members a citizen manages, and one-time sign-in codes.

CREATE TABLE persons (
    id {{serial}},
    code TEXT NOT NULL UNIQUE,      -- public id in QR codes: 10 characters of Crockford base32
    full_name TEXT,                 -- NULL until a citizen completes the profile
    name_search TEXT,               -- text_fold(full_name): lower case ASCII, no diacritics
    date_of_birth TEXT,             -- YYYY-MM-DD
    sex TEXT,                       -- male | female | other
    phone TEXT,                     -- 0xxxxxxxxx; several persons may share one (a family phone)
    signin_phone TEXT UNIQUE,       -- the phone this person signs in with (citizens only)
    cccd TEXT UNIQUE,               -- 12 digits
    cmnd TEXT UNIQUE,               -- 9 digits
    bhyt TEXT UNIQUE,               -- 15 characters, upper case
    province_code TEXT,             -- ancestors of commune_code, for area filters by index
    district_code TEXT,
    commune_code TEXT,
    street TEXT,
    household_id BIGINT,            -- id of the person whose household this is; NULL: none
    qr_serial BIGINT NOT NULL DEFAULT 1, -- bumped to revoke printed personal QR codes
    client_id TEXT UNIQUE,          -- client-generated id of the request that created it (retries)
    created_by BIGINT,              -- staff account, or NULL
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX persons_province ON persons (province_code);
CREATE INDEX persons_district ON persons (district_code);
CREATE INDEX persons_commune ON persons (commune_code);
CREATE INDEX persons_phone ON persons (phone);
CREATE INDEX persons_household ON persons (household_id);

CREATE TABLE person_managers (
    person_id BIGINT NOT NULL REFERENCES persons (id),
    manager_person_id BIGINT NOT NULL REFERENCES persons (id),
    created_at BIGINT NOT NULL,
    UNIQUE (person_id, manager_person_id)
);
CREATE UNIQUE INDEX person_managers_one ON person_managers (person_id); -- one manager per member
CREATE INDEX person_managers_manager ON person_managers (manager_person_id);

CREATE TABLE otp_codes (
    id {{serial}},
    phone TEXT NOT NULL,
    code_hash TEXT NOT NULL,        -- SHA-256 of "phone:code"; the code itself is never stored
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0, -- wrong codes tried while this one was live
    used_at BIGINT,
    voided_at BIGINT
);
CREATE INDEX otp_codes_phone ON otp_codes (phone, created_at);

-- 001: administrative units, staff accounts, sessions, failed-login window, audit log.
-- Portable SQL: integer epoch seconds, TEXT and BIGINT only; {{serial}} is an
-- auto-numbered primary key, spelled by each driver.

CREATE TABLE units (
    code TEXT PRIMARY KEY,          -- GSO code: 2 digits province, 3 district, 5 commune; 'VN' the nation
    parent_code TEXT,
    level INTEGER NOT NULL,         -- 0 nation, 1 province, 2 district, 3 commune/ward
    type TEXT NOT NULL,
    name TEXT NOT NULL,
    name_with_type TEXT NOT NULL,
    name_search TEXT NOT NULL,      -- folded: lower case, no diacritics
    province_code TEXT,
    district_code TEXT
);
CREATE INDEX units_parent ON units (parent_code);

CREATE TABLE accounts (
    id {{serial}},
    username TEXT NOT NULL UNIQUE,
    password_hash TEXT NOT NULL,    -- Argon2id, libsodium string format
    full_name TEXT NOT NULL,
    role TEXT NOT NULL,
    unit_code TEXT NOT NULL REFERENCES units (code),
    province_code TEXT,             -- ancestors of unit_code, for scoped lookups by index
    district_code TEXT,
    commune_code TEXT,
    phone TEXT,
    disabled INTEGER NOT NULL DEFAULT 0,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    created_by BIGINT
);
CREATE INDEX accounts_province ON accounts (province_code);
CREATE INDEX accounts_district ON accounts (district_code);
CREATE INDEX accounts_commune ON accounts (commune_code);

CREATE TABLE sessions (
    id {{serial}},
    token_hash TEXT NOT NULL UNIQUE, -- SHA-256 of the token; the token itself is never stored
    account_id BIGINT REFERENCES accounts (id), -- staff session
    person_id BIGINT,                           -- citizen session (people domain)
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    revoked_at BIGINT
);
CREATE INDEX sessions_account ON sessions (account_id);
CREATE INDEX sessions_person ON sessions (person_id);

CREATE TABLE login_attempts (
    id {{serial}},
    username TEXT NOT NULL,
    at BIGINT NOT NULL
);
CREATE INDEX login_attempts_user ON login_attempts (username, at);

CREATE TABLE audit_log (
    id {{serial}},
    at BIGINT NOT NULL,
    actor_id BIGINT,
    actor_username TEXT,
    action TEXT NOT NULL,
    subject_type TEXT NOT NULL,
    subject_id TEXT,
    unit_code TEXT,
    province_code TEXT,
    district_code TEXT,
    commune_code TEXT,
    request_id TEXT
);
CREATE INDEX audit_province ON audit_log (province_code, at);
CREATE INDEX audit_district ON audit_log (district_code, at);
CREATE INDEX audit_commune ON audit_log (commune_code, at);
CREATE INDEX audit_at ON audit_log (at);

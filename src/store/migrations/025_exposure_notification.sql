-- 025: exposure notification (src/en/).  Verification codes issued for
-- confirmed cases, kept only as digests (the short code also sealed under the
-- key-encryption key, for the person's own result page while it is valid);
-- the one-time tokens and certificates of the verification flow; failed
-- code attempts per address (the rate limit); and the diagnosis keys phones
-- upload, stored with no address or other identifier, dated by the hour.

CREATE TABLE en_codes (
    id {{serial}},
    code_digest TEXT NOT NULL UNIQUE,   -- SHA-256 hex of the 8-digit code
    long_digest TEXT NOT NULL UNIQUE,   -- SHA-256 hex of the long code for links
    code_sealed TEXT,                   -- the short code sealed (core/kek.h); NULL once used or expired
    kek_id TEXT,
    case_id BIGINT NOT NULL,
    person_id BIGINT NOT NULL,
    test_date TEXT NOT NULL,            -- YYYY-MM-DD, Vietnam's day of the sample
    report_type TEXT NOT NULL,          -- confirmed
    issued_by BIGINT,                   -- the account; NULL when a result issued it
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,         -- the short code: 1 hour
    long_expires_at BIGINT NOT NULL,    -- the long code: 24 hours
    used_at BIGINT
);
CREATE INDEX en_codes_person ON en_codes (person_id, id);
CREATE INDEX en_codes_case ON en_codes (case_id);

CREATE TABLE en_tokens (
    id {{serial}},
    digest TEXT NOT NULL UNIQUE,        -- SHA-256 hex of the token or certificate
    kind TEXT NOT NULL,                 -- token | certificate
    test_date TEXT NOT NULL,
    report_type TEXT NOT NULL,
    ekeyhmac TEXT,                      -- certificate: the HMAC of the keys it allows
    expires_at BIGINT NOT NULL,
    used_at BIGINT
);

CREATE TABLE en_verify_failures (
    id {{serial}},
    client_ip TEXT NOT NULL,
    at BIGINT NOT NULL
);
CREATE INDEX en_verify_failures_ip ON en_verify_failures (client_ip, at);

CREATE TABLE en_keys (
    id {{serial}},
    key_data TEXT NOT NULL UNIQUE,      -- base64 of the 16 bytes
    rolling_start BIGINT NOT NULL,      -- ENIntervalNumber
    rolling_period INTEGER NOT NULL,
    transmission_risk INTEGER NOT NULL,
    report_type INTEGER NOT NULL,       -- 1 confirmed test, as the GAEN export enum
    days_since_onset INTEGER,
    created_at BIGINT NOT NULL,         -- the hour of the upload
    revised_report_type INTEGER,
    revised_at BIGINT
);
CREATE INDEX en_keys_created ON en_keys (created_at);

-- The key that signs export files (ECDSA P-256), sealed like the other
-- signing keys; the highest version signs, older ones stay listed.
CREATE TABLE en_signing_keys (
    version INTEGER PRIMARY KEY,
    private_key TEXT NOT NULL,          -- PKCS#8 PEM, sealed (core/kek.h)
    kek_id TEXT,
    public_key TEXT NOT NULL,           -- SubjectPublicKeyInfo PEM, what apps verify with
    created_at BIGINT NOT NULL
);

-- Export files written: the hour range of upload they cover, and where they are.
CREATE TABLE en_exports (
    id {{serial}},
    filename TEXT NOT NULL UNIQUE,
    start_ts BIGINT NOT NULL,
    end_ts BIGINT NOT NULL,
    batch_num INTEGER NOT NULL,
    batch_size INTEGER NOT NULL,
    keys INTEGER NOT NULL,              -- real keys, fake ones not counted
    signing_version INTEGER NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE INDEX en_exports_end ON en_exports (end_ts);

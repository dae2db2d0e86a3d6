-- 013: registration lists uploaded by communes and employers (CSV or XLSX).
-- The check step stores the valid rows (JSON text) under a token; the apply
-- step records every person and registration of the batch in one
-- transaction, or nothing, and then forgets the rows.

CREATE TABLE vaccine_upload_batches (
    id {{serial}},
    token TEXT NOT NULL UNIQUE,         -- named by the apply step
    status TEXT NOT NULL,               -- checked | applied
    account_id BIGINT NOT NULL,         -- who checked it
    unit_code TEXT NOT NULL,            -- that account's unit: who may apply it
    format TEXT NOT NULL,               -- csv | xlsx
    rows_total INTEGER NOT NULL,
    rows_valid INTEGER NOT NULL,
    rows_bad INTEGER NOT NULL,
    rows_text TEXT,                     -- valid rows as a JSON array; NULL once applied
    registered INTEGER NOT NULL DEFAULT 0,      -- figures of the apply
    people_created INTEGER NOT NULL DEFAULT 0,
    people_matched INTEGER NOT NULL DEFAULT 0,
    created_at BIGINT NOT NULL,
    applied_by BIGINT,
    applied_at BIGINT
);

-- A registration from a list remembers its batch and the employer the list named.
ALTER TABLE vaccine_registrations ADD COLUMN upload_batch BIGINT;
ALTER TABLE vaccine_registrations ADD COLUMN employer TEXT;

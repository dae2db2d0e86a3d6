-- 017: one person, one record.  A merged record points at the record it was
-- merged into (its id and code keep resolving there); each merge remembers
-- what it moved, so it can be undone.  Family links to an existing person
-- wait for proof: a code sent to that person's phone, or commune staff.

ALTER TABLE persons ADD COLUMN merged_into BIGINT; -- NULL: a live record
CREATE INDEX persons_merged_into ON persons (merged_into);

CREATE TABLE person_merges (
    id {{serial}},
    keep_id BIGINT NOT NULL,
    merge_id BIGINT NOT NULL,
    reason TEXT NOT NULL,           -- staff | claim (a citizen's sign-in claimed a walk-in record)
    moved_fields TEXT NOT NULL,     -- person columns the kept record took from the merged one, comma-separated
    client_id TEXT UNIQUE,          -- staff retries
    created_by BIGINT,              -- staff account, or NULL for a claim
    created_at BIGINT NOT NULL,
    undone_by BIGINT,
    undone_at BIGINT
);
CREATE INDEX person_merges_merge ON person_merges (merge_id);

-- One row per row a merge moved: which table and column, and the row's key
-- (its id; for person_managers the other person of the link).
CREATE TABLE person_merge_moves (
    merge_ref BIGINT NOT NULL,
    table_name TEXT NOT NULL,
    column_name TEXT NOT NULL,
    row_key BIGINT NOT NULL
);
CREATE INDEX person_merge_moves_merge ON person_merge_moves (merge_ref);

CREATE TABLE family_link_requests (
    id {{serial}},
    person_id BIGINT NOT NULL,      -- the existing person to be linked
    manager_person_id BIGINT NOT NULL, -- the citizen asking
    proof TEXT NOT NULL,            -- code_sent | staff_approval
    phone TEXT,                     -- where the code went (code_sent)
    code_hash TEXT,                 -- SHA-256 of "phone:code"; the code itself is never stored
    attempts INTEGER NOT NULL DEFAULT 0,
    commune_code TEXT,              -- the person's commune: whose staff approve
    status TEXT NOT NULL,           -- pending | linked | refused | void
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,     -- the code's end (code_sent); staff requests wait longer
    decided_by BIGINT,              -- staff account (staff_approval)
    decided_at BIGINT
);
CREATE INDEX family_link_requests_manager ON family_link_requests (manager_person_id, status);
CREATE INDEX family_link_requests_commune ON family_link_requests (commune_code, status);
CREATE INDEX family_link_requests_phone ON family_link_requests (phone, created_at);

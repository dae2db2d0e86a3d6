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

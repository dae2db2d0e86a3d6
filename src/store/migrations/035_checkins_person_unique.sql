-- 035: two fewer indexes on check-ins, the table every person writes several times a day.
-- Each index a check-in lands in at a random place costs the writer a page written to the
-- WAL at every commit; the writer's time went mostly to those writes (issue 13).
--   - The uniqueness that makes a client's retry idempotent is kept as (person_id,
--     client_id) instead of (client_id, person_id): the same constraint, and it serves a
--     person's check-ins as well, so checkins_person goes.
--   - checkins_commune goes: a commune's report reads its venues' check-ins through
--     checkins_venue (checkin_store.c, checkin_report), and the situation counts check-ins by commune
--     as they are written.
-- A constraint cannot be changed in place on SQLite: the table is made again and its rows
-- copied with their ids, and the next id is the one the old table would have given.
ALTER TABLE checkins RENAME TO checkins_before_035;
CREATE TABLE checkins (
    id {{serial}},
    client_id TEXT NOT NULL,
    venue_id BIGINT NOT NULL,
    person_id BIGINT NOT NULL,
    checked_in_at BIGINT NOT NULL,
    checked_out_at BIGINT,
    method TEXT NOT NULL,
    province_code TEXT,
    district_code TEXT,
    commune_code TEXT,
    created_by_account BIGINT,
    created_by_person BIGINT,
    UNIQUE (person_id, client_id)
);
INSERT INTO checkins (id, client_id, venue_id, person_id, checked_in_at, checked_out_at, method, province_code,
                      district_code, commune_code, created_by_account, created_by_person)
    SELECT id, client_id, venue_id, person_id, checked_in_at, checked_out_at, method, province_code,
           district_code, commune_code, created_by_account, created_by_person
    FROM checkins_before_035 ORDER BY id;
{{carry_serial checkins_before_035 checkins}}
DROP TABLE checkins_before_035;
CREATE INDEX checkins_venue ON checkins (venue_id, checked_in_at);
CREATE INDEX checkins_at ON checkins (checked_in_at);

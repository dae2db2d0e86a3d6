-- 023: reminders of a next vaccine dose, one per person per due day, so
-- that asking for the reminders of a day twice never texts anyone twice
-- (src/vaccine/due.c).  due_day is the local day of the last dose's
-- next_earliest; dose_number is the dose the person is due for.

CREATE TABLE vaccine_reminders (
    id {{serial}},
    person_id BIGINT NOT NULL REFERENCES persons (id),
    dose_number INTEGER NOT NULL,
    due_day TEXT NOT NULL,
    outbox_id BIGINT,
    province_code TEXT,              -- the person's residence
    district_code TEXT,
    commune_code TEXT,
    created_by BIGINT,
    created_at BIGINT NOT NULL,
    UNIQUE (person_id, due_day)
);
CREATE INDEX vaccine_reminders_dose ON vaccine_reminders (person_id, dose_number);

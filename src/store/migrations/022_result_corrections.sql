-- 022: results corrected by the lab.  A correction names its reason and is
-- kept here with what it withdrew.  An outbox message names what caused it
-- (testing_sample:ID, quarantine_order:ID) so that a correction can withdraw
-- the unsent messages of what it withdraws.

ALTER TABLE outbox ADD COLUMN cause TEXT;
CREATE INDEX outbox_cause ON outbox (cause);

CREATE TABLE testing_result_corrections (
    id {{serial}},
    tube_id BIGINT NOT NULL REFERENCES testing_tubes (id),
    old_result TEXT NOT NULL,           -- positive | negative | invalid
    new_result TEXT NOT NULL,
    reason TEXT NOT NULL,
    account_id BIGINT NOT NULL,         -- the lab account
    batch_id BIGINT NOT NULL,           -- testing_result_batches.id (kind 'correction') of the new result
    cases_withdrawn INTEGER NOT NULL,
    contacts_withdrawn INTEGER NOT NULL, -- not yet reached
    orders_withdrawn INTEGER NOT NULL,   -- quarantine orders without a check-in, pending test orders, open retests
    messages_withdrawn INTEGER NOT NULL, -- unsent outbox rows
    kept INTEGER NOT NULL,               -- contacts and orders someone had acted on
    created_at BIGINT NOT NULL
);
CREATE INDEX testing_result_corrections_tube ON testing_result_corrections (tube_id, id);

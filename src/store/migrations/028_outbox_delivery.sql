-- 028: delivery of the outbox.  Additive only: a status per message, when it
-- may next be tried, the claim a sender holds on it while it sends, and what
-- the gateway answered.  Priority is not stored: it follows from the kind
-- (notify/sender.c), so every producer gets it right.

ALTER TABLE outbox ADD COLUMN status TEXT NOT NULL DEFAULT 'queued'; -- queued | sending | sent | delivered | failed
ALTER TABLE outbox ADD COLUMN next_attempt_at BIGINT NOT NULL DEFAULT 0; -- not tried before this (backoff)
ALTER TABLE outbox ADD COLUMN claimed_until BIGINT;  -- a sender's claim; a row past it was abandoned
ALTER TABLE outbox ADD COLUMN delivered_at BIGINT;   -- the gateway's receipt said delivered
ALTER TABLE outbox ADD COLUMN gateway_ref TEXT;      -- the gateway's own id of the message

UPDATE outbox SET status = 'sent' WHERE sent_at IS NOT NULL;
UPDATE outbox SET status = 'failed' WHERE failed_at IS NOT NULL;
CREATE INDEX outbox_due ON outbox (channel, status, next_attempt_at);
CREATE INDEX outbox_gateway_ref ON outbox (gateway_ref);

-- Phones whose owner declined non-essential messages (invitations, reminders): such messages
-- are not queued for them.  Sign-in codes, results, alerts and quarantine duties always go.
CREATE TABLE notify_optout (
    phone TEXT PRIMARY KEY,
    created_at BIGINT NOT NULL
);

-- Message texts national admins changed from the shipped ones (notify/template.c), per kind.
CREATE TABLE notify_templates (
    kind TEXT PRIMARY KEY,
    body_vi TEXT NOT NULL,
    body_en TEXT NOT NULL,
    updated_at BIGINT NOT NULL,
    updated_by BIGINT
);

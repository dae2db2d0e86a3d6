-- 002: the notification outbox and the state of background jobs.

CREATE TABLE outbox (
    id {{serial}},
    channel TEXT NOT NULL,      -- sms
    recipient TEXT NOT NULL,    -- phone number
    kind TEXT NOT NULL,         -- otp, result, reminder, ...
    body TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    sent_at BIGINT,
    attempts INTEGER NOT NULL DEFAULT 0,
    last_error TEXT
);
CREATE INDEX outbox_pending ON outbox (sent_at, id);
CREATE INDEX outbox_recipient ON outbox (recipient, id);

CREATE TABLE job_runs (
    name TEXT PRIMARY KEY,
    last_run_at BIGINT NOT NULL,
    last_status TEXT NOT NULL,  -- ok | error
    last_detail TEXT
);

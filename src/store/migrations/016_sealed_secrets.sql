-- 016: secrets sealed under the key-encryption key (src/core/kek.h), which
-- never enters the database.  kek_id names the KEK a value is sealed under;
-- NULL marks a value written before this migration, still in clear until
-- `cordon migrate` or `cordon serve` runs with a KEK and seals it.

ALTER TABLE signing_keys ADD COLUMN kek_id TEXT;  -- secret_key: sealed base64url text
ALTER TABLE dcc_keys ADD COLUMN kek_id TEXT;      -- private_key: sealed PEM

-- The outbox keeps a masked text; the part a sender fills in (a one-time
-- code) is sealed in secret and rendered only for the sender.
ALTER TABLE outbox ADD COLUMN secret TEXT;
ALTER TABLE outbox ADD COLUMN kek_id TEXT;
ALTER TABLE outbox ADD COLUMN expires_at BIGINT;  -- worthless after this (a code's TTL): deleted unsent
ALTER TABLE outbox ADD COLUMN failed_at BIGINT;   -- the sender gave up on it
CREATE INDEX outbox_expiry ON outbox (expires_at);

-- Codes queued before this migration were stored readable; they are
-- short-lived, so masking them loses nothing but a few minutes of validity.
UPDATE outbox SET body = 'Mã xác thực Cordon: ******' WHERE kind = 'otp';

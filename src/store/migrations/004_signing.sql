-- 004: the Ed25519 keys that sign QR payloads (personal cards, declarations,
-- venue posters).  Public and secret keys are base64url without padding.
-- The first signature made on a database creates kid "k1"; every server over
-- the same database then signs with that key.

CREATE TABLE signing_keys (
    kid TEXT PRIMARY KEY,
    alg TEXT NOT NULL,          -- Ed25519
    public_key TEXT NOT NULL,   -- 32 bytes, base64url
    secret_key TEXT NOT NULL,   -- 64 bytes (libsodium seed + public key), base64url
    created_at BIGINT NOT NULL
);

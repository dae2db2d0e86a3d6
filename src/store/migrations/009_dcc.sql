-- 009: the keys that sign EU Digital COVID Certificates (ES256, P-256).
-- The highest generation signs; the first certificate issued on a database
-- creates generation 1, and every server over the same database then signs
-- with it.  Older generations stay so their certificates keep verifying.

CREATE TABLE dcc_keys (
    kid TEXT PRIMARY KEY,               -- base64 of the first 8 bytes of SHA-256(certificate DER)
    generation INTEGER NOT NULL UNIQUE, -- 1, 2, ...: the highest is the signing key
    alg TEXT NOT NULL,                  -- ES256
    country TEXT NOT NULL,              -- C= of the certificate, iss of the certificates
    private_key TEXT NOT NULL,          -- PKCS#8 PEM
    certificate TEXT NOT NULL,          -- X.509 PEM, self-signed
    created_at BIGINT NOT NULL
);

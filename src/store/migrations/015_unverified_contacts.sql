-- Anonymous check-ins (a phone and a name typed on the poster page) prove
-- nothing about who checked in.  They never attach to a verified citizen or
-- a registered record: they go to an unverified contact of that phone and
-- name, until that phone signs in.  Tracing marks contacts that are such
-- records, and the policy gives them no orders until a tracer confirms.
ALTER TABLE persons ADD COLUMN unverified INTEGER NOT NULL DEFAULT 0;
ALTER TABLE tracing_contacts ADD COLUMN unverified INTEGER NOT NULL DEFAULT 0;

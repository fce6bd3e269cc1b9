-- Who may declare for whom, a batch's request hash, and a bound on a line's amount (sqlite;
-- paired with migrations/postgres/0008_declaration_senders.sql). Every column is classified in
-- crates/domain/src/privacy/registry.rs.

-- The practices a billing intermediary bills for: it may declare only for their providers.
CREATE TABLE intermediary_practice (
    billing_intermediary_id BLOB NOT NULL REFERENCES billing_intermediary (billing_intermediary_id),
    practice_id BLOB NOT NULL REFERENCES practice (practice_id),
    created_at_ms INTEGER NOT NULL,
    PRIMARY KEY (billing_intermediary_id, practice_id)
) STRICT;

-- The SHA-256 of an API or FHIR request's canonical form, stored with its idempotency key: a
-- replay answers the stored batch only for the same request. Batches stored before this
-- column have none, and a replay of their key is refused as another request.
ALTER TABLE declaration_batch ADD COLUMN request_hash BLOB;

-- The largest amount (in absolute value) one declaration line may carry: a product term.
ALTER TABLE product_terms_version ADD COLUMN declaration_line_cents_max INTEGER NOT NULL DEFAULT 1000000;

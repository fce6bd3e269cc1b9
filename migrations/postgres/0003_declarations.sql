-- Declarations, adjudication outcomes, API clients and payouts (PostgreSQL).
-- Paired with migrations/sqlite/0003_declarations.sql; every column is classified in
-- crates/domain/src/privacy/registry.rs.

-- Fraud-signal parameters are product terms like the others (versioned by valid-from date).
ALTER TABLE product_terms_version ADD COLUMN fraud_near_duplicate_days BIGINT NOT NULL DEFAULT 3;
ALTER TABLE product_terms_version ADD COLUMN fraud_providers_per_day_max BIGINT NOT NULL DEFAULT 2;
ALTER TABLE product_terms_version ADD COLUMN fraud_first_month_cents_min BIGINT NOT NULL DEFAULT 25000;

-- A billing intermediary (service bureau) is named in MZ301 files by its AGB-like code.
ALTER TABLE billing_intermediary ADD COLUMN agb_code TEXT;
CREATE UNIQUE INDEX billing_intermediary_agb ON billing_intermediary (agb_code);

-- A practice or billing intermediary that calls the API; only the token's hash is kept.
CREATE TABLE api_client (
    api_client_id UUID NOT NULL PRIMARY KEY,
    practice_id UUID REFERENCES practice (practice_id),
    billing_intermediary_id UUID REFERENCES billing_intermediary (billing_intermediary_id),
    label TEXT NOT NULL,
    token_hash BYTEA NOT NULL UNIQUE,
    active BOOLEAN NOT NULL,
    created_at_ms BIGINT NOT NULL,
    updated_at_ms BIGINT NOT NULL,
    CHECK ((practice_id IS NULL) <> (billing_intermediary_id IS NULL))
);

-- One file or API call: all its lines are committed together or not at all.
CREATE TABLE declaration_batch (
    declaration_batch_id UUID NOT NULL PRIMARY KEY,
    channel TEXT NOT NULL CHECK (channel IN ('mz301', 'api', 'fhir')),
    content_hash BYTEA UNIQUE,
    api_client_id UUID REFERENCES api_client (api_client_id),
    idempotency_key TEXT,
    payee_id UUID NOT NULL REFERENCES payee (payee_id),
    sender_reference TEXT NOT NULL,
    received_on DATE NOT NULL,
    line_count BIGINT NOT NULL,
    declared_cents BIGINT NOT NULL,
    assigned_cents BIGINT NOT NULL,
    return_file_name TEXT,
    created_at_ms BIGINT NOT NULL,
    UNIQUE (api_client_id, idempotency_key)
);

-- One declaration line with its outcome. Element and surface are '' when not given. Rejected
-- lines do not take a reference.
CREATE TABLE declaration_line (
    declaration_line_id UUID NOT NULL PRIMARY KEY,
    declaration_batch_id UUID NOT NULL REFERENCES declaration_batch (declaration_batch_id),
    line_number BIGINT NOT NULL,
    record_number BIGINT,
    participant_id UUID REFERENCES participant (participant_id),
    provider_agb TEXT NOT NULL,
    practice_agb TEXT,
    reference TEXT NOT NULL,
    previous_reference TEXT,
    treatment_date DATE NOT NULL,
    code TEXT NOT NULL,
    element TEXT NOT NULL,
    surface TEXT NOT NULL,
    cost_kind TEXT NOT NULL CHECK (cost_kind IN ('honorarium', 'material')),
    quantity BIGINT NOT NULL,
    unit_tariff_cents BIGINT NOT NULL,
    amount_cents BIGINT NOT NULL,
    accident BOOLEAN NOT NULL,
    outcome TEXT NOT NULL CHECK (outcome IN ('accepted', 'partly_accepted', 'held', 'rejected')),
    reasons TEXT NOT NULL,
    budget_paid_cents BIGINT NOT NULL,
    own_payment_cents BIGINT NOT NULL,
    credited BOOLEAN NOT NULL,
    payee_id UUID NOT NULL REFERENCES payee (payee_id),
    payout_id UUID,
    created_at_ms BIGINT NOT NULL,
    updated_at_ms BIGINT NOT NULL,
    UNIQUE (declaration_batch_id, line_number)
);
CREATE UNIQUE INDEX declaration_line_reference ON declaration_line (provider_agb, reference)
    WHERE outcome <> 'rejected';
-- A participant's earlier lines, for duplicates and fraud signals. Duplicate treatments are
-- found by adjudication, which runs under the ledger's head lock, one batch at a time.
CREATE INDEX declaration_line_participant ON declaration_line (participant_id, treatment_date)
    WHERE outcome <> 'rejected';
CREATE INDEX declaration_line_payee_unpaid ON declaration_line (payee_id) WHERE payout_id IS NULL;

-- A payout run: one pain.001 file, one credit transfer per payee.
CREATE TABLE payout_run (
    payout_run_id UUID NOT NULL PRIMARY KEY,
    payout_date DATE NOT NULL UNIQUE,
    message_id TEXT NOT NULL UNIQUE,
    transactions BIGINT NOT NULL,
    control_sum_cents BIGINT NOT NULL,
    created_at_ms BIGINT NOT NULL
);

CREATE TABLE payout (
    payout_id UUID NOT NULL PRIMARY KEY,
    payout_run_id UUID NOT NULL REFERENCES payout_run (payout_run_id),
    payee_id UUID NOT NULL REFERENCES payee (payee_id),
    end_to_end_id TEXT NOT NULL UNIQUE,
    amount_cents BIGINT NOT NULL CHECK (amount_cents > 0),
    creditor_iban TEXT NOT NULL,
    creditor_name TEXT NOT NULL,
    remittance TEXT NOT NULL,
    payout_status TEXT NOT NULL CHECK (payout_status IN ('sent', 'settled', 'returned')),
    created_at_ms BIGINT NOT NULL,
    updated_at_ms BIGINT NOT NULL,
    UNIQUE (payout_run_id, payee_id)
);

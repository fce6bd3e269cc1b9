-- Foundation schema (PostgreSQL). Paired with migrations/sqlite/0001_foundation.sql.
-- Every column is classified in crates/domain/src/privacy/registry.rs; a test compares them.
-- Instants are BIGINT unix milliseconds (*_at_ms), dates are DATE, money is cents.

CREATE TABLE product_terms_version (
    valid_from DATE NOT NULL PRIMARY KEY,
    fee_cents_monthly_main BIGINT NOT NULL CHECK (fee_cents_monthly_main >= 0),
    fee_cents_monthly_further_adult BIGINT NOT NULL CHECK (fee_cents_monthly_further_adult >= 0),
    fee_cents_monthly_child BIGINT NOT NULL CHECK (fee_cents_monthly_child >= 0),
    child_age_years_below BIGINT NOT NULL,
    saving_cents_monthly_min BIGINT NOT NULL,
    saving_cents_monthly_max BIGINT NOT NULL,
    credit_line_cents_cap BIGINT NOT NULL CHECK (credit_line_cents_cap >= 0),
    collection_day TEXT NOT NULL,
    first_collection_sequence_frst BOOLEAN NOT NULL,
    yearly_checkup_code TEXT NOT NULL,
    yearly_checkup_deduction BOOLEAN NOT NULL,
    budget_change_upward_any_time BOOLEAN NOT NULL,
    budget_change_per_year_max BIGINT NOT NULL,
    termination_notice_months BIGINT NOT NULL,
    declarations_after_end_months BIGINT NOT NULL,
    start_date_months_ahead_max BIGINT NOT NULL,
    late_submission_months BIGINT NOT NULL,
    accident_cover_cents_max BIGINT NOT NULL,
    accident_cover_percent BIGINT NOT NULL,
    accident_report_months_max BIGINT NOT NULL,
    accident_treatment_years_max BIGINT NOT NULL,
    complaint_answer_weeks BIGINT NOT NULL,
    technical_data_retention_days BIGINT NOT NULL,
    created_at_ms BIGINT NOT NULL
);

CREATE TABLE tariff_code (
    code TEXT NOT NULL PRIMARY KEY,
    code_group TEXT NOT NULL,
    description TEXT NOT NULL,
    points_hundredths BIGINT NOT NULL CHECK (points_hundredths >= 0),
    unit TEXT NOT NULL
);

CREATE TABLE point_value (
    year BIGINT NOT NULL PRIMARY KEY,
    eur_ten_thousandths BIGINT NOT NULL CHECK (eur_ten_thousandths > 0),
    basis TEXT NOT NULL
);

CREATE TABLE contract (
    contract_id UUID NOT NULL PRIMARY KEY,
    contract_status TEXT NOT NULL CHECK (contract_status IN ('active', 'ended')),
    start_date DATE NOT NULL,
    end_date DATE,
    iban TEXT NOT NULL,
    account_holder TEXT NOT NULL,
    created_at_ms BIGINT NOT NULL,
    updated_at_ms BIGINT NOT NULL
);

CREATE TABLE practice (
    practice_id UUID NOT NULL PRIMARY KEY,
    agb_code TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    city TEXT NOT NULL,
    created_at_ms BIGINT NOT NULL,
    updated_at_ms BIGINT NOT NULL
);

CREATE TABLE participant (
    participant_id UUID NOT NULL PRIMARY KEY,
    contract_id UUID NOT NULL REFERENCES contract (contract_id),
    participant_number TEXT NOT NULL UNIQUE,
    household_role TEXT NOT NULL CHECK (household_role IN ('main', 'partner', 'child')),
    first_names TEXT NOT NULL,
    initials TEXT NOT NULL,
    surname_prefix TEXT NOT NULL,
    surname TEXT NOT NULL,
    date_of_birth DATE NOT NULL,
    gender TEXT NOT NULL CHECK (gender IN ('female', 'male', 'other', 'unknown')),
    street TEXT NOT NULL,
    house_number BIGINT NOT NULL,
    house_number_addition TEXT NOT NULL,
    postcode TEXT NOT NULL,
    city TEXT NOT NULL,
    email TEXT,
    phone TEXT,
    bsn_ciphertext BYTEA,
    bsn_blind_index BYTEA UNIQUE,
    annual_budget_cents BIGINT NOT NULL CHECK (annual_budget_cents >= 0),
    practice_id UUID REFERENCES practice (practice_id),
    created_at_ms BIGINT NOT NULL,
    updated_at_ms BIGINT NOT NULL,
    CHECK ((bsn_ciphertext IS NULL) = (bsn_blind_index IS NULL))
);
CREATE INDEX participant_contract ON participant (contract_id);
CREATE INDEX participant_identity ON participant (surname, date_of_birth, postcode);

CREATE TABLE sequence_counter (
    counter_name TEXT NOT NULL PRIMARY KEY,
    next_value BIGINT NOT NULL
);
INSERT INTO sequence_counter (counter_name, next_value) VALUES ('participant_number', 1);

CREATE TABLE provider (
    provider_id UUID NOT NULL PRIMARY KEY,
    practice_id UUID NOT NULL REFERENCES practice (practice_id),
    agb_code TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    created_at_ms BIGINT NOT NULL,
    updated_at_ms BIGINT NOT NULL
);

CREATE TABLE billing_intermediary (
    billing_intermediary_id UUID NOT NULL PRIMARY KEY,
    name TEXT NOT NULL,
    kvk_number TEXT UNIQUE,
    created_at_ms BIGINT NOT NULL,
    updated_at_ms BIGINT NOT NULL
);

CREATE TABLE payee (
    payee_id UUID NOT NULL PRIMARY KEY,
    practice_id UUID UNIQUE REFERENCES practice (practice_id),
    billing_intermediary_id UUID UNIQUE REFERENCES billing_intermediary (billing_intermediary_id),
    name TEXT NOT NULL,
    iban TEXT NOT NULL,
    created_at_ms BIGINT NOT NULL,
    updated_at_ms BIGINT NOT NULL,
    CHECK ((practice_id IS NULL) <> (billing_intermediary_id IS NULL))
);

CREATE TABLE staff_user (
    staff_user_id UUID NOT NULL PRIMARY KEY,
    username TEXT NOT NULL UNIQUE,
    display_name TEXT NOT NULL,
    password_hash TEXT NOT NULL,
    active BOOLEAN NOT NULL,
    created_at_ms BIGINT NOT NULL,
    updated_at_ms BIGINT NOT NULL
);

CREATE TABLE role (
    role_name TEXT NOT NULL PRIMARY KEY,
    description TEXT NOT NULL,
    is_staff BOOLEAN NOT NULL
);

CREATE TABLE staff_user_role (
    staff_user_id UUID NOT NULL REFERENCES staff_user (staff_user_id),
    role_name TEXT NOT NULL REFERENCES role (role_name),
    created_at_ms BIGINT NOT NULL,
    PRIMARY KEY (staff_user_id, role_name)
);

CREATE TABLE policy_rule (
    role_name TEXT NOT NULL REFERENCES role (role_name),
    purpose TEXT NOT NULL,
    category TEXT NOT NULL,
    action TEXT NOT NULL,
    view TEXT NOT NULL CHECK (view IN ('full', 'masked')),
    PRIMARY KEY (role_name, purpose, category, action)
);

CREATE TABLE chain_head (
    chain_name TEXT NOT NULL PRIMARY KEY,
    last_sequence BIGINT NOT NULL,
    last_hash BYTEA NOT NULL
);
INSERT INTO chain_head (chain_name, last_sequence, last_hash)
    VALUES ('access_log', 0, decode(repeat('00', 32), 'hex')), ('ledger_transfer', 0, decode(repeat('00', 32), 'hex'));

CREATE TABLE access_log (
    sequence BIGINT NOT NULL PRIMARY KEY,
    occurred_at_ms BIGINT NOT NULL,
    actor_kind TEXT NOT NULL,
    actor_id TEXT NOT NULL,
    role_name TEXT NOT NULL,
    purpose TEXT,
    subject_id UUID,
    categories TEXT NOT NULL,
    action TEXT NOT NULL,
    outcome TEXT NOT NULL CHECK (outcome IN ('allowed', 'refused')),
    refusal TEXT,
    prev_hash BYTEA NOT NULL,
    entry_hash BYTEA NOT NULL
);
CREATE INDEX access_log_subject ON access_log (subject_id, sequence);

CREATE TABLE ledger_account (
    ledger_account_id UUID NOT NULL PRIMARY KEY,
    account_kind TEXT NOT NULL,
    account_code TEXT UNIQUE,
    participant_id UUID REFERENCES participant (participant_id),
    payee_id UUID UNIQUE REFERENCES payee (payee_id),
    credit_line_cents BIGINT NOT NULL CHECK (credit_line_cents >= 0),
    balance_cents BIGINT NOT NULL,
    created_at_ms BIGINT NOT NULL,
    updated_at_ms BIGINT NOT NULL,
    CHECK (account_kind <> 'budget' OR balance_cents >= -credit_line_cents),
    UNIQUE (participant_id, account_kind)
);

CREATE TABLE ledger_transfer (
    sequence BIGINT NOT NULL PRIMARY KEY,
    ledger_transfer_id UUID NOT NULL UNIQUE,
    idempotency_key TEXT NOT NULL UNIQUE,
    debit_account_id UUID NOT NULL REFERENCES ledger_account (ledger_account_id),
    credit_account_id UUID NOT NULL REFERENCES ledger_account (ledger_account_id),
    amount_cents BIGINT NOT NULL CHECK (amount_cents > 0),
    transfer_kind TEXT NOT NULL,
    reverses_transfer_id UUID REFERENCES ledger_transfer (ledger_transfer_id),
    posted_at_ms BIGINT NOT NULL,
    prev_hash BYTEA NOT NULL,
    entry_hash BYTEA NOT NULL,
    CHECK (debit_account_id <> credit_account_id)
);
CREATE INDEX ledger_transfer_debit ON ledger_transfer (debit_account_id);
CREATE INDEX ledger_transfer_credit ON ledger_transfer (credit_account_id);

-- Append-only: the ledger and the access log are never updated or deleted.
CREATE FUNCTION ixorg_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION '% is append-only', TG_TABLE_NAME;
END;
$$;
CREATE TRIGGER ledger_transfer_append_only BEFORE UPDATE OR DELETE ON ledger_transfer
    FOR EACH ROW EXECUTE FUNCTION ixorg_append_only();
CREATE TRIGGER access_log_append_only BEFORE UPDATE OR DELETE ON access_log
    FOR EACH ROW EXECUTE FUNCTION ixorg_append_only();

//! One declarative table (a row per stored column), kept whole in one file on purpose: it is
//! read and reviewed as a table, so it is over the usual file size.
//!
//! The one registry of stored fields: every column of every table, and what kind of data it is.
//!
//! Access rules, masking, export and retention are derived from this list. A store test compares
//! it with the real schema on both databases, so a column cannot be added without a category.

use super::DataCategory;

/// What a stored column holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ColumnClass {
    /// A key or reference (a random id, a foreign key): no meaning on its own.
    Key,
    /// Bookkeeping that says nothing about a person (timestamps, statuses, hashes, parameters).
    Meta,
    /// Data about a professional (provider, staff user) in their professional role.
    Professional,
    /// Personal data of a participant, in one category.
    Personal(DataCategory),
}

/// One stored column.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Column {
    /// The column name, the same on both databases.
    pub name: &'static str,
    /// What it holds.
    pub class: ColumnClass,
}

/// One table and all of its columns.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Table {
    /// The table name.
    pub name: &'static str,
    /// Every column, in schema order.
    pub columns: &'static [Column],
}

impl Table {
    /// The categories of personal data this table holds.
    pub fn categories(&self) -> Vec<DataCategory> {
        let mut out: Vec<DataCategory> = self
            .columns
            .iter()
            .filter_map(|c| match c.class {
                ColumnClass::Personal(cat) => Some(cat),
                _ => None,
            })
            .collect();
        out.sort();
        out.dedup();
        out
    }
}

const fn key(name: &'static str) -> Column {
    Column {
        name,
        class: ColumnClass::Key,
    }
}
const fn meta(name: &'static str) -> Column {
    Column {
        name,
        class: ColumnClass::Meta,
    }
}
const fn pro(name: &'static str) -> Column {
    Column {
        name,
        class: ColumnClass::Professional,
    }
}
const fn personal(name: &'static str, category: DataCategory) -> Column {
    Column {
        name,
        class: ColumnClass::Personal(category),
    }
}

use DataCategory::{
    Account, Care, Consent, Contact, Financial, Identity, NationalId, PrivacyRecord, ProviderLink,
    Technical,
};

/// Every table of the schema (migrations `0001` onwards), with every column classified.
pub const TABLES: &[Table] = &[
    Table {
        name: "product_terms_version",
        columns: &[
            meta("valid_from"),
            meta("fee_cents_monthly_main"),
            meta("fee_cents_monthly_further_adult"),
            meta("fee_cents_monthly_child"),
            meta("child_age_years_below"),
            meta("saving_cents_monthly_min"),
            meta("saving_cents_monthly_max"),
            meta("credit_line_cents_cap"),
            meta("collection_day"),
            meta("first_collection_sequence_frst"),
            meta("yearly_checkup_code"),
            meta("yearly_checkup_deduction"),
            meta("budget_change_upward_any_time"),
            meta("budget_change_per_year_max"),
            meta("termination_notice_months"),
            meta("declarations_after_end_months"),
            meta("start_date_months_ahead_max"),
            meta("late_submission_months"),
            meta("accident_cover_cents_max"),
            meta("accident_cover_percent"),
            meta("accident_report_months_max"),
            meta("accident_treatment_years_max"),
            meta("complaint_answer_weeks"),
            meta("technical_data_retention_days"),
            meta("created_at_ms"),
            meta("premium_cents_monthly_adult"),
            meta("fraud_near_duplicate_days"),
            meta("fraud_providers_per_day_max"),
            meta("fraud_first_month_cents_min"),
            meta("declaration_line_cents_max"),
        ],
    },
    Table {
        name: "tariff_code",
        columns: &[
            meta("code"),
            meta("code_group"),
            meta("description"),
            meta("points_hundredths"),
            meta("unit"),
        ],
    },
    Table {
        name: "point_value",
        columns: &[meta("year"), meta("eur_ten_thousandths"), meta("basis")],
    },
    Table {
        name: "contract",
        columns: &[
            key("contract_id"),
            meta("contract_status"),
            personal("start_date", Financial),
            personal("end_date", Financial),
            personal("iban", Financial),
            personal("account_holder", Financial),
            meta("created_at_ms"),
            meta("updated_at_ms"),
            personal("notice_given_on", Financial),
            personal("provider_view_consent", Consent),
        ],
    },
    Table {
        name: "participant",
        columns: &[
            key("participant_id"),
            key("contract_id"),
            personal("participant_number", Account),
            personal("household_role", Identity),
            personal("first_names", Identity),
            personal("initials", Identity),
            personal("surname_prefix", Identity),
            personal("surname", Identity),
            personal("date_of_birth", Identity),
            personal("gender", Identity),
            personal("street", Contact),
            personal("house_number", Contact),
            personal("house_number_addition", Contact),
            personal("postcode", Contact),
            personal("city", Contact),
            personal("email", Contact),
            personal("phone", Contact),
            personal("bsn_ciphertext", NationalId),
            personal("bsn_blind_index", NationalId),
            personal("annual_budget_cents", Financial),
            personal("practice_id", ProviderLink),
            meta("created_at_ms"),
            meta("updated_at_ms"),
            meta("erased_at_ms"),
            // 0005: when the account data was removed (erasure or retention).
            meta("account_closed_at_ms"),
            // 0012: the language of the portal and the messages (`nl`, `en`): a setting of
            // the interface, not data about the person.
            meta("language"),
        ],
    },
    Table {
        name: "sequence_counter",
        columns: &[meta("counter_name"), meta("next_value")],
    },
    Table {
        name: "practice",
        columns: &[
            key("practice_id"),
            pro("agb_code"),
            pro("name"),
            pro("city"),
            meta("created_at_ms"),
            meta("updated_at_ms"),
        ],
    },
    Table {
        name: "provider",
        columns: &[
            key("provider_id"),
            key("practice_id"),
            pro("agb_code"),
            pro("name"),
            meta("created_at_ms"),
            meta("updated_at_ms"),
        ],
    },
    Table {
        name: "billing_intermediary",
        columns: &[
            key("billing_intermediary_id"),
            pro("name"),
            pro("kvk_number"),
            meta("created_at_ms"),
            meta("updated_at_ms"),
            pro("agb_code"),
        ],
    },
    Table {
        name: "intermediary_practice",
        columns: &[
            key("billing_intermediary_id"),
            key("practice_id"),
            meta("created_at_ms"),
        ],
    },
    Table {
        name: "payee",
        columns: &[
            key("payee_id"),
            key("practice_id"),
            key("billing_intermediary_id"),
            pro("name"),
            pro("iban"),
            meta("created_at_ms"),
            meta("updated_at_ms"),
        ],
    },
    Table {
        name: "staff_user",
        columns: &[
            key("staff_user_id"),
            pro("username"),
            pro("display_name"),
            pro("password_hash"),
            meta("active"),
            meta("created_at_ms"),
            meta("updated_at_ms"),
        ],
    },
    Table {
        name: "role",
        columns: &[meta("role_name"), meta("description"), meta("is_staff")],
    },
    Table {
        name: "staff_user_role",
        columns: &[
            key("staff_user_id"),
            meta("role_name"),
            meta("created_at_ms"),
        ],
    },
    Table {
        name: "policy_rule",
        columns: &[
            meta("role_name"),
            meta("purpose"),
            meta("category"),
            meta("action"),
            meta("view"),
        ],
    },
    Table {
        name: "chain_head",
        columns: &[
            meta("chain_name"),
            meta("last_sequence"),
            meta("last_hash"),
            // 0005: where the chain starts after its oldest entries were pruned.
            meta("anchor_sequence"),
            meta("anchor_hash"),
        ],
    },
    Table {
        name: "access_log",
        columns: &[
            meta("sequence"),
            meta("occurred_at_ms"),
            personal("actor_kind", PrivacyRecord),
            personal("actor_id", PrivacyRecord),
            personal("role_name", PrivacyRecord),
            personal("purpose", PrivacyRecord),
            personal("subject_id", PrivacyRecord),
            personal("categories", PrivacyRecord),
            personal("action", PrivacyRecord),
            personal("outcome", PrivacyRecord),
            personal("refusal", PrivacyRecord),
            meta("prev_hash"),
            meta("entry_hash"),
        ],
    },
    Table {
        name: "ledger_account",
        columns: &[
            key("ledger_account_id"),
            meta("account_kind"),
            meta("account_code"),
            key("participant_id"),
            key("payee_id"),
            personal("credit_line_cents", Financial),
            personal("balance_cents", Financial),
            meta("created_at_ms"),
            meta("updated_at_ms"),
        ],
    },
    Table {
        name: "ledger_transfer",
        columns: &[
            meta("sequence"),
            key("ledger_transfer_id"),
            meta("idempotency_key"),
            key("debit_account_id"),
            key("credit_account_id"),
            personal("amount_cents", Financial),
            meta("transfer_kind"),
            key("reverses_transfer_id"),
            meta("posted_at_ms"),
            meta("prev_hash"),
            meta("entry_hash"),
        ],
    },
    Table {
        name: "mandate",
        columns: &[
            personal("mandate_id", Financial),
            key("contract_id"),
            personal("signed_on", Financial),
            personal("iban", Financial),
            personal("account_holder", Financial),
            personal("amended_from_iban", Financial),
            meta("successful_collections"),
            meta("last_first_failed"),
            meta("mandate_status"),
            meta("created_at_ms"),
            meta("updated_at_ms"),
        ],
    },
    // 0012: the portal log-in (the password as an Argon2id hash) and its lock-out state.
    Table {
        name: "participant_account",
        columns: &[
            key("participant_id"),
            personal("password_hash", Account),
            meta("password_changed_at_ms"),
            meta("failed_logins"),
            meta("locked_until_ms"),
            personal("last_login_at_ms", Account),
            meta("created_at_ms"),
            meta("updated_at_ms"),
        ],
    },
    // 0012: one-time links (activation, password reset), kept as the hash of the token only;
    // replaces 0002's portal_activation.
    Table {
        name: "one_time_link",
        columns: &[
            personal("token_hash", Account),
            key("participant_id"),
            meta("purpose"),
            meta("expires_at_ms"),
            meta("used_at_ms"),
            meta("created_at_ms"),
        ],
    },
    Table {
        name: "application",
        columns: &[
            key("application_id"),
            meta("application_status"),
            key("contract_id"),
            meta("rejection_codes"),
            meta("received_at_ms"),
        ],
    },
    Table {
        name: "outbox_message",
        columns: &[
            key("outbox_message_id"),
            meta("message_kind"),
            key("participant_id"),
            key("application_id"),
            meta("created_at_ms"),
            meta("sent_at_ms"),
            // 0012: the delivery state staff see; the error is a class, never an address.
            meta("message_state"),
            meta("attempts"),
            meta("next_attempt_at_ms"),
            meta("last_error"),
        ],
    },
    Table {
        name: "collection_run",
        columns: &[
            key("collection_run_id"),
            meta("collection_date"),
            meta("message_id"),
            meta("transactions"),
            meta("control_sum_cents"),
            meta("created_at_ms"),
        ],
    },
    Table {
        name: "contribution",
        columns: &[
            key("contribution_id"),
            key("collection_run_id"),
            key("contract_id"),
            personal("mandate_id", Financial),
            meta("end_to_end_id"),
            meta("sequence_type"),
            personal("amount_cents", Financial),
            personal("amendment_from_iban", Financial),
            personal("debtor_iban", Financial),
            personal("debtor_name", Financial),
            personal("mandate_signed_on", Financial),
            personal("contribution_status", Financial),
            personal("return_reason", Financial),
            meta("created_at_ms"),
            meta("updated_at_ms"),
        ],
    },
    Table {
        name: "contribution_line",
        columns: &[
            key("contribution_id"),
            key("participant_id"),
            personal("saving_cents", Financial),
            personal("fee_cents", Financial),
            personal("premium_cents", Financial),
        ],
    },
    Table {
        name: "bank_file",
        columns: &[
            key("bank_file_id"),
            meta("file_kind"),
            meta("content_sha256"),
            meta("document_id"),
            meta("entries"),
            meta("imported_at_ms"),
        ],
    },
    Table {
        name: "bank_entry",
        columns: &[
            key("bank_file_id"),
            meta("entry_index"),
            personal("amount_cents", Financial),
            meta("credit"),
            meta("end_to_end_id"),
            personal("reason_code", Financial),
            meta("match_outcome"),
            key("contribution_id"),
        ],
    },
    Table {
        name: "reminder",
        columns: &[
            key("contribution_id"),
            key("contract_id"),
            personal("reason_code", Financial),
            meta("failures_in_a_row"),
            personal("reminder_step", Financial),
            key("retried_by_contribution_id"),
            meta("created_at_ms"),
        ],
    },
    Table {
        name: "yearend_deduction",
        columns: &[
            key("participant_id"),
            meta("year"),
            personal("amount_cents", Financial),
            personal("reason", Financial),
            meta("created_at_ms"),
        ],
    },
    Table {
        name: "settlement",
        columns: &[
            key("contract_id"),
            personal("end_date", Financial),
            personal("direction", Financial),
            personal("amount_cents", Financial),
            meta("end_to_end_id"),
            meta("settled_at_ms"),
        ],
    },
    Table {
        name: "budget_change",
        columns: &[
            key("budget_change_id"),
            key("participant_id"),
            personal("effective_from", Financial),
            personal("old_annual_cents", Financial),
            personal("new_annual_cents", Financial),
            meta("counts_as_yearly_change"),
            meta("requested_at_ms"),
            meta("applied_at_ms"),
        ],
    },
    Table {
        name: "operator_profile",
        columns: &[
            meta("profile_key"),
            meta("legal_name"),
            meta("iban"),
            meta("bic"),
            meta("creditor_id"),
            meta("updated_at_ms"),
        ],
    },
    Table {
        name: "api_client",
        columns: &[
            key("api_client_id"),
            key("practice_id"),
            key("billing_intermediary_id"),
            pro("label"),
            meta("token_hash"),
            meta("active"),
            meta("created_at_ms"),
            meta("updated_at_ms"),
        ],
    },
    Table {
        name: "declaration_batch",
        columns: &[
            key("declaration_batch_id"),
            meta("channel"),
            meta("content_hash"),
            key("api_client_id"),
            meta("idempotency_key"),
            key("payee_id"),
            meta("sender_reference"),
            meta("received_on"),
            meta("line_count"),
            meta("declared_cents"),
            meta("assigned_cents"),
            meta("return_file_name"),
            meta("created_at_ms"),
            meta("request_hash"),
        ],
    },
    Table {
        name: "declaration_line",
        columns: &[
            key("declaration_line_id"),
            key("declaration_batch_id"),
            meta("line_number"),
            meta("record_number"),
            key("participant_id"),
            pro("provider_agb"),
            pro("practice_agb"),
            meta("reference"),
            meta("previous_reference"),
            personal("treatment_date", Care),
            personal("code", Care),
            personal("element", Care),
            personal("surface", Care),
            personal("cost_kind", Care),
            personal("quantity", Care),
            personal("unit_tariff_cents", Financial),
            personal("amount_cents", Financial),
            personal("accident", Care),
            personal("outcome", Financial),
            personal("reasons", Financial),
            personal("budget_paid_cents", Financial),
            personal("own_payment_cents", Financial),
            meta("credited"),
            key("payee_id"),
            key("payout_id"),
            meta("created_at_ms"),
            meta("updated_at_ms"),
        ],
    },
    Table {
        name: "payout_run",
        columns: &[
            key("payout_run_id"),
            meta("payout_date"),
            meta("message_id"),
            meta("transactions"),
            meta("control_sum_cents"),
            meta("created_at_ms"),
        ],
    },
    Table {
        name: "payout",
        columns: &[
            key("payout_id"),
            key("payout_run_id"),
            key("payee_id"),
            meta("end_to_end_id"),
            meta("amount_cents"),
            pro("creditor_iban"),
            pro("creditor_name"),
            meta("remittance"),
            meta("payout_status"),
            meta("created_at_ms"),
            meta("updated_at_ms"),
        ],
    },
    // 0004: data-subject rights.
    Table {
        name: "privacy_document",
        columns: &[
            meta("document_kind"),
            meta("version"),
            meta("published_on"),
            meta("change_summary"),
            meta("body"),
            meta("created_at_ms"),
        ],
    },
    Table {
        name: "consent_event",
        columns: &[
            meta("sequence"),
            key("consent_event_id"),
            key("participant_id"),
            personal("consent_kind", Consent),
            personal("practice_id", Consent),
            personal("provider_id", Consent),
            personal("granted", Consent),
            personal("document_version", Consent),
            personal("source", Consent),
            meta("recorded_at_ms"),
        ],
    },
    Table {
        name: "privacy_request",
        columns: &[
            key("privacy_request_id"),
            key("participant_id"),
            personal("request_type", PrivacyRecord),
            personal("request_status", PrivacyRecord),
            meta("received_at_ms"),
            meta("due_on"),
            key("owner_staff_user_id"),
            personal("field_name", PrivacyRecord),
            personal("proposed_identity", Identity),
            personal("proposed_national_id", NationalId),
            personal("proposed_iban", Financial),
            personal("proposed_account_holder", Financial),
            key("first_approver_staff_user_id"),
            personal("outcome_summary", PrivacyRecord),
            meta("closed_at_ms"),
            meta("updated_at_ms"),
        ],
    },
    Table {
        name: "privacy_request_event",
        columns: &[
            meta("sequence"),
            key("privacy_request_id"),
            personal("event_kind", PrivacyRecord),
            personal("actor_kind", PrivacyRecord),
            personal("actor_id", PrivacyRecord),
            personal("note", PrivacyRecord),
            meta("recorded_at_ms"),
        ],
    },
    Table {
        name: "personal_data_change",
        columns: &[
            meta("sequence"),
            key("participant_id"),
            personal("field_name", PrivacyRecord),
            personal("category", PrivacyRecord),
            personal("old_identity", Identity),
            personal("old_contact", Contact),
            personal("old_national_id", NationalId),
            personal("old_financial", Financial),
            key("privacy_request_id"),
            personal("actor_kind", PrivacyRecord),
            personal("actor_id", PrivacyRecord),
            meta("changed_at_ms"),
        ],
    },
    Table {
        name: "processing_restriction",
        columns: &[
            key("participant_id"),
            key("privacy_request_id"),
            personal("kept_categories", PrivacyRecord),
            meta("restricted_at_ms"),
        ],
    },
    // 0005: retention.
    Table {
        name: "site_visit",
        columns: &[
            meta("sequence"),
            personal("visited_at_ms", Technical),
            personal("path", Technical),
            personal("ip_address", Technical),
            personal("user_agent", Technical),
            key("participant_id"),
        ],
    },
    Table {
        name: "site_visit_daily",
        columns: &[meta("day"), meta("path"), meta("visits")],
    },
    Table {
        // The data is opaque session state: the signed-in participant's reference (also in
        // `participant_id`), the CSRF token and when the password last changed; no personal data.
        name: "web_session",
        columns: &[
            meta("session_key"),
            key("participant_id"),
            meta("data"),
            meta("expires_at_ms"),
        ],
    },
    Table {
        name: "retention_run",
        columns: &[
            key("retention_run_id"),
            meta("ran_at_ms"),
            meta("run_date"),
            meta("dry_run"),
            meta("counts"),
        ],
    },
    // 0006: processors and disclosures.
    Table {
        name: "processor",
        columns: &[
            key("processor_id"),
            pro("name"),
            pro("agreement_reference"),
            meta("signed_on"),
            meta("ends_on"),
            meta("categories"),
            meta("purposes"),
            meta("created_at_ms"),
            meta("updated_at_ms"),
        ],
    },
    Table {
        name: "disclosure",
        columns: &[
            key("disclosure_id"),
            key("participant_id"),
            personal("recipient", PrivacyRecord),
            personal("categories", PrivacyRecord),
            personal("legal_ground", PrivacyRecord),
            personal("reference", PrivacyRecord),
            meta("disclosed_at_ms"),
            personal("actor_kind", PrivacyRecord),
            personal("actor_id", PrivacyRecord),
        ],
    },
];

/// Looks a table up by name.
pub fn table(name: &str) -> Option<&'static Table> {
    TABLES.iter().find(|t| t.name == name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_table_or_column_is_declared_twice() {
        let mut names: Vec<&str> = TABLES.iter().map(|t| t.name).collect();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), TABLES.len());
        for t in TABLES {
            let mut cols: Vec<&str> = t.columns.iter().map(|c| c.name).collect();
            cols.sort_unstable();
            cols.dedup();
            assert_eq!(cols.len(), t.columns.len(), "table {}", t.name);
        }
    }

    #[test]
    fn the_bsn_is_only_stored_encrypted_or_as_a_blind_index() {
        let bsn_columns: Vec<&str> = TABLES
            .iter()
            .flat_map(|t| t.columns.iter())
            .filter(|c| c.class == ColumnClass::Personal(NationalId))
            .map(|c| c.name)
            .collect();
        assert_eq!(
            bsn_columns,
            vec![
                "bsn_ciphertext",
                "bsn_blind_index",
                "proposed_national_id",
                "old_national_id"
            ]
        );
    }

    #[test]
    fn the_participant_table_holds_identity_contact_and_national_id_data() {
        let t = table("participant").expect("participant is declared");
        let cats = t.categories();
        assert!(cats.contains(&Identity));
        assert!(cats.contains(&Contact));
        assert!(cats.contains(&NationalId));
    }
}

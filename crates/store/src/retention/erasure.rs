//! An erasure request: one participant's data of the categories no law obliges us to keep.

use ixorg_domain::ids::{ParticipantId, PrivacyRequestId};
use ixorg_domain::privacy::{Action, DataCategory};
use ixorg_domain::timestamp::Timestamp;
use uuid::Uuid;

use super::expiry::{Counted, renumber};
use crate::gate::Grant;
use crate::{Error, Tx, on_tx};

use DataCategory::{Account, Consent, Contact, NationalId, PrivacyRecord, ProviderLink, Technical};

/// An erasure's statements: `$1` is the participant. Each removes one category from one
/// table; the account's number has a function of its own ([`erase`]).
const ERASE: &[(DataCategory, &str, &str)] = &[
    (
        Contact,
        "participant",
        concat!(
            "UPDATE participant SET ",
            contact_cleared!(),
            " WHERE participant_id = $1 AND (",
            contact_held!(),
            ")"
        ),
    ),
    (
        Contact,
        "personal_data_change",
        "UPDATE personal_data_change SET old_contact = NULL \
         WHERE participant_id = $1 AND old_contact IS NOT NULL",
    ),
    (
        NationalId,
        "participant",
        "UPDATE participant SET bsn_ciphertext = NULL, bsn_blind_index = NULL \
         WHERE participant_id = $1 AND bsn_blind_index IS NOT NULL",
    ),
    (
        NationalId,
        "personal_data_change",
        "UPDATE personal_data_change SET old_national_id = NULL \
         WHERE participant_id = $1 AND old_national_id IS NOT NULL",
    ),
    (
        NationalId,
        "privacy_request",
        "UPDATE privacy_request SET proposed_national_id = NULL \
         WHERE participant_id = $1 AND proposed_national_id IS NOT NULL",
    ),
    (
        ProviderLink,
        "participant",
        "UPDATE participant SET practice_id = NULL \
         WHERE participant_id = $1 AND practice_id IS NOT NULL",
    ),
    (
        Consent,
        "consent_event",
        "DELETE FROM consent_event WHERE participant_id = $1",
    ),
    (
        Consent,
        "contract",
        "UPDATE contract SET provider_view_consent = (1 = 0) \
         WHERE provider_view_consent = (1 = 1) AND contract_id IN \
             (SELECT contract_id FROM participant WHERE participant_id = $1) \
         AND NOT EXISTS (SELECT 1 FROM participant o WHERE o.contract_id = contract.contract_id \
             AND o.participant_id <> $1 AND o.erased_at_ms IS NULL)",
    ),
    (
        Account,
        "participant_account",
        "DELETE FROM participant_account WHERE participant_id = $1",
    ),
    (
        Account,
        "one_time_link",
        "DELETE FROM one_time_link WHERE participant_id = $1",
    ),
    (
        Technical,
        "site_visit",
        "UPDATE site_visit SET participant_id = NULL, ip_address = NULL, user_agent = NULL \
         WHERE participant_id = $1",
    ),
];

/// The (table, category) pairs an erasure removes data from.
pub fn erasure_coverage() -> Vec<(&'static str, DataCategory)> {
    let mut out: Vec<(&'static str, DataCategory)> =
        ERASE.iter().map(|(c, t, _)| (*t, *c)).collect();
    out.push(("participant", Account));
    out
}

/// Erases `categories` of one participant from every table that holds them (the data of a
/// category is emptied, anonymised or deleted as the statements above say; a participant's
/// site visits lose the link to them and are counted later like everyone's). Returns the rows
/// changed per category and table.
pub async fn erase(
    tx: &mut Tx,
    grant: &Grant,
    participant: ParticipantId,
    categories: &[DataCategory],
    now: Timestamp,
) -> Result<Vec<Counted>, Error> {
    grant.require(Some(participant), categories, Action::Change)?;
    let id = participant.uuid();
    let mut out = Vec::new();
    for (category, table, sql) in ERASE.iter().filter(|(c, _, _)| categories.contains(c)) {
        let rows = on_tx!(tx, c => sqlx::query(*sql)
            .bind(id)
            .execute(&mut *c)
            .await
            .map(|r| r.rows_affected()))?;
        out.push(Counted {
            category: *category,
            table,
            rows,
        });
    }
    if categories.contains(&Account) {
        const OPEN: &str = "SELECT participant_id FROM participant \
             WHERE participant_id = $1 AND account_closed_at_ms IS NULL";
        let open: Option<Uuid> = on_tx!(tx, c => sqlx::query_scalar(OPEN)
            .bind(id)
            .fetch_optional(&mut *c)
            .await)?;
        let rows = match open {
            Some(open) => renumber(tx, &[open], now).await?,
            None => 0,
        };
        out.push(Counted {
            category: Account,
            table: "participant",
            rows,
        });
    }
    Ok(out)
}

/// Restricts the processing of what is kept of a participant (GDPR art. 18): from now on the
/// gate lets only `audit` and `legal_obligation` read it. A second restriction replaces the
/// first (the kept categories and request of the latest decision count).
pub async fn restrict(
    tx: &mut Tx,
    grant: &Grant,
    participant: ParticipantId,
    request: Option<PrivacyRequestId>,
    kept: &[DataCategory],
    now: Timestamp,
) -> Result<(), Error> {
    const SQL: &str = "INSERT INTO processing_restriction (participant_id, privacy_request_id, \
         kept_categories, restricted_at_ms) VALUES ($1, $2, $3, $4) \
         ON CONFLICT (participant_id) DO UPDATE SET \
         privacy_request_id = excluded.privacy_request_id, \
         kept_categories = excluded.kept_categories, restricted_at_ms = excluded.restricted_at_ms";
    grant.require(Some(participant), &[PrivacyRecord], Action::Change)?;
    let kept = kept
        .iter()
        .map(|c| c.as_str())
        .collect::<Vec<_>>()
        .join(",");
    on_tx!(tx, c => sqlx::query(SQL)
        .bind(participant.uuid())
        .bind(request.map(|r| r.uuid()))
        .bind(kept)
        .bind(now.unix_ms())
        .execute(&mut *c)
        .await
        .map(|r| r.rows_affected()))?;
    Ok(())
}

/// Records when the participant's erasure was carried out (the row stays, emptied, while
/// financial records refer to it). Keeps the first moment on a repeated erasure.
pub async fn mark_erased(
    tx: &mut Tx,
    grant: &Grant,
    participant: ParticipantId,
    now: Timestamp,
) -> Result<(), Error> {
    const SQL: &str = "UPDATE participant SET erased_at_ms = $2 \
         WHERE participant_id = $1 AND erased_at_ms IS NULL";
    grant.require(Some(participant), &[PrivacyRecord], Action::Change)?;
    on_tx!(tx, c => sqlx::query(SQL)
        .bind(participant.uuid())
        .bind(now.unix_ms())
        .execute(&mut *c)
        .await
        .map(|r| r.rows_affected()))?;
    Ok(())
}

//! Data-subject requests: filed by the participant in the portal (or by staff on their behalf),
//! decided by the privacy officer, each with a one-month deadline and a history; and the
//! participant's own correction of contact data, which needs no request.

use ixorg_domain::enrollment::{
    AcceptanceRule, Corrected, check_account_holder, check_checked_correction,
    check_contact_correction, free_text,
};
use ixorg_domain::identifiers::Iban;
use ixorg_domain::ids::{ParticipantId, PrivacyRequestId};
use ixorg_domain::privacy::request::{
    CheckedField, ContactField, RequestEventKind, RequestStatus, RequestType, due_on, is_overdue,
};
use ixorg_domain::privacy::{Action, DataCategory, Purpose};
use ixorg_domain::timestamp::Timestamp;
use ixorg_store::Tx;
use ixorg_store::gate::{self, Grant};
use ixorg_store::rectification::{self as fields, FieldValue, OldValue};
use ixorg_store::requests::{self as repo, Proposed, RequestEvent, RequestRecord, RequestUpdate};

use super::{PrivacyError, Staff, actor_of, portal_begin};
use crate::context::AppContext;

/// What a participant asks for.
#[derive(Clone, PartialEq, Eq)]
pub enum NewRequest {
    /// A copy of their data, answered by staff (the portal download needs no request).
    Access,
    /// Erasure (art. 17).
    Erasure,
    /// Restriction of processing (art. 18).
    Restriction,
    /// Correction of a checked field to `value` (for the IBAN, with the account holder).
    Rectification {
        /// The field.
        field: CheckedField,
        /// The corrected value.
        value: String,
        /// For the IBAN: the account holder's name.
        account_holder: Option<String>,
    },
}

impl std::fmt::Debug for NewRequest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            NewRequest::Rectification { field, .. } => write!(f, "Rectification({field})"),
            NewRequest::Access => f.write_str("Access"),
            NewRequest::Erasure => f.write_str("Erasure"),
            NewRequest::Restriction => f.write_str("Restriction"),
        }
    }
}

/// The longest reason staff give when they refuse a request.
const REASON_CHARS_MAX: usize = 1000;

/// A field that breaks a rule of the application form; the message is the rule, never the value.
fn invalid(field: &'static str) -> impl Fn(AcceptanceRule) -> PrivacyError {
    move |rule| PrivacyError::Invalid {
        field,
        problem: rule.description(),
    }
}

/// Checks a proposed value of a checked field by the application form's rules; the BSN is
/// encrypted for the request row.
fn proposed(
    ctx: &AppContext,
    id: PrivacyRequestId,
    field: CheckedField,
    value: &str,
    account_holder: Option<&str>,
) -> Result<Proposed, PrivacyError> {
    let today = ctx.clock.today();
    let checked = check_checked_correction(field, value, today).map_err(invalid(field.as_str()))?;
    Ok(match checked {
        Corrected::Text(text) => Proposed::Identity(text.unwrap_or_default()),
        Corrected::Date(born) => Proposed::Identity(born.to_string()),
        Corrected::Bsn(bsn) => Proposed::NationalId(ctx.crypto()?.encrypt_bsn(id.uuid(), &bsn)?),
        Corrected::Iban(iban) => Proposed::Iban {
            iban: iban.expose().to_owned(),
            account_holder: check_account_holder(account_holder.unwrap_or_default())
                .map_err(invalid("account_holder"))?,
        },
        Corrected::Number(_) => return Err(PrivacyError::State("no checked field is a number")),
    })
}

/// Files a request for `subject` (the participant, or the main participant for a child). The
/// answer is due one month from today.
pub async fn file(
    ctx: &AppContext,
    user: ParticipantId,
    subject: ParticipantId,
    request: NewRequest,
) -> Result<PrivacyRequestId, PrivacyError> {
    let id = PrivacyRequestId::from_uuid(ctx.ids.new_uuid());
    let (request_type, field, value) = match &request {
        NewRequest::Access => (RequestType::Access, None, Proposed::Nothing),
        NewRequest::Erasure => (RequestType::Erasure, None, Proposed::Nothing),
        NewRequest::Restriction => (RequestType::Restriction, None, Proposed::Nothing),
        NewRequest::Rectification {
            field,
            value,
            account_holder,
        } => {
            let value = proposed(ctx, id, *field, value, account_holder.as_deref())?;
            (RequestType::Rectification, Some(*field), value)
        }
    };
    let categories = vec![DataCategory::PrivacyRecord];
    let (mut tx, grant) = portal_begin(ctx, user, subject, categories, Action::Change).await?;
    let now = ctx.now();
    let record = RequestRecord {
        id,
        participant: subject,
        request_type,
        status: RequestStatus::Open,
        received_at: now,
        due_on: due_on(ctx.clock.today()),
        owner: None,
        field,
        proposed: value,
        first_approver: None,
        outcome_summary: None,
        closed_at: None,
    };
    repo::insert(&mut tx, &grant, &record, &actor_of(&grant)).await?;
    tx.commit().await?;
    tracing::info!(request.id = %id, kind = request_type.as_str(), "Data-subject request filed");
    Ok(id)
}

/// Asks the gate for a staff access inside `tx`; a refusal is committed (so it stays logged).
async fn staff_grant(
    ctx: &AppContext,
    mut tx: Tx,
    staff: Staff,
    subject: ParticipantId,
    categories: Vec<DataCategory>,
    action: Action,
) -> Result<(Tx, Grant), PrivacyError> {
    let request = staff.request(Purpose::LegalObligation, Some(subject), categories, action);
    match gate::authorize(&mut tx, &ctx.policy, request, ctx.now()).await? {
        Ok(grant) => Ok((tx, grant)),
        Err(refusal) => {
            tx.commit().await?;
            tracing::warn!(refusal = refusal.code(), "Request handling refused");
            Err(PrivacyError::Refused(refusal))
        }
    }
}

/// Opens a request for staff: the gate's change grant on its privacy record, and the request.
async fn open_for_staff(
    ctx: &AppContext,
    staff: Staff,
    request: PrivacyRequestId,
) -> Result<(Tx, Grant, RequestRecord), PrivacyError> {
    let mut tx = ctx.db.begin().await?;
    let subject = repo::subject_of(&mut tx, request)
        .await?
        .ok_or(PrivacyError::NotFound("request"))?;
    let categories = vec![DataCategory::PrivacyRecord];
    let (mut tx, grant) = staff_grant(ctx, tx, staff, subject, categories, Action::Change).await?;
    let record = repo::get(&mut tx, &grant, request).await?;
    Ok((tx, grant, record))
}

fn update_of(record: &RequestRecord) -> RequestUpdate {
    RequestUpdate {
        status: record.status,
        owner: record.owner,
        first_approver: record.first_approver,
        outcome_summary: record.outcome_summary.clone(),
        closed_at: record.closed_at,
    }
}

/// A staff member takes a request on.
pub async fn assign(
    ctx: &AppContext,
    staff: Staff,
    request: PrivacyRequestId,
) -> Result<(), PrivacyError> {
    let (mut tx, grant, record) = open_for_staff(ctx, staff, request).await?;
    if !record.status.is_pending() {
        return Err(PrivacyError::State("the request is closed"));
    }
    let mut update = update_of(&record);
    update.owner = Some(staff.id);
    let now = ctx.now();
    repo::update(&mut tx, request, &update, now).await?;
    let kind = RequestEventKind::Assigned;
    repo::append_event(&mut tx, request, kind, &actor_of(&grant), "", now).await?;
    tx.commit().await?;
    Ok(())
}

/// Refuses a request, with the reason told to the participant.
pub async fn reject(
    ctx: &AppContext,
    staff: Staff,
    request: PrivacyRequestId,
    reason: &str,
) -> Result<(), PrivacyError> {
    let reason = free_text(reason, REASON_CHARS_MAX, true).map_err(invalid("reason"))?;
    let (mut tx, grant, record) = open_for_staff(ctx, staff, request).await?;
    if !record.status.is_pending() {
        return Err(PrivacyError::State("the request is closed"));
    }
    let now = ctx.now();
    let mut update = update_of(&record);
    update.status = RequestStatus::Rejected;
    update.closed_at = Some(now);
    repo::update(&mut tx, request, &update, now).await?;
    let kind = RequestEventKind::Rejected;
    repo::append_event(&mut tx, request, kind, &actor_of(&grant), &reason, now).await?;
    tx.commit().await?;
    Ok(())
}

/// What an approval did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Approval {
    /// Approved once; a second staff member must approve too (the IBAN).
    AwaitingSecondApproval,
    /// Carried out; the summary tells the participant what was done.
    Completed(String),
}

/// Approves a request and carries it out: a rectification changes the field (keeping the old
/// value in the history; an IBAN only at the second approval by another staff member, and the
/// next collection carries the mandate amendment); a restriction restricts processing; an
/// erasure erases what no legal duty keeps and restricts the rest.
pub async fn approve(
    ctx: &AppContext,
    staff: Staff,
    request: PrivacyRequestId,
) -> Result<Approval, PrivacyError> {
    let (mut tx, grant, mut record) = open_for_staff(ctx, staff, request).await?;
    if !record.status.is_pending() {
        return Err(PrivacyError::State("the request is closed"));
    }
    let now = ctx.now();
    let actor = actor_of(&grant);
    let summary = match record.request_type {
        RequestType::Rectification => {
            let field = record
                .field
                .ok_or(PrivacyError::State("the rectification names no field"))?;
            if field.approvals_needed() == 2 {
                match record.first_approver {
                    None => {
                        record.first_approver = Some(staff.id);
                        let mut update = update_of(&record);
                        update.status = RequestStatus::AwaitingSecondApproval;
                        repo::update(&mut tx, request, &update, now).await?;
                        let kind = RequestEventKind::Approved;
                        repo::append_event(&mut tx, request, kind, &actor, "", now).await?;
                        tx.commit().await?;
                        return Ok(Approval::AwaitingSecondApproval);
                    }
                    Some(first) if first == staff.id => {
                        return Err(PrivacyError::State(
                            "the second approval must come from another staff member",
                        ));
                    }
                    Some(_) => {}
                }
            }
            let (t, summary) = rectify(ctx, tx, staff, &record, field).await?;
            tx = t;
            summary
        }
        RequestType::Restriction => {
            repo::restrict(
                &mut tx,
                &grant,
                record.participant,
                Some(request),
                "all",
                now,
            )
            .await?;
            "Processing is restricted: only the accountant's audit and legal duties may still \
             use your data."
                .to_owned()
        }
        RequestType::Erasure => {
            let (t, summary) = erase(ctx, tx, staff, &record).await?;
            tx = t;
            summary
        }
        RequestType::Access => {
            return Err(PrivacyError::State(
                "an access request is answered with its export (privacy answer-access)",
            ));
        }
        RequestType::Objection => return Err(PrivacyError::State("an objection is immediate")),
    };
    complete(&mut tx, &record, &actor, &summary, now).await?;
    tx.commit().await?;
    tracing::info!(request.id = %request, kind = record.request_type.as_str(), "Request carried out");
    Ok(Approval::Completed(summary))
}

pub(super) async fn complete(
    tx: &mut Tx,
    record: &RequestRecord,
    actor: &ixorg_domain::privacy::Actor,
    summary: &str,
    now: Timestamp,
) -> Result<(), PrivacyError> {
    let mut update = update_of(record);
    update.status = RequestStatus::Completed;
    update.outcome_summary = Some(summary.to_owned());
    update.closed_at = Some(now);
    repo::update(tx, record.id, &update, now).await?;
    let kind = RequestEventKind::Completed;
    repo::append_event(tx, record.id, kind, actor, summary, now).await?;
    Ok(())
}

/// Carries out an approved rectification with a grant for the field's category.
async fn rectify(
    ctx: &AppContext,
    tx: Tx,
    staff: Staff,
    record: &RequestRecord,
    field: CheckedField,
) -> Result<(Tx, String), PrivacyError> {
    let subject = record.participant;
    let categories = vec![field.category()];
    let (mut tx, grant) = staff_grant(ctx, tx, staff, subject, categories, Action::Change).await?;
    let now = ctx.now();
    let old = match (&record.proposed, field) {
        (Proposed::Identity(value), CheckedField::DateOfBirth) => {
            let Corrected::Date(born) = check_checked_correction(field, value, ctx.clock.today())
                .map_err(invalid("date_of_birth"))?
            else {
                return Err(PrivacyError::State(
                    "the proposed date of birth is not a date",
                ));
            };
            fields::set_identity(
                &mut tx,
                &grant,
                subject,
                field,
                &FieldValue::Date(born),
                now,
            )
            .await?
        }
        (Proposed::Identity(value), _) => {
            let value = FieldValue::Text(Some(value.clone()));
            fields::set_identity(&mut tx, &grant, subject, field, &value, now).await?
        }
        (Proposed::NationalId(ciphertext), CheckedField::Bsn) => {
            let crypto = ctx.crypto()?;
            let bsn = crypto.decrypt_bsn(record.id.uuid(), ciphertext)?;
            let stored = crypto.encrypt_bsn(subject.uuid(), &bsn)?;
            let index = crypto.blind_index(&bsn);
            fields::set_bsn(&mut tx, &grant, subject, Some((&stored, &index)), now)
                .await
                .map_err(|e| match e {
                    ixorg_store::Error::Conflict(_) => {
                        PrivacyError::State("another participant has this BSN")
                    }
                    other => other.into(),
                })?
        }
        (
            Proposed::Iban {
                iban,
                account_holder,
            },
            CheckedField::Iban,
        ) => change_iban(&mut tx, &grant, subject, iban, account_holder, now).await?,
        _ => {
            return Err(PrivacyError::State(
                "the proposed value does not fit the field",
            ));
        }
    };
    let actor = actor_of(&grant);
    let name = field.as_str();
    fields::record_change(&mut tx, subject, name, &old, Some(record.id), &actor, now).await?;
    let summary = match field {
        CheckedField::Iban => {
            "The account is corrected; the next collection carries the mandate amendment."
        }
        _ => "The field is corrected; the old value is kept in the history.",
    };
    Ok((tx, summary.to_owned()))
}

async fn change_iban(
    tx: &mut Tx,
    grant: &Grant,
    subject: ParticipantId,
    iban: &str,
    account_holder: &str,
    now: Timestamp,
) -> Result<OldValue, PrivacyError> {
    let iban = Iban::parse(iban).map_err(|_| PrivacyError::State("the stored IBAN is invalid"))?;
    let old = fields::contract_account(tx, grant, subject).await?;
    let (contract, _) = ixorg_store::participants::contract_and_number(tx, subject)
        .await?
        .ok_or(PrivacyError::NotFound("participant"))?;
    let changed = ixorg_store::enrollment::change_mandate_iban(
        tx,
        grant,
        contract,
        &iban,
        account_holder,
        now,
    )
    .await?;
    if !changed {
        return Err(PrivacyError::State(
            "the contract has no active mandate, or already collects from this IBAN",
        ));
    }
    Ok(old)
}

/// Carries out an approved erasure: everything no legal duty keeps is erased, the rest is
/// restricted; the summary tells the participant what was kept and why. While the contract
/// runs its data is needed for it (GDPR art. 17(1)(a)): the participant gives notice first.
async fn erase(
    ctx: &AppContext,
    tx: Tx,
    staff: Staff,
    record: &RequestRecord,
) -> Result<(Tx, String), PrivacyError> {
    let mut categories = crate::retention::erasure_grant_categories();
    if !categories.contains(&DataCategory::Financial) {
        categories.push(DataCategory::Financial);
    }
    let subject = record.participant;
    let (mut tx, grant) = staff_grant(ctx, tx, staff, subject, categories, Action::Change).await?;
    let today = ctx.clock.today();
    if !ixorg_store::participants::contract_ended_by(&mut tx, &grant, subject, today).await? {
        return Err(PrivacyError::State(
            "the contract still runs and needs this data: the participant gives notice first, \
             or the request is rejected with that reason",
        ));
    }
    let outcome =
        crate::retention::erase_participant(ctx, &mut tx, &grant, subject, Some(record.id)).await?;
    let erased: Vec<&str> = outcome.erased.iter().map(|(c, _)| c.as_str()).collect();
    let mut summary = format!("Erased: {}.", erased.join(", "));
    for (category, ground) in &outcome.kept {
        summary.push_str(&format!(
            " Kept and restricted: {category}, because {ground}."
        ));
    }
    Ok((tx, summary))
}

/// Corrects one of the participant's contact fields directly (no request needed); the old
/// value is kept in the history. An empty e-mail or phone removes it.
pub async fn correct_contact(
    ctx: &AppContext,
    user: ParticipantId,
    subject: ParticipantId,
    field: ContactField,
    value: &str,
) -> Result<(), PrivacyError> {
    let value = contact_value(field, value)?;
    let categories = vec![DataCategory::Contact, DataCategory::PrivacyRecord];
    let (mut tx, grant) = portal_begin(ctx, user, subject, categories, Action::Change).await?;
    let now = ctx.now();
    let old = fields::set_contact(&mut tx, &grant, subject, field, &value, now).await?;
    let actor = actor_of(&grant);
    fields::record_change(&mut tx, subject, field.as_str(), &old, None, &actor, now).await?;
    tx.commit().await?;
    tracing::info!(field = field.as_str(), "Contact data corrected");
    Ok(())
}

fn contact_value(field: ContactField, value: &str) -> Result<FieldValue, PrivacyError> {
    Ok(
        match check_contact_correction(field, value).map_err(invalid(field.as_str()))? {
            Corrected::Text(text) => FieldValue::Text(text),
            Corrected::Number(number) => FieldValue::Number(i64::from(number)),
            _ => return Err(PrivacyError::State("a contact field is text or a number")),
        },
    )
}

/// A pending request on the staff list.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Pending {
    /// The request.
    pub request: RequestRecord,
    /// Past its due date.
    pub overdue: bool,
}

/// Every pending request, the earliest due first, overdue ones flagged.
pub async fn pending(ctx: &AppContext, staff: Staff) -> Result<Vec<Pending>, PrivacyError> {
    let categories = vec![DataCategory::PrivacyRecord];
    let request = staff.request(Purpose::LegalObligation, None, categories, Action::Read);
    let (mut tx, grant) = crate::access::begin(ctx, request).await?;
    let records = repo::pending(&mut tx, &grant).await?;
    tx.commit().await?;
    let today = ctx.clock.today();
    Ok(records
        .into_iter()
        .map(|request| Pending {
            overdue: is_overdue(request.status, request.due_on, today),
            request,
        })
        .collect())
}

/// A request and its history, for staff.
pub async fn show(
    ctx: &AppContext,
    staff: Staff,
    request: PrivacyRequestId,
) -> Result<(RequestRecord, Vec<RequestEvent>), PrivacyError> {
    let mut tx = ctx.db.begin().await?;
    let subject = repo::subject_of(&mut tx, request)
        .await?
        .ok_or(PrivacyError::NotFound("request"))?;
    let categories = vec![DataCategory::PrivacyRecord];
    let (mut tx, grant) = staff_grant(ctx, tx, staff, subject, categories, Action::Read).await?;
    let record = repo::get(&mut tx, &grant, request).await?;
    let history = repo::history(&mut tx, &grant, request).await?;
    tx.commit().await?;
    Ok((record, history))
}

/// The participant's own requests with their histories (the portal's "my requests").
pub async fn mine(
    ctx: &AppContext,
    user: ParticipantId,
    subject: ParticipantId,
) -> Result<Vec<(RequestRecord, Vec<RequestEvent>)>, PrivacyError> {
    let categories = vec![DataCategory::PrivacyRecord];
    let (mut tx, grant) = portal_begin(ctx, user, subject, categories, Action::Read).await?;
    let records = repo::of_participant(&mut tx, &grant, subject).await?;
    let mut out = Vec::with_capacity(records.len());
    for record in records {
        let history = repo::history(&mut tx, &grant, record.id).await?;
        out.push((record, history));
    }
    tx.commit().await?;
    Ok(out)
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    #[test]
    fn a_contact_field_names_itself_and_never_its_value_when_refused() {
        let Err(PrivacyError::Invalid { field, problem }) =
            contact_value(ContactField::Email, "jan@@example")
        else {
            panic!("an invalid e-mail address is refused");
        };
        assert_eq!(field, "email");
        assert!(!problem.contains("jan"));
        assert_eq!(
            contact_value(ContactField::Phone, " ").ok(),
            Some(FieldValue::Text(None)),
            "an empty phone number removes it"
        );
    }

    proptest! {
        #[test]
        fn any_text_for_any_contact_field_is_accepted_or_refused_without_a_panic(
            text in "\\PC{0,120}",
            field in proptest::sample::select(ContactField::ALL.to_vec()),
        ) {
            if let Ok(FieldValue::Text(Some(kept))) = contact_value(field, &text) {
                prop_assert!(!kept.chars().any(char::is_control));
                prop_assert_eq!(kept.trim(), kept.as_str());
                let again = contact_value(field, &kept).ok();
                prop_assert_eq!(again, Some(FieldValue::Text(Some(kept.clone()))));
            }
        }

        #[test]
        fn an_accepted_postcode_is_kept_in_its_one_written_form(
            digits in 1000u32..=9999,
            letters in "[A-Za-z]{2}",
            space in proptest::bool::ANY,
        ) {
            let typed = format!("{digits}{}{letters}", if space { " " } else { "" });
            let kept = contact_value(ContactField::Postcode, &typed);
            if let Ok(FieldValue::Text(Some(kept))) = kept {
                prop_assert_eq!(kept.len(), 7);
                prop_assert_eq!(kept.clone(), kept.to_uppercase());
            }
        }
    }
}

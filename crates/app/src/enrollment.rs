//! Applications: the acceptance policy, duplicate and history checks, and for an accepted
//! application the contract, participants, budgets, mandate, the applicant's language and an
//! activation message for each member who gets a portal log-in.

use ixorg_domain::Language;
use ixorg_domain::account::gets_own_log_in;
use ixorg_domain::enrollment::{
    AcceptanceRule, Application, ApplicationForm, FieldError, MemberHistory, check_application,
    check_history, normalise_surname,
};
use ixorg_domain::identifiers::ParticipantNumber;
use ixorg_domain::ids::{ContractId, ParticipantId};
use ixorg_domain::outbox::{ApplicationStatus, MessageKind};
use ixorg_domain::privacy::{Action, DataCategory, Purpose, Refusal};
use ixorg_domain::terms::HouseholdRole;
use ixorg_store::enrollment as repo;
use ixorg_store::gate::Grant;
use ixorg_store::outbox::{self, Message};
use ixorg_store::{Tx, parties};
use uuid::Uuid;

use crate::context::AppContext;
use crate::participants::{NewHousehold, NewMember, RegisterError, insert_household};

/// The outcome of an application.
///
/// Only a [`Rejected`](ApplicationOutcome::Rejected) form is told to the sender in detail: its
/// rules need no one else's data. Whether a valid form became a contract or was referred to
/// staff (its person already has a contract, or left one unpaid) depends on other people's
/// data, so the web answers both alike and the outcome goes to the address on file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ApplicationOutcome {
    /// Accepted: the contract exists, and the welcome message waits in the outbox.
    Accepted(Accepted),
    /// Referred to staff; the participants on file whose details it used are told.
    Referred(Referred),
    /// Rejected: every rule of the form that failed, field by field.
    Rejected(Vec<FieldError>),
}

impl ApplicationOutcome {
    /// The stored application, for a form that was valid.
    #[must_use]
    pub fn application(&self) -> Option<Uuid> {
        match self {
            ApplicationOutcome::Accepted(a) => Some(a.application),
            ApplicationOutcome::Referred(r) => Some(r.application),
            ApplicationOutcome::Rejected(_) => None,
        }
    }
}

/// An accepted application.
#[derive(Clone, PartialEq, Eq)]
pub struct Accepted {
    /// The stored application.
    pub application: Uuid,
    /// The contract.
    pub contract: ContractId,
    /// The mandate id.
    pub mandate: String,
    /// Each member's participant id, number and role, in application order.
    pub members: Vec<(ParticipantId, ParticipantNumber, HouseholdRole)>,
}

impl std::fmt::Debug for Accepted {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Accepted")
            .field("application", &self.application)
            .field("contract", &self.contract)
            .field("members", &self.members.len())
            .finish_non_exhaustive()
    }
}

/// An application referred to staff.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Referred {
    /// The stored application.
    pub application: Uuid,
    /// The acceptance rules that need staff (for staff, never for the sender).
    pub rules: Vec<AcceptanceRule>,
}

/// Why an application could not be handled at all (a rejection is an outcome, not an error).
#[derive(Debug, thiserror::Error)]
pub enum ApplyError {
    /// No product terms today.
    #[error("no product terms are in force today")]
    NoTerms,
    /// The gate refused.
    #[error("access refused: {0}")]
    Refused(Refusal),
    /// Registering failed.
    #[error(transparent)]
    Register(#[from] RegisterError),
    /// The database failed.
    #[error(transparent)]
    Store(#[from] ixorg_store::Error),
}

async fn grant(
    ctx: &AppContext,
    tx: &mut Tx,
    categories: Vec<DataCategory>,
    action: Action,
) -> Result<Grant, ApplyError> {
    let purpose = Purpose::ServiceDelivery;
    Ok(crate::access::job_grant(ctx, tx, "enrollment", purpose, categories, action).await?)
}

/// Handles one application in Dutch (the default language); see [`apply_in`].
pub async fn apply(
    ctx: &AppContext,
    form: &ApplicationForm,
) -> Result<ApplicationOutcome, ApplyError> {
    apply_in(ctx, form, Language::default()).await
}

/// Handles one application made in `language`: an accepted household's members read their
/// portal and messages in it, and each member who gets a log-in of their own (the main
/// participant; an adult partner with an e-mail address of their own) gets an activation
/// message in the outbox.
pub async fn apply_in(
    ctx: &AppContext,
    form: &ApplicationForm,
    language: Language,
) -> Result<ApplicationOutcome, ApplyError> {
    let today = ctx.clock.today();
    let terms = ctx.terms.resolve(today).map_err(|_| ApplyError::NoTerms)?;
    let application = match check_application(form, terms, today) {
        Ok(a) => a,
        Err(errors) => return reject(ctx, errors).await,
    };
    let mut tx = ctx.db.begin().await?;
    let (history, found) = history(ctx, &mut tx, &application).await?;
    if let Err(errors) = check_history(&application, &history) {
        return refer(ctx, tx, &errors, &found).await;
    }
    let practice = match application.dentist_agb_code() {
        Some(agb) => parties::practice_by_agb(&mut tx, agb).await?,
        None => None,
    };
    let mut categories = vec![
        DataCategory::Identity,
        DataCategory::Contact,
        DataCategory::Financial,
        DataCategory::Account,
    ];
    if practice.is_some() {
        categories.push(DataCategory::ProviderLink);
    }
    if application.members().iter().any(|m| m.bsn.is_some()) {
        categories.push(DataCategory::NationalId);
    }
    if application.provider_view_consent() {
        categories.push(DataCategory::Consent);
    }
    let change = grant(ctx, &mut tx, categories, Action::Change).await?;
    let household = to_household(&application, practice, today);
    let roles: Vec<HouseholdRole> = application.members().iter().map(|m| m.role).collect();
    let registered = insert_household(ctx, &mut tx, &change, household).await?;
    let now = ctx.now();
    let application_id = ctx.ids.new_uuid();
    repo::insert_application(
        &mut tx,
        application_id,
        ApplicationStatus::Accepted,
        Some(registered.contract),
        "",
        now,
    )
    .await?;
    let members: Vec<ParticipantId> = registered.members.iter().map(|(id, ..)| *id).collect();
    welcome(
        ctx,
        &mut tx,
        &application,
        &members,
        application_id,
        language,
    )
    .await?;
    tx.commit().await?;
    tracing::info!(contract.id = %registered.contract, "Application accepted");
    Ok(ApplicationOutcome::Accepted(Accepted {
        application: application_id,
        contract: registered.contract,
        mandate: registered.mandate.as_str().to_owned(),
        members: registered
            .members
            .into_iter()
            .zip(roles)
            .map(|((id, number, _), role)| (id, number, role))
            .collect(),
    }))
}

/// Sets the household's language and stores the welcome message (with its one-time link, made
/// when it is sent, to the address on file) for each member who gets a log-in of their own.
async fn welcome(
    ctx: &AppContext,
    tx: &mut Tx,
    application: &Application,
    members: &[ParticipantId],
    application_id: Uuid,
    language: Language,
) -> Result<(), ApplyError> {
    let today = ctx.clock.today();
    let now = ctx.now();
    let main_email = application
        .members()
        .iter()
        .find(|m| m.role == HouseholdRole::Main)
        .and_then(|m| m.email.as_ref())
        .map(|e| e.expose().to_owned());
    for (member, id) in application.members().iter().zip(members) {
        if language != Language::default() {
            ixorg_store::accounts::set_language(tx, *id, language, now).await?;
        }
        let email = member.email.as_ref().map(|e| e.expose());
        let own = gets_own_log_in(
            member.role,
            member.date_of_birth,
            email,
            main_email.as_deref(),
            today,
        );
        if own {
            let message = Message {
                id: ctx.ids.new_uuid(),
                kind: MessageKind::PortalActivation,
                participant: *id,
                application: Some(application_id),
                created_at: now,
                sent_at: None,
            };
            outbox::insert_message(tx, &message).await?;
        }
    }
    Ok(())
}

/// Refers a valid application whose people are known (an active contract, an unpaid closed
/// one) to staff, and tells each participant whose details it used, at the address on file.
async fn refer(
    ctx: &AppContext,
    mut tx: Tx,
    errors: &[FieldError],
    found: &[ParticipantId],
) -> Result<ApplicationOutcome, ApplyError> {
    let mut rules: Vec<AcceptanceRule> = errors.iter().map(|e| e.rule).collect();
    rules.sort_unstable();
    rules.dedup();
    let codes: Vec<&str> = rules.iter().map(|r| r.code()).collect();
    let now = ctx.now();
    let application = ctx.ids.new_uuid();
    let status = ApplicationStatus::Referred;
    repo::insert_application(&mut tx, application, status, None, &codes.join(","), now).await?;
    for participant in found {
        let notice = Message {
            id: ctx.ids.new_uuid(),
            kind: MessageKind::ApplicationWithYourDetails,
            participant: *participant,
            application: Some(application),
            created_at: now,
            sent_at: None,
        };
        outbox::insert_message(&mut tx, &notice).await?;
    }
    tx.commit().await?;
    tracing::info!(
        application.id = %application,
        rules = codes.len(),
        notified = found.len(),
        "Application referred to staff"
    );
    Ok(ApplicationOutcome::Referred(Referred {
        application,
        rules,
    }))
}

async fn reject(
    ctx: &AppContext,
    errors: Vec<FieldError>,
) -> Result<ApplicationOutcome, ApplyError> {
    let mut codes: Vec<&str> = errors.iter().map(|e| e.rule.code()).collect();
    codes.sort_unstable();
    codes.dedup();
    let mut tx = ctx.db.begin().await?;
    repo::insert_application(
        &mut tx,
        ctx.ids.new_uuid(),
        ApplicationStatus::Rejected,
        None,
        &codes.join(","),
        ctx.now(),
    )
    .await?;
    tx.commit().await?;
    tracing::info!(rules = codes.len(), "Application rejected");
    Ok(ApplicationOutcome::Rejected(errors))
}

/// Looks every member up by BSN (blind index) or by surname, date of birth and postcode: what
/// the acceptance rules need, and the participants found (each once).
async fn history(
    ctx: &AppContext,
    tx: &mut Tx,
    app: &Application,
) -> Result<(Vec<MemberHistory>, Vec<ParticipantId>), ApplyError> {
    let mut categories = vec![DataCategory::Identity, DataCategory::Contact];
    let with_bsn = app.members().iter().any(|m| m.bsn.is_some());
    if with_bsn {
        categories.push(DataCategory::NationalId);
    }
    let read = grant(ctx, tx, categories, Action::Read).await?;
    let mut out = Vec::new();
    let mut people = Vec::new();
    for (index, (member, key)) in app.members().iter().zip(app.person_keys()).enumerate() {
        let mut found = match (&member.bsn, ctx.crypto.as_deref()) {
            (Some(bsn), Some(crypto)) => {
                repo::people_by_bsn_index(tx, &read, &crypto.blind_index(bsn)).await?
            }
            _ => Vec::new(),
        };
        let by_name = repo::people_by_birth_and_postcode(
            tx,
            &read,
            key.date_of_birth(),
            key.postcode().as_str(),
        )
        .await?;
        found.extend(by_name.into_iter().filter(|p| {
            p.surname.as_ref().is_some_and(|(prefix, surname)| {
                normalise_surname(prefix, surname) == key.surname_normalised()
            })
        }));
        people.extend(found.iter().filter_map(|p| p.participant));
        if !found.is_empty() {
            out.push(MemberHistory {
                member_index: index,
                active_contract: found.iter().any(|p| p.contract_active),
                unpaid_closed_contract: found.iter().any(|p| p.unpaid_closed),
            });
        }
    }
    people.sort_unstable();
    people.dedup();
    Ok((out, people))
}

fn to_household(
    app: &Application,
    practice: Option<ixorg_domain::ids::PracticeId>,
    today: time::Date,
) -> NewHousehold {
    let members = app
        .members()
        .iter()
        .map(|m| NewMember {
            role: m.role,
            details: m.personal_details(),
            bsn: m.bsn.clone(),
            annual_budget: m.annual_budget,
            practice,
        })
        .collect();
    NewHousehold {
        start_date: app.start_date(),
        iban: app.iban().clone(),
        account_holder: app.account_holder().to_owned(),
        members,
        mandate_signed_on: today,
        provider_view_consent: app.provider_view_consent(),
    }
}

impl From<crate::access::AccessError> for ApplyError {
    fn from(e: crate::access::AccessError) -> Self {
        match e {
            crate::access::AccessError::Refused(r) => ApplyError::Refused(r),
            crate::access::AccessError::Store(s) => ApplyError::Store(s),
        }
    }
}

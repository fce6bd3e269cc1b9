//! Consents, versioned privacy documents, the objection to direct marketing, promotion and the
//! provider's budget view.

use ixorg_domain::Cents;
use ixorg_domain::identifiers::ParticipantNumber;
use ixorg_domain::ids::{ConsentEventId, ParticipantId, PracticeId, PrivacyRequestId};
use ixorg_domain::privacy::consent::{
    self as rules, ConsentEvent, ConsentKind, ConsentSource, DocumentKind, Scope,
};
use ixorg_domain::privacy::request::{RequestEventKind, RequestStatus, RequestType, due_on};
use ixorg_domain::privacy::{Action, Actor, DataCategory, Purpose, Refusal, Role};
use ixorg_store::consent::{self as repo, Document, NewConsent};
use ixorg_store::gate::{self, AccessRequest};
use ixorg_store::requests::{self as requests_repo, Proposed, RequestRecord};
use time::Date;

use super::{PrivacyError, Staff, actor_of, portal_begin};
use crate::access;
use crate::context::AppContext;

/// A consent the participant gives or withdraws in the portal.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Choice {
    /// The provider budget view, for every provider or one practice.
    ProviderView(Scope),
    /// Promotional messages.
    Marketing,
    /// Cookies that are not strictly necessary.
    OptionalCookies,
}

impl Choice {
    fn kind(self) -> ConsentKind {
        match self {
            Choice::ProviderView(_) => ConsentKind::ProviderView,
            Choice::Marketing => ConsentKind::Marketing,
            Choice::OptionalCookies => ConsentKind::OptionalCookies,
        }
    }

    fn practice(self) -> Option<PracticeId> {
        match self {
            Choice::ProviderView(Scope::Practice(p)) => Some(p),
            _ => None,
        }
    }
}

fn new_consent(
    ctx: &AppContext,
    participant: ParticipantId,
    kind: ConsentKind,
    practice: Option<PracticeId>,
    granted: bool,
    source: ConsentSource,
) -> NewConsent {
    NewConsent {
        id: ConsentEventId::from_uuid(ctx.ids.new_uuid()),
        participant,
        kind,
        practice,
        provider: None,
        granted,
        document_version: None,
        source,
    }
}

/// Gives (`granted`) or withdraws a consent, effective at once: the next access that depends on
/// it reads the new event. `user` is the participant, or the main participant for a child.
pub async fn set(
    ctx: &AppContext,
    user: ParticipantId,
    subject: ParticipantId,
    choice: Choice,
    granted: bool,
) -> Result<(), PrivacyError> {
    let categories = vec![DataCategory::Consent];
    let (mut tx, grant) = portal_begin(ctx, user, subject, categories, Action::Change).await?;
    if let Some(practice) = choice.practice()
        && !ixorg_store::parties::practice_exists(&mut tx, practice).await?
    {
        return Err(PrivacyError::NotFound("practice"));
    }
    let consent = new_consent(
        ctx,
        subject,
        choice.kind(),
        choice.practice(),
        granted,
        ConsentSource::Portal,
    );
    repo::append(&mut tx, &grant, &consent, ctx.now()).await?;
    tx.commit().await?;
    tracing::info!(kind = choice.kind().as_str(), granted, "Consent recorded");
    Ok(())
}

/// The consents of a participant: what is in force and every event.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Consents {
    /// Every provider may see the budget.
    pub provider_view_everyone: bool,
    /// Marketing consent is in force.
    pub marketing: bool,
    /// Optional cookies are accepted.
    pub optional_cookies: bool,
    /// The accepted privacy statement version.
    pub privacy_statement: Option<u32>,
    /// The accepted cookie policy version.
    pub cookie_policy: Option<u32>,
    /// Every event, oldest first.
    pub history: Vec<ConsentEvent>,
}

/// Reads a participant's consents (the participant, or the main participant for a child).
pub async fn consents(
    ctx: &AppContext,
    user: ParticipantId,
    subject: ParticipantId,
) -> Result<Consents, PrivacyError> {
    let categories = vec![DataCategory::Consent];
    let (mut tx, grant) = portal_begin(ctx, user, subject, categories, Action::Read).await?;
    let history = repo::events(&mut tx, &grant, subject).await?;
    tx.commit().await?;
    Ok(Consents {
        provider_view_everyone: rules::in_force(&history, ConsentKind::ProviderView, None),
        marketing: rules::in_force(&history, ConsentKind::Marketing, None),
        optional_cookies: rules::in_force(&history, ConsentKind::OptionalCookies, None),
        privacy_statement: rules::accepted_version(&history, DocumentKind::PrivacyStatement),
        cookie_policy: rules::accepted_version(&history, DocumentKind::CookiePolicy),
        history,
    })
}

/// Objects to direct marketing (GDPR art. 21): one action, effective at once. Records the
/// withdrawal of marketing consent and a completed objection request, so the objection shows in
/// the participant's requests. Returns the request.
pub async fn object_to_marketing(
    ctx: &AppContext,
    user: ParticipantId,
    subject: ParticipantId,
) -> Result<PrivacyRequestId, PrivacyError> {
    let categories = vec![DataCategory::Consent, DataCategory::PrivacyRecord];
    let (mut tx, grant) = portal_begin(ctx, user, subject, categories, Action::Change).await?;
    let now = ctx.now();
    let consent = new_consent(
        ctx,
        subject,
        ConsentKind::Marketing,
        None,
        false,
        ConsentSource::Objection,
    );
    repo::append(&mut tx, &grant, &consent, now).await?;
    let id = PrivacyRequestId::from_uuid(ctx.ids.new_uuid());
    let record = RequestRecord {
        id,
        participant: subject,
        request_type: RequestType::Objection,
        status: RequestStatus::Completed,
        received_at: now,
        due_on: due_on(ctx.clock.today()),
        owner: None,
        field: None,
        proposed: Proposed::Nothing,
        first_approver: None,
        outcome_summary: Some("Marketing stopped at once; no promotional messages follow.".into()),
        closed_at: Some(now),
    };
    let actor = actor_of(&grant);
    requests_repo::insert(&mut tx, &grant, &record, &actor).await?;
    let kind = RequestEventKind::Completed;
    requests_repo::append_event(&mut tx, id, kind, &actor, "", now).await?;
    tx.commit().await?;
    tracing::info!("Objection to direct marketing recorded");
    Ok(id)
}

/// One addressee of a promotional message.
#[derive(Clone, PartialEq, Eq)]
pub struct Addressee {
    /// Who.
    pub participant: ParticipantId,
}

impl std::fmt::Debug for Addressee {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Addressee")
            .field("participant", &self.participant)
            .finish()
    }
}

/// The audience of a promotional message: only participants whose marketing consent is in force
/// (an objection removes them at once) and whose processing is not restricted.
pub async fn promotion_audience(
    ctx: &AppContext,
    staff: Staff,
) -> Result<Vec<Addressee>, PrivacyError> {
    let categories = vec![DataCategory::Identity, DataCategory::Contact];
    let request = staff.request(Purpose::Promotion, None, categories, Action::Read);
    let (mut tx, grant) = access::begin(ctx, request).await?;
    let ids = repo::marketing_audience(&mut tx, &grant).await?;
    tx.commit().await?;
    Ok(ids
        .into_iter()
        .map(|participant| Addressee { participant })
        .collect())
}

/// Staff look up one participant for a promotional message. The gate refuses it (and logs the
/// refusal) unless the participant's marketing consent is in force.
pub async fn promotion_contact(
    ctx: &AppContext,
    staff: Staff,
    participant: ParticipantId,
) -> Result<crate::participants::ParticipantView, PrivacyError> {
    let viewer = crate::participants::Viewer {
        actor: Actor::Staff(staff.id),
        role: staff.role,
    };
    Ok(crate::participants::view(ctx, viewer, Some(Purpose::Promotion), participant, &[]).await?)
}

/// What a practice may see of a participant's budget, with consent: nothing else.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct BudgetView {
    /// The budget's balance (negative when in the red).
    pub balance: Cents,
    /// What can still be paid from the budget: balance plus the credit line.
    pub credit_left: Cents,
}

/// The budget of the participant numbered `number` as `practice` may see it: only while the
/// participant's provider-view consent covers this practice. Every look is logged, a refusal
/// too (`no_provider_view_consent`); withdrawing consent stops the next look.
pub async fn budget_for_practice(
    ctx: &AppContext,
    practice: PracticeId,
    number: &ParticipantNumber,
) -> Result<BudgetView, PrivacyError> {
    let mut tx = ctx.db.begin().await?;
    let subject = ixorg_store::coverage::participant_of_number(&mut tx, number)
        .await?
        .ok_or(PrivacyError::NotFound("participant"))?;
    let consented = repo::provider_view_in_force(&mut tx, subject, practice).await?;
    let rule = if consented {
        Ok(())
    } else {
        Err(Refusal::Rule("no_provider_view_consent"))
    };
    let request = AccessRequest {
        actor: Actor::Practice(practice),
        role: Role::Provider,
        purpose: Some(Purpose::Reimbursement),
        subject: Some(subject),
        categories: vec![DataCategory::Financial],
        action: Action::Read,
    };
    let now = ctx.now();
    if let Err(refusal) = gate::authorize_with(&mut tx, &ctx.policy, request, now, rule).await? {
        tx.commit().await?;
        tracing::warn!(refusal = refusal.code(), "Budget view refused");
        return Err(PrivacyError::Refused(refusal));
    }
    let account = ixorg_store::ledger::budget_of(&mut tx, subject).await?;
    tx.commit().await?;
    let credit_left = account
        .balance
        .checked_add(account.credit_line)
        .ok_or(PrivacyError::State("the budget is out of range"))?;
    Ok(BudgetView {
        balance: account.balance,
        credit_left,
    })
}

/// Publishes a new version of the privacy statement or cookie policy, in force from
/// `published_on`. Participants who accepted an older version see it at their next login.
pub async fn publish_document(
    ctx: &AppContext,
    kind: DocumentKind,
    published_on: Date,
    change_summary: &str,
    body: &str,
) -> Result<u32, PrivacyError> {
    if change_summary.trim().is_empty() {
        return Err(PrivacyError::Invalid {
            field: "change_summary",
            problem: "say what changed",
        });
    }
    let mut tx = ctx.db.begin().await?;
    let version =
        repo::publish(&mut tx, kind, published_on, change_summary, body, ctx.now()).await?;
    tx.commit().await?;
    u32::try_from(version).map_err(|_| PrivacyError::State("too many document versions"))
}

/// The documents in force today, each with its version (for the site's pages).
pub async fn current_document(
    ctx: &AppContext,
    kind: DocumentKind,
) -> Result<Option<Document>, PrivacyError> {
    let mut tx = ctx.db.begin().await?;
    let doc = repo::current(&mut tx, kind, ctx.clock.today()).await?;
    tx.commit().await?;
    Ok(doc)
}

/// Every published version of a document, newest first (the site shows each, so a participant
/// can read the version they accepted and see what changed).
pub async fn document_versions(
    ctx: &AppContext,
    kind: DocumentKind,
) -> Result<Vec<Document>, PrivacyError> {
    let mut tx = ctx.db.begin().await?;
    let versions = repo::versions(&mut tx, kind).await?;
    tx.commit().await?;
    Ok(versions)
}

/// A document version the participant must see and accept at login.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ToAccept {
    /// Which document.
    pub kind: DocumentKind,
    /// The version in force.
    pub version: u32,
    /// The version accepted before, if any.
    pub accepted: Option<u32>,
    /// What changed.
    pub change_summary: String,
}

/// The documents whose version in force the participant has not accepted yet: shown at login.
pub async fn documents_to_accept(
    ctx: &AppContext,
    participant: ParticipantId,
) -> Result<Vec<ToAccept>, PrivacyError> {
    let categories = vec![DataCategory::Consent];
    let (mut tx, grant) =
        portal_begin(ctx, participant, participant, categories, Action::Read).await?;
    let history = repo::events(&mut tx, &grant, participant).await?;
    let today = ctx.clock.today();
    let mut out = Vec::new();
    for kind in DocumentKind::ALL {
        let Some(doc) = repo::current(&mut tx, *kind, today).await? else {
            continue;
        };
        let version = u32::try_from(doc.version).unwrap_or(u32::MAX);
        let accepted = rules::accepted_version(&history, *kind);
        if rules::must_accept(accepted, version) {
            out.push(ToAccept {
                kind: *kind,
                version,
                accepted,
                change_summary: doc.change_summary,
            });
        }
    }
    tx.commit().await?;
    Ok(out)
}

/// Records that the participant accepted `version` of a document (it must be the one in force).
pub async fn accept_document(
    ctx: &AppContext,
    participant: ParticipantId,
    kind: DocumentKind,
    version: u32,
) -> Result<(), PrivacyError> {
    let current = current_document(ctx, kind)
        .await?
        .ok_or(PrivacyError::NotFound("document"))?;
    if current.version != i64::from(version) {
        return Err(PrivacyError::State(
            "only the version in force can be accepted",
        ));
    }
    let categories = vec![DataCategory::Consent];
    let (mut tx, grant) =
        portal_begin(ctx, participant, participant, categories, Action::Change).await?;
    let mut consent = new_consent(
        ctx,
        participant,
        kind.consent_kind(),
        None,
        true,
        ConsentSource::Portal,
    );
    consent.document_version = Some(version);
    repo::append(&mut tx, &grant, &consent, ctx.now()).await?;
    tx.commit().await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_practice_choice_names_its_practice_and_the_others_none() {
        let p = PracticeId::from_uuid(uuid::Uuid::from_u128(3));
        assert_eq!(Choice::ProviderView(Scope::Practice(p)).practice(), Some(p));
        assert_eq!(Choice::ProviderView(Scope::Everyone).practice(), None);
        assert_eq!(Choice::Marketing.kind(), ConsentKind::Marketing);
    }
}

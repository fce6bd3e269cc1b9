//! Processors and disclosures (promises P22 and P23).
//!
//! - [`register`] and [`list`]: the processor register. A processor then acts as
//!   `Actor::Processor(name)` in `Role::Processor` through the ordinary use cases; the gate allows
//!   it only while its agreement is in force and covers the purpose and categories, and logs
//!   every access, allowed or refused.
//! - [`disclose`]: a disclosure of a participant's data to a third party. It needs a recorded
//!   legal ground from the closed vocabulary [`LegalGround`]; without one it is refused and the
//!   refusal is written to the access log. An allowed disclosure is logged (action `disclose`) and recorded with
//!   its ground, recipient and reference.

use ixorg_domain::ids::ParticipantId;
use ixorg_domain::privacy::{Action, Actor, DataCategory, Purpose, Refusal, Role};
use ixorg_domain::recipients::{LegalGround, NO_LEGAL_GROUND, ProcessorAgreement};
use ixorg_store::gate::{self, AccessRequest};
use ixorg_store::processors::{self as repo, Disclosure};
use uuid::Uuid;

use crate::context::AppContext;

/// Why a processor could not be registered or a disclosure made. Messages name fields only.
#[derive(Debug, thiserror::Error)]
pub enum RecipientError {
    /// A required field is empty or inconsistent.
    #[error("invalid {0}")]
    Invalid(&'static str),
    /// The gate refused (and logged it).
    #[error("access refused: {0}")]
    Refused(Refusal),
    /// The database failed.
    #[error(transparent)]
    Store(#[from] ixorg_store::Error),
}

/// Registers a processor with its agreement (or replaces the agreement of the same name).
pub async fn register(
    ctx: &AppContext,
    agreement: &ProcessorAgreement,
) -> Result<(), RecipientError> {
    if agreement.name.trim().is_empty() {
        return Err(RecipientError::Invalid("name"));
    }
    if agreement.agreement_reference.trim().is_empty() {
        return Err(RecipientError::Invalid("agreement reference"));
    }
    if agreement.categories.is_empty() {
        return Err(RecipientError::Invalid("categories"));
    }
    if agreement.purposes.is_empty() {
        return Err(RecipientError::Invalid("purposes"));
    }
    if agreement.ends_on.is_some_and(|e| e < agreement.signed_on) {
        return Err(RecipientError::Invalid("end date"));
    }
    let mut tx = ctx.db.begin().await?;
    repo::upsert(&mut tx, ctx.ids.new_uuid(), agreement, ctx.now()).await?;
    tx.commit().await?;
    tracing::info!(processor = %agreement.name, "Processor registered");
    Ok(())
}

/// The processor register, by name (for `ixorg processor list` and the record of processing).
pub async fn list(ctx: &AppContext) -> Result<Vec<ProcessorAgreement>, ixorg_store::Error> {
    let mut tx = ctx.db.begin_read().await?;
    let all = repo::list(&mut tx).await?;
    tx.commit().await?;
    Ok(all)
}

/// A disclosure to make.
#[derive(Clone, PartialEq, Eq)]
pub struct DisclosureRequest {
    /// Whose data.
    pub participant: ParticipantId,
    /// To whom (an organisation).
    pub recipient: String,
    /// Which categories.
    pub categories: Vec<DataCategory>,
    /// The legal ground as given (`None` or an unknown name is refused).
    pub legal_ground: Option<String>,
    /// The recipient's reference (request, order or case number).
    pub reference: String,
}

impl std::fmt::Debug for DisclosureRequest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DisclosureRequest")
            .field("participant", &self.participant)
            .field("categories", &self.categories)
            .finish_non_exhaustive()
    }
}

/// Records a disclosure to a third party as `by`, for the `legal_obligation` purpose. Returns the
/// disclosure's id. Without a recorded legal ground it is refused and the refusal logged; the
/// gate then decides the role, purpose and categories (and logs that too).
pub async fn disclose(
    ctx: &AppContext,
    by: (Actor, Role),
    request: DisclosureRequest,
) -> Result<Uuid, RecipientError> {
    if request.recipient.trim().is_empty() {
        return Err(RecipientError::Invalid("recipient"));
    }
    let ground: Option<LegalGround> = request
        .legal_ground
        .as_deref()
        .and_then(|g| g.trim().parse().ok());
    let access = AccessRequest {
        actor: by.0.clone(),
        role: by.1,
        purpose: Some(Purpose::LegalObligation),
        subject: Some(request.participant),
        categories: request.categories.clone(),
        action: Action::Disclose,
    };
    let mut tx = ctx.db.begin().await?;
    // A disclosure without a legal ground is refused whatever the role policy says; the gate
    // logs that refusal like its own.
    let rule = ground.map(|_| ()).ok_or(NO_LEGAL_GROUND);
    let now = ctx.now();
    let grant = match gate::authorize_with(&mut tx, &ctx.policy, access, now, rule).await? {
        Ok(grant) => grant,
        Err(refusal) => {
            tx.commit().await?;
            tracing::warn!(refusal = refusal.code(), "Disclosure refused");
            return Err(RecipientError::Refused(refusal));
        }
    };
    let ground = ground.ok_or(RecipientError::Refused(NO_LEGAL_GROUND))?;
    let (actor_kind, actor_id) = Disclosure::actor_columns(&by.0);
    let disclosure = Disclosure {
        id: ctx.ids.new_uuid(),
        participant: request.participant,
        recipient: request.recipient.trim().to_owned(),
        categories: request.categories,
        legal_ground: ground,
        reference: request.reference.trim().to_owned(),
        disclosed_at: ctx.now(),
        actor_kind,
        actor_id,
    };
    repo::insert_disclosure(&mut tx, &grant, &disclosure).await?;
    tx.commit().await?;
    tracing::info!(disclosure = %disclosure.id, legal_ground = %ground, "Disclosure recorded");
    Ok(disclosure.id)
}

/// The disclosures of one participant's data, oldest first, read as `by` for `purpose` (the
/// privacy officer for `legal_obligation`; the read is logged).
pub async fn disclosures_of(
    ctx: &AppContext,
    by: (Actor, Role),
    purpose: Purpose,
    participant: ParticipantId,
) -> Result<Vec<Disclosure>, RecipientError> {
    let request = AccessRequest {
        actor: by.0,
        role: by.1,
        purpose: Some(purpose),
        subject: Some(participant),
        categories: vec![DataCategory::PrivacyRecord],
        action: Action::Read,
    };
    let (mut tx, grant) = crate::access::begin(ctx, request)
        .await
        .map_err(|e| match e {
            crate::access::AccessError::Refused(r) => RecipientError::Refused(r),
            crate::access::AccessError::Store(s) => RecipientError::Store(s),
        })?;
    let all = repo::disclosures_of(&mut tx, &grant, participant).await?;
    tx.commit().await?;
    Ok(all)
}

/// The participant with this number, if any (the key only; the disclosure then asks the gate).
pub async fn participant_of_number(
    ctx: &AppContext,
    number: &ixorg_domain::identifiers::ParticipantNumber,
) -> Result<Option<ParticipantId>, ixorg_store::Error> {
    let mut tx = ctx.db.begin_read().await?;
    let id = ixorg_store::coverage::participant_of_number(&mut tx, number).await?;
    tx.commit().await?;
    Ok(id)
}

//! Coverage for practices: does a participant's plan run, and from when to when (the FHIR
//! `Coverage` search by beneficiary).
//!
//! The sender asks as itself (a practice in the provider role, an intermediary in the billing
//! intermediary role) for the purpose reimbursement. The contract period is financial data,
//! so the gate decides on that category for this one participant and writes the access-log
//! entry, with the participant as its subject, in the transaction that reads the period. The
//! default policy lets providers read financial data (masked: only what they need, here the
//! period and status) and gives billing intermediaries care data only, so an intermediary is
//! refused (and the refusal is logged) until the policy says otherwise.
//!
//! An unknown participant number gives no coverage (an empty search result); the search is
//! still logged, without a subject.

use ixorg_domain::identifiers::ParticipantNumber;
use ixorg_domain::privacy::{Action, Actor, DataCategory, Purpose, Refusal, Role};
use ixorg_store::coverage::{self as repo, ContractCoverage};
use ixorg_store::gate::{self, AccessRequest};

use super::fhir::format::{CoverageFacts, CoverageStatus, FhirId, Operator};
use super::fhir::{ApiClient, operator_in};
use crate::context::AppContext;

/// Why coverage could not be given.
#[derive(Debug, thiserror::Error)]
pub enum CoverageError {
    /// The policy refused the access; the refusal is in the access log.
    #[error("access refused: {0}")]
    Refused(Refusal),
    /// The database failed.
    #[error(transparent)]
    Store(#[from] ixorg_store::Error),
}

/// The coverages found (none, or the participant's contract period) and the operator as their
/// payor.
#[derive(Clone, Debug)]
pub struct CoverageAnswer {
    /// What covers the participant.
    pub coverages: Vec<CoverageFacts>,
    /// The operator.
    pub payor: Operator,
}

/// The coverage of the participant numbered `beneficiary`, as `client` may see it (see the
/// module docs). One transaction: look up, ask the gate, read, commit.
pub async fn coverage(
    ctx: &AppContext,
    client: &ApiClient,
    beneficiary: &ParticipantNumber,
) -> Result<CoverageAnswer, CoverageError> {
    let mut tx = ctx.db.begin().await?;
    let subject = repo::participant_of_number(&mut tx, beneficiary).await?;
    let request = access_request(client, subject);
    let grant = match gate::authorize(&mut tx, &ctx.policy, request, ctx.now()).await? {
        Ok(grant) => grant,
        Err(refusal) => {
            tx.commit().await?;
            tracing::warn!(refusal = refusal.code(), "Coverage search refused");
            return Err(CoverageError::Refused(refusal));
        }
    };
    let mut coverages = Vec::new();
    if let Some(participant) = subject
        && let Some(found) = repo::contract_coverage(&mut tx, &grant, participant).await?
    {
        coverages.push(facts(&found));
    }
    let payor = operator_in(&mut tx).await?;
    tx.commit().await?;
    Ok(CoverageAnswer { coverages, payor })
}

/// The sender as an actor in its role, asking to read one participant's financial data.
fn access_request(
    client: &ApiClient,
    subject: Option<ixorg_domain::ids::ParticipantId>,
) -> AccessRequest {
    let (actor, role) = match (client.practice, client.intermediary) {
        (Some(practice), _) => (Actor::Practice(practice), Role::Provider),
        (None, Some(intermediary)) => {
            (Actor::Intermediary(intermediary), Role::BillingIntermediary)
        }
        // A client of nobody: the gate refuses a system actor in the provider role.
        (None, None) => (
            Actor::System(format!("api-client-{}", client.id)),
            Role::Provider,
        ),
    };
    AccessRequest {
        actor,
        role,
        purpose: Some(Purpose::Reimbursement),
        subject,
        categories: vec![DataCategory::Financial],
        action: Action::Read,
    }
}

/// The FHIR facts of a contract period: cancelled when it ended before it began, otherwise
/// active (with its end, once known).
fn facts(found: &ContractCoverage) -> CoverageFacts {
    let cancelled = found.end.is_some_and(|end| end < found.start);
    CoverageFacts {
        id: FhirId::parse(&found.participant.uuid().to_string())
            .expect("BUG: a hyphenated UUID is a FHIR id"),
        beneficiary: found.number.clone(),
        status: if cancelled {
            CoverageStatus::Cancelled
        } else {
            CoverageStatus::Active
        },
        start: found.start,
        end: found.end,
    }
}

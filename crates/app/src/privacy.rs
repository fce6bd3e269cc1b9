//! The data subject's rights and the consents (GDPR art. 7, 15-21), as use cases.
//!
//! - [`consent`]: consent events (provider budget view, marketing, optional cookies), the
//!   versioned privacy statement and cookie policy, the objection to direct marketing, and the
//!   provider's budget view that depends on consent;
//! - [`requests`]: data-subject requests with a deadline, an owner and a history; rectification
//!   of checked fields (a second approval for the IBAN), erasure and restriction;
//! - [`export`]: everything held about a participant as one JSON document (with a published
//!   JSON Schema) and as a readable page.
//!
//! In the portal a participant acts on their own data, or, as the main participant, for a child
//! under 16 of their contract ([`portal_request`]); every other access goes through the gate
//! with a staff role and is logged.

pub mod consent;
pub mod export;
pub mod requests;

use ixorg_domain::ids::ParticipantId;
use ixorg_domain::privacy::{Action, Actor, DataCategory, Purpose, Refusal, Role, rules};
use ixorg_domain::terms::HouseholdRole;
use ixorg_store::gate::{AccessRequest, Grant};
use ixorg_store::{Tx, participants};

use crate::access::{self, AccessError};
use crate::context::AppContext;
use crate::crypto::CryptoError;

/// Why a privacy use case could not go ahead. Messages name fields, never values.
#[derive(Debug, thiserror::Error)]
pub enum PrivacyError {
    /// The gate refused (and logged it).
    #[error("access refused: {0}")]
    Refused(Refusal),
    /// No such participant, request or document.
    #[error("{0} not found")]
    NotFound(&'static str),
    /// The input is not acceptable; names the field and why.
    #[error("{field}: {problem}")]
    Invalid {
        /// The field.
        field: &'static str,
        /// What is wrong with it.
        problem: &'static str,
    },
    /// The request is not in a state that allows this step.
    #[error("{0}")]
    State(&'static str),
    /// A BSN or ciphertext problem.
    #[error(transparent)]
    Crypto(#[from] CryptoError),
    /// An output file could not be written (nothing was changed).
    #[error("cannot write the export: {0}")]
    File(#[from] crate::output::OutputError),
    /// The database failed.
    #[error(transparent)]
    Store(ixorg_store::Error),
}

impl From<AccessError> for PrivacyError {
    fn from(e: AccessError) -> Self {
        match e {
            AccessError::Refused(r) => PrivacyError::Refused(r),
            AccessError::Store(s) => PrivacyError::Store(s),
        }
    }
}

impl From<ixorg_store::Error> for PrivacyError {
    fn from(e: ixorg_store::Error) -> Self {
        match e {
            ixorg_store::Error::NotFound => PrivacyError::NotFound("record"),
            other => PrivacyError::Store(other),
        }
    }
}

impl From<crate::participants::ViewError> for PrivacyError {
    fn from(e: crate::participants::ViewError) -> Self {
        use crate::participants::ViewError;
        match e {
            ViewError::Refused(r) => PrivacyError::Refused(r),
            ViewError::NotFound => PrivacyError::NotFound("participant"),
            ViewError::Crypto(c) => PrivacyError::Crypto(c),
            ViewError::Store(s) => PrivacyError::Store(s),
        }
    }
}

impl From<crate::retention::RetentionError> for PrivacyError {
    fn from(e: crate::retention::RetentionError) -> Self {
        match e {
            crate::retention::RetentionError::Refused(r) => PrivacyError::Refused(r),
            crate::retention::RetentionError::Store(s) => PrivacyError::Store(s),
        }
    }
}

/// A staff member acting in one of their roles.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Staff {
    /// Who.
    pub id: ixorg_domain::ids::StaffUserId,
    /// In which role.
    pub role: Role,
}

impl Staff {
    /// Logs a staff member in for one of their roles: the password must match an active user who
    /// holds `role`. The error does not say which of the three failed.
    pub async fn login(
        ctx: &AppContext,
        username: &str,
        password: &str,
        role: Role,
    ) -> Result<Staff, PrivacyError> {
        let user = crate::staff::check_password(ctx, username, password).await?;
        match user {
            Some(user) if user.roles.contains(&role) => Ok(Staff { id: user.id, role }),
            _ => Err(PrivacyError::Invalid {
                field: "staff",
                problem: "unknown user, wrong password, or the role is not held",
            }),
        }
    }

    /// The actor and role this staff member acts as (for use cases that take both).
    pub fn acting(self) -> (Actor, Role) {
        (Actor::Staff(self.id), self.role)
    }

    /// The gate request of this staff member.
    pub fn request(
        self,
        purpose: Purpose,
        subject: Option<ParticipantId>,
        categories: Vec<DataCategory>,
        action: Action,
    ) -> AccessRequest {
        AccessRequest {
            actor: Actor::Staff(self.id),
            role: self.role,
            purpose: Some(purpose),
            subject,
            categories,
            action,
        }
    }
}

/// The gate request of portal user `user` on `subject`'s data: self-service on their own data,
/// or as [`Actor::Representative`] when `user` is the main participant of `subject`'s contract
/// and `subject` is a child under [`rules::REPRESENTED_AGE_BELOW`]. Anything else is asked as the user
/// themself, which the gate refuses (`not_own_data`) and logs.
pub async fn portal_request(
    ctx: &AppContext,
    user: ParticipantId,
    subject: ParticipantId,
    categories: Vec<DataCategory>,
    action: Action,
) -> Result<AccessRequest, PrivacyError> {
    let mut actor = Actor::Participant(user);
    if user != subject {
        let mut tx = ctx.db.begin().await?;
        let member = participants::represented_member(&mut tx, user, subject).await?;
        tx.rollback().await?;
        if let Some((HouseholdRole::Child, born)) = member
            && rules::represents(HouseholdRole::Child, born, ctx.clock.today())
        {
            actor = Actor::Representative(user);
        }
    }
    Ok(AccessRequest {
        actor,
        role: Role::Participant,
        purpose: Some(Purpose::ServiceDelivery),
        subject: Some(subject),
        categories,
        action,
    })
}

/// Begins a transaction with the grant for a portal user's access (see [`portal_request`]).
pub async fn portal_begin(
    ctx: &AppContext,
    user: ParticipantId,
    subject: ParticipantId,
    categories: Vec<DataCategory>,
    action: Action,
) -> Result<(Tx, Grant), PrivacyError> {
    let request = portal_request(ctx, user, subject, categories, action).await?;
    Ok(access::begin(ctx, request).await?)
}

/// The actor written to a request's or a change's history for a grant.
pub(crate) fn actor_of(grant: &Grant) -> Actor {
    grant.request().actor.clone()
}

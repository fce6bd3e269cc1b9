//! The privacy gate: the one way to obtain a [`Grant`], without which no repository function
//! reads or changes personal data.
//!
//! [`authorize`] decides a request against the [`Policy`] and writes an access-log entry in the
//! same transaction for every access by anyone other than the data subject, allowed or refused.
//! A refusal is returned as `Ok(Err(refusal))` with the refused entry written: the caller commits
//! that transaction so the refusal stays on record, and reports an error, never an empty result.

use ixorg_domain::ids::ParticipantId;
use ixorg_domain::privacy::rules;
use ixorg_domain::privacy::{
    Action, Actor, DataCategory, Policy, PolicyRule, Purpose, Refusal, Role, View, Views,
};
use ixorg_domain::timestamp::Timestamp;

use crate::access_log::{self, NewEntry, Outcome};
use crate::{Error, Tx, on_tx};

/// One request to read or change personal data.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AccessRequest {
    /// Who asks.
    pub actor: Actor,
    /// In which role.
    pub role: Role,
    /// For which purpose (`None` is refused and logged).
    pub purpose: Option<Purpose>,
    /// Whose data, when it is one person's (`None` for work over many, such as a batch run).
    pub subject: Option<ParticipantId>,
    /// Which categories of data.
    pub categories: Vec<DataCategory>,
    /// What is done with them.
    pub action: Action,
}

/// Proof that an access was allowed and logged. Only [`authorize`] makes one.
#[derive(Clone, Debug)]
pub struct Grant {
    request: AccessRequest,
    views: Views,
}

impl Grant {
    /// The request this grant answers.
    pub fn request(&self) -> &AccessRequest {
        &self.request
    }

    /// How much of `category` may be seen, if it is granted at all.
    pub fn view(&self, category: DataCategory) -> Option<View> {
        self.views
            .iter()
            .find(|(c, _)| *c == category)
            .map(|(_, v)| *v)
    }

    /// Checks that this grant covers `action` on `categories` of `subject`; repository
    /// functions call this before they touch the data.
    pub fn require(
        &self,
        subject: Option<ParticipantId>,
        categories: &[DataCategory],
        action: Action,
    ) -> Result<(), Error> {
        if self.request.action != action {
            return Err(Error::GrantDoesNotCover("this action"));
        }
        if self.request.subject.is_some() && self.request.subject != subject {
            return Err(Error::GrantDoesNotCover("this data subject"));
        }
        if let Some(missing) = categories.iter().find(|c| self.view(**c).is_none()) {
            return Err(Error::GrantDoesNotCover(missing.as_str()));
        }
        Ok(())
    }
}

/// Decides `request` and records it. See the module documentation for the refusal contract.
pub async fn authorize(
    tx: &mut Tx,
    policy: &Policy,
    request: AccessRequest,
    now: Timestamp,
) -> Result<Result<Grant, Refusal>, Error> {
    authorize_with(tx, policy, request, now, Ok(())).await
}

/// [`authorize`] with one more rule the use case has checked (such as a consent that only it
/// knows how to look up): a refusal there refuses the access, and is logged like any other.
pub async fn authorize_with(
    tx: &mut Tx,
    policy: &Policy,
    request: AccessRequest,
    now: Timestamp,
    rule: Result<(), Refusal>,
) -> Result<Result<Grant, Refusal>, Error> {
    let decision = rule
        .and_then(|()| rules::consistency(&request.actor, request.role, request.subject))
        .and_then(|()| {
            policy.decide(
                request.role,
                request.purpose,
                &request.categories,
                request.action,
            )
        });
    let self_service = request.actor.is_subject(request.subject);
    let decision = match (decision, request.subject) {
        (Ok(views), Some(subject)) if !self_service => {
            subject_rules(tx, &request, subject).await?.map(|()| views)
        }
        (decision, _) => decision,
    };
    // A processor acts only within its registered, current processor agreement.
    let decision = match (decision, &request.actor) {
        (Ok(views), Actor::Processor(name)) => {
            let (purpose, categories) = (request.purpose, &request.categories);
            crate::processors::agreement_allows(tx, name, purpose, categories, now)
                .await?
                .map(|()| views)
        }
        (decision, _) => decision,
    };
    if !self_service {
        let outcome = match &decision {
            Ok(_) => Outcome::Allowed,
            Err(refusal) => Outcome::Refused(*refusal),
        };
        let entry = NewEntry {
            occurred_at: now,
            actor: &request.actor,
            role: request.role,
            purpose: request.purpose,
            subject: request.subject,
            categories: &request.categories,
            action: request.action,
            outcome,
        };
        access_log::append(tx, &entry).await?;
    }
    Ok(decision.map(|views| Grant { request, views }))
}

/// The facts [`rules::subject_rules`] needs about `subject`, looked up only where the purpose
/// needs them, and the rules' decision.
async fn subject_rules(
    tx: &mut Tx,
    request: &AccessRequest,
    subject: ParticipantId,
) -> Result<Result<(), Refusal>, Error> {
    const RESTRICTED: &str =
        "SELECT COUNT(*) FROM processing_restriction WHERE participant_id = $1";
    const MARKETING: &str = "SELECT granted FROM consent_event \
         WHERE participant_id = $1 AND consent_kind = 'marketing' \
         ORDER BY sequence DESC LIMIT 1";
    let mut facts = rules::SubjectFacts::default();
    if rules::restriction_applies(request.purpose) {
        let restricted: i64 = on_tx!(tx, c => sqlx::query_scalar(RESTRICTED)
            .bind(subject.uuid())
            .fetch_one(&mut *c)
            .await)?;
        facts.restricted = restricted > 0;
    }
    if rules::needs_marketing_consent(request.purpose) {
        facts.marketing_consent = on_tx!(tx, c => sqlx::query_scalar(MARKETING)
            .bind(subject.uuid())
            .fetch_optional(&mut *c)
            .await)?;
    }
    Ok(rules::subject_rules(request.purpose, facts))
}

#[derive(sqlx::FromRow)]
struct RuleRow {
    role_name: String,
    purpose: String,
    category: String,
    action: String,
    view: String,
}

impl TryFrom<RuleRow> for PolicyRule {
    type Error = Error;
    fn try_from(r: RuleRow) -> Result<Self, Error> {
        let bad = |col| crate::error::corrupt("policy_rule", col);
        Ok(PolicyRule {
            role: r.role_name.parse().map_err(|_| bad("role_name"))?,
            purpose: r.purpose.parse().map_err(|_| bad("purpose"))?,
            category: r.category.parse().map_err(|_| bad("category"))?,
            action: r.action.parse().map_err(|_| bad("action"))?,
            view: r.view.parse().map_err(|_| bad("view"))?,
        })
    }
}

const SELECT_RULES: &str = "SELECT role_name, purpose, category, action, view FROM policy_rule \
     ORDER BY role_name, purpose, category, action";
const INSERT_RULE: &str = "INSERT INTO policy_rule (role_name, purpose, category, action, view) \
     VALUES ($1, $2, $3, $4, $5)";
const COUNT_RULES: &str = "SELECT COUNT(*) FROM policy_rule";
const INSERT_ROLE: &str = "INSERT INTO role (role_name, description, is_staff) VALUES ($1, $2, $3) \
     ON CONFLICT (role_name) DO NOTHING";

/// Loads the policy held in the database.
pub async fn load_policy(tx: &mut Tx) -> Result<Policy, Error> {
    let rows: Vec<RuleRow> =
        on_tx!(tx, c => sqlx::query_as(SELECT_RULES).fetch_all(&mut *c).await)?;
    let rules = rows
        .into_iter()
        .map(PolicyRule::try_from)
        .collect::<Result<Vec<_>, _>>()?;
    Ok(Policy::from_rules(rules))
}

/// Writes the roles and, when the policy table is empty, the default policy. Returns whether the
/// defaults were written.
pub async fn seed_policy(tx: &mut Tx, defaults: &Policy) -> Result<bool, Error> {
    for role in Role::ALL {
        on_tx!(tx, c => sqlx::query(INSERT_ROLE)
            .bind(role.as_str())
            .bind(role.description())
            .bind(role.is_staff())
            .execute(&mut *c)
            .await
        .map(|r| r.rows_affected()))?;
    }
    let count: i64 = on_tx!(tx, c => sqlx::query_scalar(COUNT_RULES).fetch_one(&mut *c).await)?;
    if count > 0 {
        return Ok(false);
    }
    for rule in defaults.rules() {
        on_tx!(tx, c => sqlx::query(INSERT_RULE)
            .bind(rule.role.as_str())
            .bind(rule.purpose.as_str())
            .bind(rule.category.as_str())
            .bind(rule.action.as_str())
            .bind(rule.view.as_str())
            .execute(&mut *c)
            .await
        .map(|r| r.rows_affected()))?;
    }
    Ok(true)
}

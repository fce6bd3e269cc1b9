//! The R4 `ClaimResponse` writer: the decision on every line of a claim.
//!
//! Per item: the outcome in the extension [`OUTCOME_EXTENSION`]; adjudications `submitted`
//! (the declared amount), and once decided (not held) `eligible` (what was judged payable:
//! paid plus own payment, zero when rejected), `benefit` (paid from the budget) and `copay`
//! (the participant's own payment), all in [`ADJUDICATION_SYSTEM`]; then one adjudication per
//! reason, category `reason` in [`IXORG_ADJUDICATION_SYSTEM`], with the reason coded in
//! [`REASON_SYSTEM`] (display and text `Reason::title`). `total` sums each money category.
//!
//! `outcome` (R4 `remittance-outcome`): `complete` when every line is decided and none is
//! held, `error` when moreover every line was rejected, `partial` when some lines are held or
//! have no decision yet but at least one is decided, and `queued` when none is decided.

use ixorg_domain::declaration::{Decision, Outcome, Reason, Who};
use ixorg_domain::identifiers::ParticipantNumber;
use time::OffsetDateTime;

use super::claim::{Claim, ClaimItem};
use super::json::Out;
use super::write::{
    coding, concept, date_time, identifier, identifier_in, money, object, operator_reference, whole,
};
use super::{
    ADJUDICATION_SYSTEM, AGB_SYSTEM, CLAIM_TYPE_SYSTEM, FhirId, IXORG_ADJUDICATION_SYSTEM,
    OUTCOME_EXTENSION, Operator, PARTICIPANT_NUMBER_SYSTEM, REASON_SYSTEM,
};

/// What a `ClaimResponse` needs besides the claim and the decisions.
#[derive(Clone, Debug)]
pub struct ClaimResponseParts<'a> {
    /// The response's logical id, when it is stored.
    pub id: Option<FhirId>,
    /// When the response was made (from the app's clock).
    pub created: OffsetDateTime,
    /// The operator, as the `insurer`.
    pub insurer: &'a Operator,
    /// The logical id under which the claim was stored, for `request.reference`.
    pub claim_id: Option<FhirId>,
    /// The participant the claim was matched to. The response names the patient by this
    /// number; without it (an unknown participant) the patient is named by the claim's own
    /// participant number, and a BSN is never written back.
    pub participant: Option<ParticipantNumber>,
}

/// The four money categories, in the order they are written.
const CATEGORIES: [&str; 4] = ["submitted", "eligible", "benefit", "copay"];

/// Writes the R4 `ClaimResponse` to `claim`: `decisions[i]` is the decision on
/// `claim.items[i]`; items beyond `decisions` are written as not yet decided.
#[must_use]
pub fn claim_response(
    claim: &Claim,
    decisions: &[Decision],
    parts: &ClaimResponseParts<'_>,
) -> String {
    debug_assert!(
        decisions.len() <= claim.items.len(),
        "a decision without an item"
    );
    let items: Vec<(&ClaimItem, Option<&Decision>)> = claim
        .items
        .iter()
        .enumerate()
        .map(|(index, item)| (item, decisions.get(index)))
        .collect();
    let mut totals = [0_i128; 4];
    let item_outs = items
        .iter()
        .map(|(item, decision)| item_out(item, *decision, &mut totals))
        .collect();
    let total = CATEGORIES
        .iter()
        .zip(totals)
        .map(|(category, cents)| {
            object(vec![
                ("category", Some(adjudication_category(category))),
                ("amount", Some(money(cents))),
            ])
        })
        .collect();
    object(vec![
        ("resourceType", Some(Out::str("ClaimResponse"))),
        ("id", parts.id.as_ref().map(|id| Out::str(id.as_str()))),
        ("status", Some(Out::str("active"))),
        ("type", Some(claim_type())),
        ("use", Some(Out::str("claim"))),
        ("patient", Some(patient(claim, parts))),
        ("created", Some(date_time(parts.created))),
        ("insurer", Some(operator_reference(parts.insurer))),
        ("requestor", Some(requestor(claim))),
        ("request", Some(request(claim, parts))),
        ("outcome", Some(Out::str(remittance_outcome(&items)))),
        ("disposition", Some(Out::Str(disposition(&items)))),
        (
            "item",
            (!claim.items.is_empty()).then_some(Out::Array(item_outs)),
        ),
        ("total", Some(Out::Array(total))),
    ])
    .to_json()
}

fn claim_type() -> Out {
    concept(coding(CLAIM_TYPE_SYSTEM, "oral", Some("Oral")), None)
}

fn patient(claim: &Claim, parts: &ClaimResponseParts<'_>) -> Out {
    let number = parts.participant.as_ref().or(match &claim.who {
        Who::Number(number) => Some(number),
        Who::Bsn { .. } | Who::Unidentified => None,
    });
    object(vec![
        ("type", Some(Out::str("Patient"))),
        (
            "identifier",
            number.map(|number| identifier_in(PARTICIPANT_NUMBER_SYSTEM, number.as_str())),
        ),
        (
            "display",
            number
                .is_none()
                .then(|| Out::str("The patient of the claim")),
        ),
    ])
}

fn requestor(claim: &Claim) -> Out {
    object(vec![
        ("type", Some(Out::str("Practitioner"))),
        (
            "identifier",
            Some(identifier_in(AGB_SYSTEM, claim.provider.as_str())),
        ),
    ])
}

fn request(claim: &Claim, parts: &ClaimResponseParts<'_>) -> Out {
    let reference = parts
        .claim_id
        .as_ref()
        .map(|id| Out::Str(format!("Claim/{id}")));
    object(vec![
        ("reference", reference),
        ("type", Some(Out::str("Claim"))),
        ("identifier", Some(identifier(&claim.identifier))),
    ])
}

fn remittance_outcome(items: &[(&ClaimItem, Option<&Decision>)]) -> &'static str {
    let outcomes: Vec<Option<Outcome>> = items
        .iter()
        .map(|(_, decision)| decision.map(|d| d.outcome))
        .collect();
    let decided = |outcome: &Option<Outcome>| outcome.is_some_and(|o| o != Outcome::Held);
    if outcomes.iter().all(decided) {
        if outcomes.iter().all(|o| *o == Some(Outcome::Rejected)) {
            "error"
        } else {
            "complete"
        }
    } else if outcomes.iter().any(decided) {
        "partial"
    } else {
        "queued"
    }
}

fn disposition(items: &[(&ClaimItem, Option<&Decision>)]) -> String {
    let count = |wanted: Option<Outcome>| {
        items
            .iter()
            .filter(|(_, decision)| decision.map(|d| d.outcome) == wanted)
            .count()
    };
    format!(
        "{} line(s): {} accepted, {} partly accepted, {} held, {} rejected, {} not yet decided",
        items.len(),
        count(Some(Outcome::Accepted)),
        count(Some(Outcome::PartlyAccepted)),
        count(Some(Outcome::Held)),
        count(Some(Outcome::Rejected)),
        count(None),
    )
}

fn adjudication_category(code: &str) -> Out {
    concept(coding(ADJUDICATION_SYSTEM, code, None), None)
}

fn adjudication(code: &str, cents: i128) -> Out {
    object(vec![
        ("category", Some(adjudication_category(code))),
        ("amount", Some(money(cents))),
    ])
}

fn reason_adjudication(reason: Reason) -> Out {
    let category = coding(IXORG_ADJUDICATION_SYSTEM, "reason", Some("Reason"));
    let reason_coding = coding(REASON_SYSTEM, reason.code(), Some(reason.title()));
    object(vec![
        ("category", Some(concept(category, None))),
        ("reason", Some(concept(reason_coding, Some(reason.title())))),
    ])
}

/// One `ClaimResponse.item`; adds its amounts to `totals` (in [`CATEGORIES`] order).
fn item_out(item: &ClaimItem, decision: Option<&Decision>, totals: &mut [i128; 4]) -> Out {
    let submitted = i128::from(item.line.amount.get());
    let mut amounts = vec![submitted];
    if let Some(decision) = decision.filter(|d| d.outcome != Outcome::Held) {
        let benefit = i128::from(decision.budget_paid.get());
        let copay = i128::from(decision.own_payment.get());
        amounts.extend([benefit + copay, benefit, copay]);
    }
    let mut adjudications: Vec<Out> = Vec::new();
    for ((code, cents), total) in CATEGORIES.iter().zip(&amounts).zip(totals.iter_mut()) {
        *total += cents;
        adjudications.push(adjudication(code, *cents));
    }
    if let Some(decision) = decision {
        adjudications.extend(decision.reasons.iter().map(|r| reason_adjudication(*r)));
    }
    let extension = decision.map(|decision| {
        Out::Array(vec![object(vec![
            ("url", Some(Out::str(OUTCOME_EXTENSION))),
            ("valueCode", Some(Out::str(decision.outcome.as_str()))),
        ])])
    });
    object(vec![
        ("extension", extension),
        ("itemSequence", Some(whole(item.sequence))),
        ("adjudication", Some(Out::Array(adjudications))),
    ])
}

//! The demo's privacy tour: consents of every kind (the provider budget view on and off, for
//! every practice or one; marketing consent and an objection), a self-service correction,
//! data-subject requests in every state (open, assigned, awaiting a second approval, carried
//! out, refused, overdue) and one participant's complete export as JSON and HTML.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use ixorg_app::AppContext;
use ixorg_app::privacy::consent::Choice;
use ixorg_app::privacy::requests::{self, NewRequest};
use ixorg_app::privacy::{Staff, consent, export};
use ixorg_domain::ids::{ParticipantId, PracticeId};
use ixorg_domain::privacy::Role;
use ixorg_domain::privacy::consent::Scope;
use ixorg_domain::privacy::request::{CheckedField, ContactField, RequestStatus};
use time::Duration;

/// What the tour left for a visitor to look at.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PrivacyTour {
    /// The export of the first main participant, as JSON.
    pub export_json: PathBuf,
    /// The same export as a readable page.
    pub export_html: PathBuf,
    /// Requests waiting for the privacy officer.
    pub pending_requests: usize,
    /// Requests per state as the privacy officer's list and the requests themselves show them
    /// (`open`, `assigned`, `awaiting_second_approval`, `completed`, `rejected`, `overdue`).
    pub request_states: BTreeMap<&'static str, usize>,
    /// The consent choices made (`provider_view_all_on`, `provider_view_all_off`,
    /// `provider_view_practice_on`, `marketing_on`, `marketing_objection`).
    pub consents: BTreeSet<&'static str>,
    /// The participant statistics (groups below 10 suppressed), as a page.
    pub statistics: PathBuf,
    /// Rows a retention run would change today (a dry run, logged).
    pub retention_due: u64,
}

async fn officer(ctx: &AppContext, username: &str, password: &str) -> anyhow::Result<Staff> {
    Ok(Staff::login(ctx, username, password, Role::PrivacyOfficer).await?)
}

/// Who the tour works with.
#[derive(Clone, Debug)]
pub struct TourCast {
    /// The family's main participant and a child under 16 in the household.
    pub family: (ParticipantId, ParticipantId),
    /// The participant of the credit line.
    pub credit: ParticipantId,
    /// The participant known by BSN.
    pub bsn: ParticipantId,
    /// Other main participants (four are used when there are).
    pub mains: Vec<ParticipantId>,
    /// The practice of the one-practice consent.
    pub practice: PracticeId,
}

/// Runs the tour; `None` when there are fewer than four other main participants.
pub async fn tour(
    ctx: &AppContext,
    cast: &TourCast,
    files: &Path,
) -> anyhow::Result<Option<PrivacyTour>> {
    let [first, second, third, fourth, ..] = cast.mains[..] else {
        return Ok(None);
    };
    let po = officer(ctx, "privacy-officer", "demo-privacy-officer-2026").await?;
    let consents = consents(ctx, cast, first).await?;
    requests::correct_contact(ctx, first, first, ContactField::Phone, "06 1234 5678").await?;
    let mut filed = Vec::new();
    // Filed forty days ago and never answered: past its one-month deadline.
    let earlier = super::year::at(ctx, ctx.clock.now() - Duration::days(40));
    filed.push(requests::file(&earlier, cast.bsn, cast.bsn, NewRequest::Erasure).await?);
    filed.push(requests::file(ctx, cast.family.0, cast.family.0, NewRequest::Access).await?);
    let rename = NewRequest::Rectification {
        field: CheckedField::Surname,
        value: "Jansen-de Vries".into(),
        account_holder: None,
    };
    let renamed = requests::file(ctx, second, second, rename).await?;
    requests::approve(ctx, po, renamed).await?;
    let iban = NewRequest::Rectification {
        field: CheckedField::Iban,
        value: "NL20INGB0001234567".into(),
        account_holder: Some("Demo Rekeninghouder".into()),
    };
    let new_account = requests::file(ctx, third, third, iban).await?;
    requests::approve(ctx, po, new_account).await?;
    let erasure = requests::file(ctx, fourth, fourth, NewRequest::Erasure).await?;
    requests::assign(ctx, po, erasure).await?;
    let restriction =
        requests::file(ctx, cast.credit, cast.credit, NewRequest::Restriction).await?;
    requests::reject(
        ctx,
        po,
        restriction,
        "Uw gegevens zijn nodig voor de lopende incasso; u kunt opnieuw verzoeken na de \
         jaarafrekening.",
    )
    .await?;
    filed.extend([renamed, new_account, erasure, restriction]);
    let doc = export::export(ctx, first, first).await?;
    let (export_json, export_html) =
        doc.write_to(&files.join("privacy"), ixorg_web::export_page::render)?;
    let request_states = states(ctx, po, &filed).await?;
    let pending_requests = requests::pending(ctx, po).await?.len();
    recipients(ctx, po, fourth).await?;
    let statistics = files.join("privacy").join("statistics.md");
    std::fs::write(
        &statistics,
        ixorg_app::statistics::statistics(ctx).await?.to_markdown(),
    )?;
    let retention_due = ixorg_app::retention::run(ctx, ctx.clock.today(), true)
        .await?
        .total();
    Ok(Some(PrivacyTour {
        export_json,
        export_html,
        pending_requests,
        request_states,
        consents,
        statistics,
        retention_due,
    }))
}

/// Every kind of consent choice, through the portal's use case.
async fn consents(
    ctx: &AppContext,
    cast: &TourCast,
    first: ParticipantId,
) -> anyhow::Result<BTreeSet<&'static str>> {
    let mut made = BTreeSet::new();
    for doc in consent::documents_to_accept(ctx, first).await? {
        consent::accept_document(ctx, first, doc.kind, doc.version).await?;
    }
    let (family, child) = cast.family;
    let everyone = Choice::ProviderView(Scope::Everyone);
    let one = Choice::ProviderView(Scope::Practice(cast.practice));
    consent::set(ctx, family, family, everyone, true).await?;
    made.insert("provider_view_all_on");
    // The main participant chooses for the child: only the family's own practice.
    consent::set(ctx, family, child, everyone, false).await?;
    consent::set(ctx, family, child, one, true).await?;
    consent::set(ctx, cast.bsn, cast.bsn, one, true).await?;
    made.insert("provider_view_practice_on");
    consent::set(ctx, cast.credit, cast.credit, everyone, false).await?;
    made.insert("provider_view_all_off");
    for p in [family, cast.bsn, first] {
        consent::set(ctx, p, p, Choice::Marketing, true).await?;
    }
    made.insert("marketing_on");
    consent::object_to_marketing(ctx, first, first).await?;
    made.insert("marketing_objection");
    Ok(made)
}

/// The states of the filed requests as the privacy officer sees them.
async fn states(
    ctx: &AppContext,
    po: Staff,
    filed: &[ixorg_domain::ids::PrivacyRequestId],
) -> anyhow::Result<BTreeMap<&'static str, usize>> {
    let mut states = BTreeMap::new();
    for id in filed {
        let (record, _) = requests::show(ctx, po, *id).await?;
        let name = match record.status {
            RequestStatus::Open if record.owner.is_some() => "assigned",
            status => status.as_str(),
        };
        *states.entry(name).or_default() += 1;
    }
    for pending in requests::pending(ctx, po).await? {
        if pending.overdue {
            *states.entry("overdue").or_default() += 1;
        }
    }
    Ok(states)
}

/// A processor under its agreement, a disclosure under a legal duty, and one without a ground,
/// refused (and logged).
async fn recipients(ctx: &AppContext, po: Staff, subject: ParticipantId) -> anyhow::Result<()> {
    use ixorg_domain::privacy::{Actor, DataCategory, Purpose};
    use ixorg_domain::recipients::ProcessorAgreement;

    use ixorg_app::processors::{self, DisclosureRequest};
    let today = ctx.clock.today();
    processors::register(
        ctx,
        &ProcessorAgreement {
            name: "Mailhuis Noord".into(),
            agreement_reference: "VWO-2026-014".into(),
            signed_on: today,
            ends_on: None,
            categories: vec![DataCategory::Identity, DataCategory::Contact],
            purposes: vec![Purpose::Contact],
        },
    )
    .await?;
    let by = (Actor::Staff(po.id), po.role);
    let request = |ground: Option<&str>| DisclosureRequest {
        participant: subject,
        recipient: "Belastingdienst".into(),
        categories: vec![DataCategory::Financial],
        legal_ground: ground.map(str::to_owned),
        reference: "BD-2026-7781".into(),
    };
    processors::disclose(ctx, by.clone(), request(Some("tax_authority"))).await?;
    let refused = processors::disclose(ctx, by, request(None)).await;
    anyhow::ensure!(
        refused.is_err(),
        "a disclosure without a legal ground is refused"
    );
    Ok(())
}

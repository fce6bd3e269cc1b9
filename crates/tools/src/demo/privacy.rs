//! The demo's privacy tour: consents and an objection, a self-service correction, requests in
//! every state (one carried out, one waiting for a second approval, one open with its deadline)
//! and one participant's complete export as JSON and HTML in the files directory.

use std::path::{Path, PathBuf};

use ixorg_app::AppContext;
use ixorg_app::privacy::requests::{self, NewRequest};
use ixorg_app::privacy::{Staff, consent, export};
use ixorg_domain::ids::ParticipantId;
use ixorg_domain::privacy::Role;
use ixorg_domain::privacy::request::{CheckedField, ContactField};

/// What the tour left for a visitor to look at.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PrivacyTour {
    /// The export of the first main participant, as JSON.
    pub export_json: PathBuf,
    /// The same export as a readable page.
    pub export_html: PathBuf,
    /// Requests waiting for the privacy officer.
    pub pending_requests: usize,
    /// The participant statistics (groups below 10 suppressed), as a page.
    pub statistics: PathBuf,
    /// Rows a retention run would change today (a dry run, logged).
    pub retention_due: u64,
}

async fn officer(ctx: &AppContext, username: &str, password: &str) -> anyhow::Result<Staff> {
    Ok(Staff::login(ctx, username, password, Role::PrivacyOfficer).await?)
}

/// Runs the tour for the main participants `mains` (at least four are used when there are).
pub async fn tour(
    ctx: &AppContext,
    mains: &[ParticipantId],
    files: &Path,
) -> anyhow::Result<Option<PrivacyTour>> {
    let [first, second, third, fourth, ..] = mains else {
        return Ok(None);
    };
    let po = officer(ctx, "privacy-officer", "demo-privacy-officer-2026").await?;
    for doc in consent::documents_to_accept(ctx, *first).await? {
        consent::accept_document(ctx, *first, doc.kind, doc.version).await?;
    }
    for p in [first, second, third] {
        consent::set(ctx, *p, *p, consent::Choice::Marketing, true).await?;
    }
    consent::object_to_marketing(ctx, *first, *first).await?;
    requests::correct_contact(ctx, *first, *first, ContactField::Phone, "06 1234 5678").await?;
    let rename = NewRequest::Rectification {
        field: CheckedField::Surname,
        value: "Jansen-de Vries".into(),
        account_holder: None,
    };
    let renamed = requests::file(ctx, *second, *second, rename).await?;
    requests::approve(ctx, po, renamed).await?;
    let iban = NewRequest::Rectification {
        field: CheckedField::Iban,
        value: "NL20INGB0001234567".into(),
        account_holder: Some("Demo Rekeninghouder".into()),
    };
    let new_account = requests::file(ctx, *third, *third, iban).await?;
    requests::approve(ctx, po, new_account).await?;
    requests::file(ctx, *fourth, *fourth, NewRequest::Access).await?;
    let doc = export::export(ctx, *first, *first).await?;
    let (export_json, export_html) =
        doc.write_to(&files.join("privacy"), ixorg_web::export_page::render)?;
    let pending_requests = requests::pending(ctx, po).await?.len();
    recipients(ctx, po, *fourth).await?;
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
        statistics,
        retention_due,
    }))
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

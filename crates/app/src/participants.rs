//! Participants: registering a household, and reading a participant through the gate with the
//! masking the grant requires.

use ixorg_domain::Cents;
use ixorg_domain::identifiers::{Bsn, Iban, ParticipantNumber};
use ixorg_domain::ids::{ConsentEventId, ContractId, LedgerAccountId, ParticipantId, PracticeId};
use ixorg_domain::ledger::AccountKind;
use ixorg_domain::person::PersonalDetails;
use ixorg_domain::privacy::consent::{ConsentKind, ConsentSource};
use ixorg_domain::privacy::{Action, Actor, DataCategory, Purpose, Refusal, Role, View};
use ixorg_domain::terms::HouseholdRole;
use ixorg_store::gate::AccessRequest;
use ixorg_store::participants::{self as repo, NewContract, ParticipantRecord};
use ixorg_store::{ConflictKind, ledger};
use time::Date;

use crate::access::{self, AccessError};
use crate::context::AppContext;
use crate::crypto::CryptoError;

/// One member of a new household. `Debug` is redacted field by field by the newtypes; names are
/// left out entirely.
#[derive(Clone)]
pub struct NewMember {
    /// Main, partner or child.
    pub role: HouseholdRole,
    /// Names, date of birth, gender, address and contact details.
    pub details: PersonalDetails,
    /// The BSN, only where there is a legal ground; optional everywhere.
    pub bsn: Option<Bsn>,
    /// The chosen annual budget.
    pub annual_budget: Cents,
    /// The participant's practice.
    pub practice: Option<PracticeId>,
}

impl std::fmt::Debug for NewMember {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("NewMember")
            .field("role", &self.role)
            .field("bsn", &self.bsn)
            .finish_non_exhaustive()
    }
}

/// A new household: the contract and its members. `Debug` leaves out the account holder.
#[derive(Clone)]
pub struct NewHousehold {
    /// First day of the contract.
    pub start_date: Date,
    /// The payer's IBAN.
    pub iban: Iban,
    /// The account holder's name.
    pub account_holder: String,
    /// The members, the main participant among them.
    pub members: Vec<NewMember>,
    /// The day the SEPA mandate was signed.
    pub mandate_signed_on: Date,
    /// Whether the participants let their dentist see their budget.
    pub provider_view_consent: bool,
}

impl std::fmt::Debug for NewHousehold {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("NewHousehold")
            .field("start_date", &self.start_date)
            .field("iban", &self.iban)
            .field("members", &self.members)
            .finish_non_exhaustive()
    }
}

/// A registered household.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RegisteredHousehold {
    /// The contract.
    pub contract: ContractId,
    /// The SEPA mandate.
    pub mandate: ixorg_domain::identifiers::MandateId,
    /// The members, in input order: id, number and budget account.
    pub members: Vec<(ParticipantId, ParticipantNumber, LedgerAccountId)>,
}

/// Why a household could not be registered.
#[derive(Debug, thiserror::Error)]
pub enum RegisterError {
    /// The household has no members, too many, or not exactly one main participant.
    #[error("a household has 1 to 12 members, exactly one of them the main participant")]
    Shape,
    /// Another participant has the same BSN.
    #[error("member {member}: a participant with this BSN exists")]
    DuplicateBsn {
        /// The index of the member in the input.
        member: usize,
    },
    /// A BSN was given but no data key is configured.
    #[error(transparent)]
    Crypto(#[from] CryptoError),
    /// The gate refused.
    #[error(transparent)]
    Access(#[from] AccessError),
    /// The terms are not in force on the start date.
    #[error("no product terms are in force on the start date")]
    NoTerms,
    /// The database failed.
    #[error(transparent)]
    Store(ixorg_store::Error),
}

impl From<ixorg_store::Error> for RegisterError {
    fn from(e: ixorg_store::Error) -> Self {
        RegisterError::Store(e)
    }
}

/// The most households one call may register (one transaction).
pub const HOUSEHOLDS_PER_CALL_MAX: usize = 5_000;

/// Registers a household on behalf of `actor` (a batch job or an accepted application): the
/// contract, each member with a new participant number, the encrypted BSN and its blind index
/// when given, a budget account with the credit line of the product terms, and the SEPA mandate
/// (its id made from the main participant's number).
pub async fn register_household(
    ctx: &AppContext,
    actor: Actor,
    household: NewHousehold,
) -> Result<RegisteredHousehold, RegisterError> {
    let mut done = register_households(ctx, actor, vec![household]).await?;
    Ok(done.pop().expect("BUG: one household in, one out"))
}

/// Registers many households in one transaction: all of them or none.
pub async fn register_households(
    ctx: &AppContext,
    actor: Actor,
    households: Vec<NewHousehold>,
) -> Result<Vec<RegisteredHousehold>, RegisterError> {
    if households.len() > HOUSEHOLDS_PER_CALL_MAX {
        return Err(RegisterError::Shape);
    }
    let mut categories = vec![
        DataCategory::Identity,
        DataCategory::Contact,
        DataCategory::Financial,
        DataCategory::Account,
    ];
    let members = || households.iter().flat_map(|h| h.members.iter());
    if members().any(|m| m.practice.is_some()) {
        categories.push(DataCategory::ProviderLink);
    }
    if members().any(|m| m.bsn.is_some()) {
        categories.push(DataCategory::NationalId);
        ctx.crypto()?;
    }
    if households.iter().any(|h| h.provider_view_consent) {
        categories.push(DataCategory::Consent);
    }
    let request = AccessRequest {
        actor,
        role: Role::System,
        purpose: Some(Purpose::ServiceDelivery),
        subject: None,
        categories,
        action: Action::Change,
    };
    let (mut tx, grant) = access::begin(ctx, request).await?;
    let mut out = Vec::with_capacity(households.len());
    for household in households {
        out.push(insert_household(ctx, &mut tx, &grant, household).await?);
    }
    tx.commit().await?;
    tracing::info!(households = out.len(), "Registered households");
    Ok(out)
}

/// Inserts one household in the caller's transaction (used by applications too).
pub(crate) async fn insert_household(
    ctx: &AppContext,
    tx: &mut ixorg_store::Tx,
    grant: &ixorg_store::gate::Grant,
    household: NewHousehold,
) -> Result<RegisteredHousehold, RegisterError> {
    let mains = household
        .members
        .iter()
        .filter(|m| m.role == HouseholdRole::Main)
        .count();
    if household.members.is_empty()
        || household.members.len() > ixorg_domain::enrollment::MEMBERS_MAX
        || mains != 1
    {
        return Err(RegisterError::Shape);
    }
    let terms = ctx
        .terms
        .resolve(household.start_date)
        .map_err(|_| RegisterError::NoTerms)?
        .clone();
    let now = ctx.now();
    let contract = ContractId::from_uuid(ctx.ids.new_uuid());
    let new_contract = NewContract {
        id: contract,
        start_date: household.start_date,
        iban: household.iban.clone(),
        account_holder: household.account_holder.clone(),
    };
    repo::insert_contract(tx, grant, &new_contract, now).await?;
    let mut members = Vec::with_capacity(household.members.len());
    let mut main_number = None;
    for (index, m) in household.members.into_iter().enumerate() {
        let id = ParticipantId::from_uuid(ctx.ids.new_uuid());
        let number = repo::next_participant_number(tx).await?;
        if m.role == HouseholdRole::Main {
            main_number = Some(number.clone());
        }
        let (bsn_ciphertext, bsn_blind_index) = match &m.bsn {
            Some(bsn) => {
                let crypto = ctx.crypto()?;
                (
                    Some(crypto.encrypt_bsn(id.uuid(), bsn)?),
                    Some(crypto.blind_index(bsn)),
                )
            }
            None => (None, None),
        };
        let record = ParticipantRecord {
            id,
            contract,
            number: number.clone(),
            role: m.role,
            details: m.details,
            bsn_ciphertext,
            bsn_blind_index,
            annual_budget: m.annual_budget,
            practice: m.practice,
        };
        match repo::insert_participant(tx, grant, &record, now).await {
            Err(ixorg_store::Error::Conflict(ConflictKind::DuplicateBsn)) => {
                return Err(RegisterError::DuplicateBsn { member: index });
            }
            other => other?,
        }
        let budget = LedgerAccountId::from_uuid(ctx.ids.new_uuid());
        let account = ledger::NewAccount {
            id: budget,
            kind: AccountKind::Budget,
            code: None,
            participant: Some(id),
            payee: None,
            credit_line: terms.credit_line(m.annual_budget),
        };
        ledger::open_account(tx, &account, now).await?;
        members.push((id, number, budget));
    }
    let main_number = main_number.expect("BUG: the household has a main participant");
    let mandate_id = ixorg_domain::identifiers::MandateId::of_main_participant(&main_number);
    let mandate = ixorg_store::enrollment::Mandate {
        id: mandate_id.clone(),
        contract,
        signed_on: household.mandate_signed_on,
        iban: household.iban,
        account_holder: household.account_holder,
        amended_from_iban: None,
        successful_collections: 0,
        last_first_failed: false,
    };
    ixorg_store::enrollment::insert_mandate(tx, grant, &mandate, now).await?;
    if household.provider_view_consent {
        ixorg_store::enrollment::set_provider_view_consent(tx, contract, true).await?;
        for (member, _, _) in &members {
            let consent = ixorg_store::consent::NewConsent {
                id: ConsentEventId::from_uuid(ctx.ids.new_uuid()),
                participant: *member,
                kind: ConsentKind::ProviderView,
                practice: None,
                provider: None,
                granted: true,
                document_version: None,
                source: ConsentSource::Application,
            };
            ixorg_store::consent::append(tx, grant, &consent, now).await?;
        }
    }
    tracing::debug!(contract.id = %contract, members = members.len(), "Registered household");
    Ok(RegisteredHousehold {
        contract,
        mandate: mandate_id,
        members,
    })
}

/// Who reads: an actor in a role.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Viewer {
    /// Who.
    pub actor: Actor,
    /// In which role.
    pub role: Role,
}

/// A participant as one viewer may see them: each field present only when its category was
/// asked for and granted, and masked where the grant says so.
#[derive(Clone, PartialEq, Eq)]
pub struct ParticipantView {
    /// Id.
    pub id: ParticipantId,
    /// Participant number.
    pub number: ParticipantNumber,
    /// Household role.
    pub role: HouseholdRole,
    /// Full name (identity).
    pub full_name: String,
    /// Date of birth (identity).
    pub date_of_birth: Date,
    /// Postcode and city (contact).
    pub address: String,
    /// Email (contact).
    pub email: Option<String>,
    /// BSN: full or masked, when national id was asked and granted.
    pub bsn: Option<String>,
    /// Annual budget (financial), when financial data was asked and granted.
    pub annual_budget: Option<Cents>,
}

impl std::fmt::Debug for ParticipantView {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ParticipantView")
            .field("id", &self.id)
            .finish_non_exhaustive()
    }
}

/// Why a participant could not be shown.
#[derive(Debug, thiserror::Error)]
pub enum ViewError {
    /// The gate refused (and logged it).
    #[error("access refused: {0}")]
    Refused(Refusal),
    /// No such participant.
    #[error("participant not found")]
    NotFound,
    /// The BSN could not be decrypted.
    #[error(transparent)]
    Crypto(#[from] CryptoError),
    /// The database failed.
    #[error(transparent)]
    Store(ixorg_store::Error),
}

impl From<AccessError> for ViewError {
    fn from(e: AccessError) -> Self {
        match e {
            AccessError::Refused(r) => ViewError::Refused(r),
            AccessError::Store(s) => ViewError::Store(s),
        }
    }
}

impl From<ixorg_store::Error> for ViewError {
    fn from(e: ixorg_store::Error) -> Self {
        match e {
            ixorg_store::Error::NotFound => ViewError::NotFound,
            other => ViewError::Store(other),
        }
    }
}

/// Reads one participant for `purpose`. Identity and contact are always asked; `extra` may add
/// national id and financial data. The read is logged unless the viewer is the participant.
pub async fn view(
    ctx: &AppContext,
    viewer: Viewer,
    purpose: Option<Purpose>,
    id: ParticipantId,
    extra: &[DataCategory],
) -> Result<ParticipantView, ViewError> {
    let mut categories = vec![DataCategory::Identity, DataCategory::Contact];
    for c in extra {
        if !categories.contains(c) {
            categories.push(*c);
        }
    }
    let request = AccessRequest {
        actor: viewer.actor,
        role: viewer.role,
        purpose,
        subject: Some(id),
        categories,
        action: Action::Read,
    };
    let (mut tx, grant) = access::begin(ctx, request).await?;
    let p = repo::get(&mut tx, &grant, id).await?;
    tx.commit().await?;
    let bsn = match (grant.view(DataCategory::NationalId), &p.bsn_ciphertext) {
        (Some(view), Some(ct)) => {
            let bsn = ctx.crypto()?.decrypt_bsn(id.uuid(), ct)?;
            Some(match view {
                View::Full => bsn.expose().to_owned(),
                View::Masked => bsn.masked(),
            })
        }
        _ => None,
    };
    let annual_budget = grant.view(DataCategory::Financial).map(|_| p.annual_budget);
    Ok(ParticipantView {
        id: p.id,
        number: p.number.clone(),
        role: p.role,
        full_name: p.details.full_name(),
        date_of_birth: p.details.date_of_birth,
        address: format!("{} {}", p.details.postcode, p.details.city),
        email: p.details.email.clone(),
        bsn,
        annual_budget,
    })
}

/// Finds a participant by BSN through the blind index (never by plain value).
pub async fn find_by_bsn(
    ctx: &AppContext,
    viewer: Viewer,
    purpose: Option<Purpose>,
    bsn: &Bsn,
) -> Result<Option<ParticipantId>, ViewError> {
    let index = ctx.crypto()?.blind_index(bsn);
    let request = AccessRequest {
        actor: viewer.actor,
        role: viewer.role,
        purpose,
        subject: None,
        categories: vec![DataCategory::NationalId],
        action: Action::Read,
    };
    let (mut tx, grant) = access::begin(ctx, request).await?;
    let found = repo::find_by_bsn_index(&mut tx, &grant, &index).await?;
    tx.commit().await?;
    Ok(found)
}

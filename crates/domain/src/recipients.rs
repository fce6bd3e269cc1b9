//! Who else receives personal data: processors under a processor agreement (`PRIVACY.md` §3,
//! promise P22) and third parties under a legal duty (promise P23).
//!
//! - A processor acts only on the operator's instructions. It is registered with its agreement
//!   (reference, signed on, ends on) and the categories and purposes the agreement covers;
//!   [`ProcessorAgreement::allows`] decides whether one access is within it, on one day.
//! - A disclosure to any other third party needs a legal duty; the grounds the operator can
//!   have are the closed vocabulary [`LegalGround`], each naming its statute. Anything else is
//!   refused.

use std::fmt;
use std::str::FromStr;

use time::Date;

use crate::privacy::{DataCategory, Purpose, Refusal};

/// The legal duties under which data may go to a third party (GDPR art. 6(1)(c)).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum LegalGround {
    /// A request of the tax authority (Algemene wet inzake rijksbelastingen, art. 47).
    TaxAuthority,
    /// A claim of the public prosecutor in a criminal investigation (Wetboek van Strafvordering,
    /// art. 126nd).
    CriminalInvestigation,
    /// A supervisor's demand for information (Algemene wet bestuursrecht, art. 5:16 and 5:20:
    /// the Dutch Healthcare Authority, the Healthcare Inspectorate, the Autoriteit
    /// Persoonsgegevens).
    Supervisor,
    /// A court order (Wetboek van Burgerlijke Rechtsvordering, art. 843a, or another order).
    CourtOrder,
    /// A bailiff's garnishment: the duty to declare what is held for the debtor (Wetboek van
    /// Burgerlijke Rechtsvordering, art. 476a).
    Garnishment,
}

impl LegalGround {
    /// Every ground.
    pub const ALL: &'static [LegalGround] = &[
        LegalGround::TaxAuthority,
        LegalGround::CriminalInvestigation,
        LegalGround::Supervisor,
        LegalGround::CourtOrder,
        LegalGround::Garnishment,
    ];

    /// The stored name.
    pub const fn as_str(self) -> &'static str {
        match self {
            LegalGround::TaxAuthority => "tax_authority",
            LegalGround::CriminalInvestigation => "criminal_investigation",
            LegalGround::Supervisor => "supervisor",
            LegalGround::CourtOrder => "court_order",
            LegalGround::Garnishment => "garnishment",
        }
    }

    /// The statute that makes the disclosure a legal duty.
    pub const fn statute(self) -> &'static str {
        match self {
            LegalGround::TaxAuthority => "Algemene wet inzake rijksbelastingen art. 47",
            LegalGround::CriminalInvestigation => "Wetboek van Strafvordering art. 126nd",
            LegalGround::Supervisor => "Algemene wet bestuursrecht art. 5:16 and 5:20",
            LegalGround::CourtOrder => "Wetboek van Burgerlijke Rechtsvordering art. 843a",
            LegalGround::Garnishment => "Wetboek van Burgerlijke Rechtsvordering art. 476a",
        }
    }
}

impl fmt::Display for LegalGround {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A name that is not a [`LegalGround`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
#[error("not a recorded legal ground")]
pub struct UnknownLegalGround;

impl FromStr for LegalGround {
    type Err = UnknownLegalGround;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        LegalGround::ALL
            .iter()
            .copied()
            .find(|g| g.as_str() == s)
            .ok_or(UnknownLegalGround)
    }
}

/// The refusal of a disclosure that names no legal ground (or one outside [`LegalGround`]).
pub const NO_LEGAL_GROUND: Refusal = Refusal::Rule("no_legal_ground");
/// The refusal of a processor that is not in the register.
pub const PROCESSOR_NOT_REGISTERED: Refusal = Refusal::Rule("processor_not_registered");
/// The refusal of a processor whose agreement is not signed yet or has ended.
pub const AGREEMENT_NOT_CURRENT: Refusal = Refusal::Rule("processor_agreement_not_current");
/// The refusal of a processor whose agreement does not cover the categories or purpose.
pub const AGREEMENT_DOES_NOT_COVER: Refusal = Refusal::Rule("processor_agreement_does_not_cover");

/// A registered processor and what its agreement covers.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ProcessorAgreement {
    /// The register name (the actor id of its accesses).
    pub name: String,
    /// The agreement's reference.
    pub agreement_reference: String,
    /// The day it was signed (in force from).
    pub signed_on: Date,
    /// The last day it is in force, if it ends.
    pub ends_on: Option<Date>,
    /// The categories of data it may handle.
    pub categories: Vec<DataCategory>,
    /// The purposes it may handle them for.
    pub purposes: Vec<Purpose>,
}

impl ProcessorAgreement {
    /// True on the days from `signed_on` to `ends_on`, both included.
    pub fn current_on(&self, day: Date) -> bool {
        self.signed_on <= day && self.ends_on.is_none_or(|end| day <= end)
    }

    /// Decides whether an access for `purpose` to `categories` on `day` is within the agreement.
    ///
    /// # Errors
    /// [`AGREEMENT_NOT_CURRENT`] or [`AGREEMENT_DOES_NOT_COVER`].
    pub fn allows(
        &self,
        day: Date,
        purpose: Option<Purpose>,
        categories: &[DataCategory],
    ) -> Result<(), Refusal> {
        if !self.current_on(day) {
            return Err(AGREEMENT_NOT_CURRENT);
        }
        let purpose_covered = purpose.is_some_and(|p| self.purposes.contains(&p));
        if !purpose_covered || categories.iter().any(|c| !self.categories.contains(c)) {
            return Err(AGREEMENT_DOES_NOT_COVER);
        }
        Ok(())
    }
}

/// Parses a comma-separated list of names of a vocabulary (`identity,contact`).
///
/// # Errors
/// The name that does not parse.
pub fn parse_list<T: FromStr>(text: &str) -> Result<Vec<T>, String> {
    text.split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(|s| s.parse().map_err(|_| s.to_owned()))
        .collect()
}

/// Writes names as a comma-separated list (the stored form).
pub fn join_list<T: fmt::Display>(items: &[T]) -> String {
    items
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join(",")
}

#[cfg(test)]
mod tests {
    use time::macros::date;

    use super::*;

    fn mailing_house() -> ProcessorAgreement {
        ProcessorAgreement {
            name: "mailhouse".into(),
            agreement_reference: "VWO-2026-01".into(),
            signed_on: date!(2026 - 01 - 01),
            ends_on: Some(date!(2026 - 12 - 31)),
            categories: vec![DataCategory::Identity, DataCategory::Contact],
            purposes: vec![Purpose::Contact],
        }
    }

    #[test]
    fn a_processor_may_act_only_within_its_current_agreement() {
        let p = mailing_house();
        let day = date!(2026 - 06 - 01);
        let contact = [DataCategory::Contact];
        assert_eq!(p.allows(day, Some(Purpose::Contact), &contact), Ok(()));
        assert_eq!(
            p.allows(date!(2027 - 01 - 01), Some(Purpose::Contact), &contact),
            Err(AGREEMENT_NOT_CURRENT)
        );
        assert_eq!(
            p.allows(date!(2025 - 12 - 31), Some(Purpose::Contact), &contact),
            Err(AGREEMENT_NOT_CURRENT)
        );
        assert_eq!(
            p.allows(day, Some(Purpose::Contact), &[DataCategory::Care]),
            Err(AGREEMENT_DOES_NOT_COVER)
        );
        assert_eq!(
            p.allows(day, Some(Purpose::Promotion), &contact),
            Err(AGREEMENT_DOES_NOT_COVER)
        );
        assert_eq!(p.allows(day, None, &contact), Err(AGREEMENT_DOES_NOT_COVER));
    }

    #[test]
    fn every_legal_ground_names_a_statute_and_parses_back() {
        for g in LegalGround::ALL {
            assert_eq!(g.as_str().parse::<LegalGround>(), Ok(*g));
            assert!(g.statute().contains("art."));
        }
        assert!("because we want to".parse::<LegalGround>().is_err());
    }

    #[test]
    fn lists_of_names_round_trip() {
        let cats: Vec<DataCategory> = parse_list("identity, contact").expect("parses");
        assert_eq!(join_list(&cats), "identity,contact");
        assert_eq!(
            parse_list::<DataCategory>("identity,bogus"),
            Err("bogus".to_owned())
        );
    }
}

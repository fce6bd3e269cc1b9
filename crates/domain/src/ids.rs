//! Typed ids: one newtype around a UUID per kind of thing, so swapped ids do not compile.
//!
//! Ids are made with the [`decl_id!`](crate::decl_id) macro. New ids come from the
//! application's id generator (`AppContext`), never from `Uuid::new_v4()` here: this crate
//! reads no randomness.

pub use uuid::Uuid;

/// Why a text is not an id. The message repeats no input.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
#[error("not a valid id (expected a UUID such as 67e55044-10b1-426f-9247-bb680e5fe0c8)")]
pub struct IdParseError;

/// Declares a typed id: `pub struct $name(Uuid)` with `Copy`, ordering, hashing, `Display`
/// (hyphenated UUID), `Debug` (`Name(uuid)`) and `FromStr`.
///
/// ```
/// ixorg_domain::decl_id!(
///     /// A thing in an example.
///     ExampleId
/// );
/// let id = ExampleId::from_uuid(ixorg_domain::ids::Uuid::nil());
/// assert_eq!(format!("{id:?}"), "ExampleId(00000000-0000-0000-0000-000000000000)");
/// ```
#[macro_export]
macro_rules! decl_id {
    ($(#[$meta:meta])* $name:ident) => {
        $(#[$meta])*
        #[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub struct $name($crate::ids::Uuid);

        impl $name {
            /// Wraps an existing UUID (from the database or the id generator).
            #[must_use]
            pub const fn from_uuid(uuid: $crate::ids::Uuid) -> Self {
                Self(uuid)
            }

            /// The UUID inside.
            #[must_use]
            pub const fn as_uuid(&self) -> $crate::ids::Uuid {
                self.0
            }

            /// The UUID inside, by value.
            #[must_use]
            pub const fn uuid(self) -> $crate::ids::Uuid {
                self.0
            }
        }

        impl ::std::convert::From<$crate::ids::Uuid> for $name {
            fn from(uuid: $crate::ids::Uuid) -> Self {
                Self(uuid)
            }
        }

        impl ::std::convert::From<$name> for $crate::ids::Uuid {
            fn from(id: $name) -> Self {
                id.0
            }
        }

        impl ::std::fmt::Display for $name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                ::std::fmt::Display::fmt(&self.0.hyphenated(), f)
            }
        }

        impl ::std::fmt::Debug for $name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                write!(f, "{}({})", stringify!($name), self.0.hyphenated())
            }
        }

        impl ::std::str::FromStr for $name {
            type Err = $crate::ids::IdParseError;

            fn from_str(text: &str) -> ::std::result::Result<Self, Self::Err> {
                $crate::ids::Uuid::try_parse(text.trim())
                    .map(Self)
                    .map_err(|_| $crate::ids::IdParseError)
            }
        }
    };
}

decl_id!(
    /// A contract: one main participant plus optional further participants.
    ContractId
);
decl_id!(
    /// A participant (deelnemer) in the plan.
    ParticipantId
);
decl_id!(
    /// A dental practice (with its own AGB code).
    PracticeId
);
decl_id!(
    /// A care provider (mondzorgverlener), a person with an AGB code.
    ProviderId
);
decl_id!(
    /// A billing intermediary (declaratiedienstverlener) that submits and is paid on behalf of
    /// practices.
    BillingIntermediaryId
);
decl_id!(
    /// A payee of a payout: a practice, a billing intermediary or a participant.
    PayeeId
);
decl_id!(
    /// A staff user (medewerker) of the operator.
    StaffUserId
);
decl_id!(
    /// An account in the ledger.
    LedgerAccountId
);
decl_id!(
    /// A balanced transfer in the ledger.
    LedgerTransferId
);
decl_id!(
    /// A data-subject request (access, rectification, erasure, restriction, objection).
    PrivacyRequestId
);
decl_id!(
    /// One consent given or withdrawn.
    ConsentEventId
);

decl_id!(
    /// A batch of declaration lines: one MZ301 file, JSON API call or FHIR claim.
    DeclarationBatchId
);

decl_id!(
    /// A collection run: one pain.008 file for one collection date.
    CollectionRunId
);

decl_id!(
    /// A payout run: one pain.001 file.
    PayoutRunId
);

#[cfg(test)]
mod tests {
    use super::*;

    const SAMPLE: &str = "67e55044-10b1-426f-9247-bb680e5fe0c8";

    #[test]
    fn an_id_displays_as_its_hyphenated_uuid_and_parses_back() {
        let id: ParticipantId = SAMPLE.parse().expect("valid uuid");
        assert_eq!(id.to_string(), SAMPLE);
        assert_eq!(id.to_string().parse::<ParticipantId>(), Ok(id));
    }

    #[test]
    fn debug_names_the_kind_of_id() {
        let id: ContractId = SAMPLE.parse().expect("valid uuid");
        assert_eq!(format!("{id:?}"), format!("ContractId({SAMPLE})"));
    }

    #[test]
    fn an_id_round_trips_through_its_uuid() {
        let uuid = Uuid::try_parse(SAMPLE).expect("valid uuid");
        let id = LedgerAccountId::from_uuid(uuid);
        assert_eq!(id.as_uuid(), uuid);
        assert_eq!(id.uuid(), uuid);
        assert_eq!(Uuid::from(id), uuid);
        assert_eq!(LedgerAccountId::from(uuid), id);
    }

    #[test]
    fn text_that_is_not_a_uuid_is_rejected() {
        assert_eq!("not-an-id".parse::<PayeeId>(), Err(IdParseError));
        assert_eq!("".parse::<StaffUserId>(), Err(IdParseError));
    }
}

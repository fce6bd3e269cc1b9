//! Consents: append-only events, of which the newest covering one is in force.
//!
//! A participant gives or withdraws consent for the provider budget view (for every provider, one
//! practice or one provider), for marketing, for optional cookies, and accepts a version of the
//! privacy statement and the cookie policy. Nothing is overwritten: each change is a new
//! [`ConsentEvent`], and [`in_force`] reads the newest event whose scope covers the question.

use crate::ids::PracticeId;
use crate::timestamp::Timestamp;

vocabulary! {
    /// What a consent is about.
    ConsentKind, "consent kind" {
        /// A care provider may see the participant's budget (balance and credit left only).
        ProviderView => "provider_view",
        /// Promotional messages (an objection under GDPR art. 21 withdraws it at once).
        Marketing => "marketing",
        /// Cookies that are not strictly necessary (Telecommunicatiewet art. 11.7a).
        OptionalCookies => "optional_cookies",
        /// The accepted version of the privacy statement.
        PrivacyStatement => "privacy_statement",
        /// The accepted version of the cookie policy.
        CookiePolicy => "cookie_policy",
    }
}

vocabulary! {
    /// Where a consent event came from.
    ConsentSource, "consent source" {
        /// The application form.
        Application => "application",
        /// The participant in the portal.
        Portal => "portal",
        /// Staff, on the participant's written or spoken instruction.
        Staff => "staff",
        /// An objection to direct marketing (GDPR art. 21).
        Objection => "objection",
        /// Carried over from the contract when consent events were introduced.
        Migration => "migration",
    }
}

vocabulary! {
    /// A versioned document the participant accepts.
    DocumentKind, "document kind" {
        /// The privacy statement.
        PrivacyStatement => "privacy_statement",
        /// The cookie policy.
        CookiePolicy => "cookie_policy",
    }
}

impl DocumentKind {
    /// The consent kind that records acceptance of this document.
    pub const fn consent_kind(self) -> ConsentKind {
        match self {
            DocumentKind::PrivacyStatement => ConsentKind::PrivacyStatement,
            DocumentKind::CookiePolicy => ConsentKind::CookiePolicy,
        }
    }
}

/// Whom a provider-view consent is for. Other kinds always have [`Scope::Everyone`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Scope {
    /// Every provider (or, for other kinds, the consent as a whole).
    Everyone,
    /// One practice and its providers.
    Practice(PracticeId),
}

impl Scope {
    /// Whether this scope covers a question about `practice` (`None`: a question about the
    /// consent as a whole, covered only by [`Scope::Everyone`]).
    pub fn covers(self, practice: Option<PracticeId>) -> bool {
        match (self, practice) {
            (Scope::Everyone, _) => true,
            (Scope::Practice(mine), Some(asked)) => mine == asked,
            (Scope::Practice(_), None) => false,
        }
    }
}

/// One consent given or withdrawn, in the order recorded (`sequence`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ConsentEvent {
    /// The order of recording; later events win.
    pub sequence: i64,
    /// What it is about.
    pub kind: ConsentKind,
    /// For whom (provider view) or everyone.
    pub scope: Scope,
    /// Given (true) or withdrawn (false).
    pub granted: bool,
    /// The accepted document version (privacy statement, cookie policy).
    pub document_version: Option<u32>,
    /// Where it came from.
    pub source: ConsentSource,
    /// When it was recorded.
    pub recorded_at: Timestamp,
}

/// Whether consent of `kind` is in force for `practice`: the newest event of that kind whose
/// scope covers the question decides; no event means no consent.
///
/// So a withdrawal for everyone stops every practice's view at once, and a later consent for one
/// practice opens the view for that practice only.
pub fn in_force(events: &[ConsentEvent], kind: ConsentKind, practice: Option<PracticeId>) -> bool {
    events
        .iter()
        .filter(|e| e.kind == kind && e.scope.covers(practice))
        .max_by_key(|e| e.sequence)
        .is_some_and(|e| e.granted)
}

/// The newest accepted version of a document, if any.
pub fn accepted_version(events: &[ConsentEvent], document: DocumentKind) -> Option<u32> {
    events
        .iter()
        .filter(|e| e.kind == document.consent_kind() && e.granted)
        .max_by_key(|e| e.sequence)
        .and_then(|e| e.document_version)
}

/// Whether the participant must be shown `current` at the next login: they accepted none, or an
/// older version.
pub fn must_accept(accepted: Option<u32>, current: u32) -> bool {
    accepted.is_none_or(|v| v < current)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use uuid::Uuid;

    fn practice(n: u128) -> PracticeId {
        PracticeId::from_uuid(Uuid::from_u128(n))
    }

    fn event(sequence: i64, scope: Scope, granted: bool) -> ConsentEvent {
        ConsentEvent {
            sequence,
            kind: ConsentKind::ProviderView,
            scope,
            granted,
            document_version: None,
            source: ConsentSource::Portal,
            recorded_at: Timestamp::from_unix_ms(sequence),
        }
    }

    #[test]
    fn without_any_event_there_is_no_consent() {
        assert!(!in_force(&[], ConsentKind::ProviderView, Some(practice(1))));
    }

    #[test]
    fn a_withdrawal_for_everyone_stops_every_practice_at_once() {
        let events = [
            event(1, Scope::Practice(practice(1)), true),
            event(2, Scope::Everyone, true),
            event(3, Scope::Everyone, false),
        ];
        assert!(!in_force(
            &events,
            ConsentKind::ProviderView,
            Some(practice(1))
        ));
        assert!(!in_force(
            &events,
            ConsentKind::ProviderView,
            Some(practice(2))
        ));
    }

    #[test]
    fn a_later_consent_for_one_practice_opens_the_view_for_that_practice_only() {
        let events = [
            event(1, Scope::Everyone, false),
            event(2, Scope::Practice(practice(1)), true),
        ];
        assert!(in_force(
            &events,
            ConsentKind::ProviderView,
            Some(practice(1))
        ));
        assert!(!in_force(
            &events,
            ConsentKind::ProviderView,
            Some(practice(2))
        ));
    }

    #[test]
    fn a_consent_of_another_kind_does_not_count() {
        let mut marketing = event(1, Scope::Everyone, true);
        marketing.kind = ConsentKind::Marketing;
        assert!(!in_force(&[marketing], ConsentKind::ProviderView, None));
        assert!(in_force(&[marketing], ConsentKind::Marketing, None));
    }

    #[test]
    fn a_new_privacy_statement_version_must_be_accepted_again() {
        assert!(must_accept(None, 1));
        assert!(must_accept(Some(1), 2));
        assert!(!must_accept(Some(2), 2));
    }

    proptest! {
        #[test]
        fn the_newest_covering_event_always_decides(
            grants in proptest::collection::vec((any::<bool>(), 0u8..3), 1..20),
        ) {
            let events: Vec<ConsentEvent> = grants
                .iter()
                .enumerate()
                .map(|(i, (granted, scope))| {
                    let scope = match scope {
                        0 => Scope::Everyone,
                        n => Scope::Practice(practice(u128::from(*n))),
                    };
                    event(i64::try_from(i).expect("small"), scope, *granted)
                })
                .collect();
            let asked = practice(1);
            let newest = events
                .iter()
                .rev()
                .find(|e| e.scope.covers(Some(asked)))
                .is_some_and(|e| e.granted);
            prop_assert_eq!(in_force(&events, ConsentKind::ProviderView, Some(asked)), newest);
        }
    }
}

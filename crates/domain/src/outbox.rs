//! Messages to participants and what an application became: the vocabulary of the outbox.
//!
//! A message is stored in the transaction of the change that causes it and sent later to the
//! address on file, so that what a visitor who is not logged in is told never depends on
//! whether someone else's data exists.

use crate::account::LinkPurpose;

/// What an application became.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ApplicationStatus {
    /// A contract was made.
    Accepted,
    /// The form broke acceptance rules that need no one else's data (told to the sender).
    Rejected,
    /// The form was valid, but the person already has a contract or left one unpaid: staff
    /// handle it, and the participant on file is told.
    Referred,
}

impl ApplicationStatus {
    /// The stored name.
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            ApplicationStatus::Accepted => "accepted",
            ApplicationStatus::Rejected => "rejected",
            ApplicationStatus::Referred => "referred",
        }
    }

    /// The status of a stored name.
    #[must_use]
    pub fn from_name(name: &str) -> Option<ApplicationStatus> {
        [
            ApplicationStatus::Accepted,
            ApplicationStatus::Rejected,
            ApplicationStatus::Referred,
        ]
        .into_iter()
        .find(|s| s.as_str() == name)
    }
}

/// What a message in the outbox says.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum MessageKind {
    /// Welcome: a one-time link to set the portal password (made when it is sent).
    PortalActivation,
    /// Someone applied with the details of this participant, who already has a contract (or
    /// left one unpaid); staff look at the application.
    ApplicationWithYourDetails,
    /// A one-time link to set a new password (made when it is sent), asked for on the site.
    PasswordReset,
}

impl MessageKind {
    /// The stored name.
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            MessageKind::PortalActivation => "portal_activation",
            MessageKind::ApplicationWithYourDetails => "application_with_your_details",
            MessageKind::PasswordReset => "password_reset",
        }
    }

    /// The kind of a stored name.
    #[must_use]
    pub fn from_name(name: &str) -> Option<MessageKind> {
        MessageKind::ALL
            .iter()
            .copied()
            .find(|k| k.as_str() == name)
    }

    /// Every kind.
    pub const ALL: &'static [MessageKind] = &[
        MessageKind::PortalActivation,
        MessageKind::ApplicationWithYourDetails,
        MessageKind::PasswordReset,
    ];

    /// The one-time link the message carries, if any (made when it is sent).
    #[must_use]
    pub const fn link_purpose(self) -> Option<LinkPurpose> {
        match self {
            MessageKind::PortalActivation => Some(LinkPurpose::Activation),
            MessageKind::PasswordReset => Some(LinkPurpose::PasswordReset),
            MessageKind::ApplicationWithYourDetails => None,
        }
    }
}

/// Where a message of the outbox stands, as staff see it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum MessageState {
    /// Waiting for its first send.
    Pending,
    /// Sent (handed to the mail server or written to the mail directory).
    Sent,
    /// A send failed; it is tried again at its next attempt.
    FailedRetrying,
    /// It cannot be sent (no e-mail address on file, or one the mail system refuses); staff
    /// reach the participant another way.
    Undeliverable,
}

impl MessageState {
    /// Every state.
    pub const ALL: &'static [MessageState] = &[
        MessageState::Pending,
        MessageState::Sent,
        MessageState::FailedRetrying,
        MessageState::Undeliverable,
    ];

    /// The stored name.
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            MessageState::Pending => "pending",
            MessageState::Sent => "sent",
            MessageState::FailedRetrying => "failed_retrying",
            MessageState::Undeliverable => "undeliverable",
        }
    }

    /// The state of a stored name.
    #[must_use]
    pub fn from_name(name: &str) -> Option<MessageState> {
        MessageState::ALL
            .iter()
            .copied()
            .find(|s| s.as_str() == name)
    }

    /// Whether a message in this state still waits to be sent.
    #[must_use]
    pub const fn is_waiting(self) -> bool {
        matches!(self, MessageState::Pending | MessageState::FailedRetrying)
    }
}

/// The class of a failed send, as kept on the message for staff: never an address, a server's
/// message or other personal data.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum DeliveryError {
    /// No e-mail address on file: the message cannot be sent (undeliverable).
    NoAddress,
    /// The address on file is not one the mail system accepts (undeliverable).
    InvalidAddress,
    /// The mail server could not be reached, or the connection broke.
    Connection,
    /// The mail server did not answer in time.
    Timeout,
    /// The TLS handshake failed.
    Tls,
    /// The mail server refused for now (a 4xx answer).
    TemporaryRejection,
    /// The mail server refused (a 5xx answer).
    PermanentRejection,
    /// Writing the message file failed.
    Io,
    /// The message could not be composed.
    Compose,
    /// Any other failure.
    Other,
}

impl DeliveryError {
    /// Every class.
    pub const ALL: &'static [DeliveryError] = &[
        DeliveryError::NoAddress,
        DeliveryError::InvalidAddress,
        DeliveryError::Connection,
        DeliveryError::Timeout,
        DeliveryError::Tls,
        DeliveryError::TemporaryRejection,
        DeliveryError::PermanentRejection,
        DeliveryError::Io,
        DeliveryError::Compose,
        DeliveryError::Other,
    ];

    /// The stored name.
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            DeliveryError::NoAddress => "no_address",
            DeliveryError::InvalidAddress => "invalid_address",
            DeliveryError::Connection => "connection",
            DeliveryError::Timeout => "timeout",
            DeliveryError::Tls => "tls",
            DeliveryError::TemporaryRejection => "temporary_rejection",
            DeliveryError::PermanentRejection => "permanent_rejection",
            DeliveryError::Io => "io",
            DeliveryError::Compose => "compose",
            DeliveryError::Other => "other",
        }
    }

    /// The class of a stored name.
    #[must_use]
    pub fn from_name(name: &str) -> Option<DeliveryError> {
        DeliveryError::ALL
            .iter()
            .copied()
            .find(|e| e.as_str() == name)
    }

    /// Whether trying again can help: not when there is no usable address.
    #[must_use]
    pub const fn is_retried(self) -> bool {
        !matches!(
            self,
            DeliveryError::NoAddress | DeliveryError::InvalidAddress
        )
    }
}

/// Milliseconds per minute.
const MS_PER_MINUTE: i64 = 60_000;

/// The waits after the first, second, third and fourth failed send; every later failure waits
/// [`RETRY_EVERY_MS_AFTER`].
pub const RETRY_BACKOFF_MS: [i64; 4] = [
    MS_PER_MINUTE,
    5 * MS_PER_MINUTE,
    30 * MS_PER_MINUTE,
    120 * MS_PER_MINUTE,
];

/// The wait after the fifth and every later failed send: twelve hours.
pub const RETRY_EVERY_MS_AFTER: i64 = 12 * 60 * MS_PER_MINUTE;

/// How long to wait before the next try of a message whose send has now failed `attempts`
/// times (1 after the first failure): 1 min, 5 min, 30 min, 2 h, then every 12 h.
#[must_use]
pub fn retry_delay_ms(attempts: u32) -> i64 {
    let index = usize::try_from(attempts.saturating_sub(1)).unwrap_or(usize::MAX);
    RETRY_BACKOFF_MS
        .get(index)
        .copied()
        .unwrap_or(RETRY_EVERY_MS_AFTER)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stored_names_round_trip() {
        for status in [
            ApplicationStatus::Accepted,
            ApplicationStatus::Rejected,
            ApplicationStatus::Referred,
        ] {
            assert_eq!(ApplicationStatus::from_name(status.as_str()), Some(status));
        }
        for kind in MessageKind::ALL {
            assert_eq!(MessageKind::from_name(kind.as_str()), Some(*kind));
        }
        assert_eq!(MessageKind::from_name("other"), None);
        for state in MessageState::ALL {
            assert_eq!(MessageState::from_name(state.as_str()), Some(*state));
        }
        assert_eq!(MessageState::from_name("other"), None);
        for error in DeliveryError::ALL {
            assert_eq!(DeliveryError::from_name(error.as_str()), Some(*error));
        }
        assert!(!DeliveryError::NoAddress.is_retried());
        assert!(DeliveryError::Connection.is_retried());
    }

    #[test]
    fn a_failed_send_waits_one_five_thirty_minutes_two_hours_then_every_twelve_hours() {
        let minutes: Vec<i64> = (1..=7).map(|n| retry_delay_ms(n) / 60_000).collect();
        assert_eq!(minutes, [1, 5, 30, 120, 720, 720, 720]);
        assert_eq!(retry_delay_ms(u32::MAX), RETRY_EVERY_MS_AFTER);
        assert_eq!(
            retry_delay_ms(0),
            60_000,
            "no failure yet counts as the first"
        );
    }

    #[test]
    fn only_the_account_messages_carry_a_link() {
        assert_eq!(
            MessageKind::PortalActivation.link_purpose(),
            Some(LinkPurpose::Activation)
        );
        assert_eq!(
            MessageKind::PasswordReset.link_purpose(),
            Some(LinkPurpose::PasswordReset)
        );
        assert_eq!(MessageKind::ApplicationWithYourDetails.link_purpose(), None);
    }
}

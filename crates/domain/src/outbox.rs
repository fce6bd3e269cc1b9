//! Messages to participants and what an application became: the vocabulary of the outbox.
//!
//! A message is stored in the transaction of the change that causes it and sent later to the
//! address on file, so that what a visitor who is not logged in is told never depends on
//! whether someone else's data exists.

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
}

impl MessageKind {
    /// The stored name.
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            MessageKind::PortalActivation => "portal_activation",
            MessageKind::ApplicationWithYourDetails => "application_with_your_details",
        }
    }

    /// The kind of a stored name.
    #[must_use]
    pub fn from_name(name: &str) -> Option<MessageKind> {
        [
            MessageKind::PortalActivation,
            MessageKind::ApplicationWithYourDetails,
        ]
        .into_iter()
        .find(|k| k.as_str() == name)
    }
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
        for kind in [
            MessageKind::PortalActivation,
            MessageKind::ApplicationWithYourDetails,
        ] {
            assert_eq!(MessageKind::from_name(kind.as_str()), Some(kind));
        }
        assert_eq!(MessageKind::from_name("other"), None);
    }
}

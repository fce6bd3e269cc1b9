//! Data-subject requests (GDPR art. 15-21): their types, statuses, deadline and the fields that
//! are corrected through a request rather than directly.

use time::Date;

use super::DataCategory;
use crate::termination::add_months_clamped;

vocabulary! {
    /// What the participant asks for.
    RequestType, "request type" {
        /// A copy of their data (art. 15, 20) handled by staff (the portal download needs none).
        Access => "access",
        /// Correction of a field that needs checking (art. 16).
        Rectification => "rectification",
        /// Erasure (art. 17).
        Erasure => "erasure",
        /// Restriction of processing (art. 18).
        Restriction => "restriction",
        /// Objection to direct marketing (art. 21): effective at once.
        Objection => "objection",
    }
}

vocabulary! {
    /// Where a request stands.
    RequestStatus, "request status" {
        /// Received, not yet decided.
        Open => "open",
        /// Approved once; a second staff member must approve (an IBAN change).
        AwaitingSecondApproval => "awaiting_second_approval",
        /// Carried out.
        Completed => "completed",
        /// Refused, with the reason in the history.
        Rejected => "rejected",
    }
}

vocabulary! {
    /// A step in a request's history.
    RequestEventKind, "request event" {
        /// The request arrived.
        Received => "received",
        /// A staff member took it on.
        Assigned => "assigned",
        /// A staff member approved it.
        Approved => "approved",
        /// A staff member refused it.
        Rejected => "rejected",
        /// It was carried out.
        Completed => "completed",
        /// A remark.
        Note => "note",
    }
}

vocabulary! {
    /// A field corrected through a request that staff decide (`PRIVACY.md` §5).
    CheckedField, "field" {
        /// First names.
        FirstNames => "first_names",
        /// Initials.
        Initials => "initials",
        /// Surname prefix (`van`, `de`).
        SurnamePrefix => "surname_prefix",
        /// Surname.
        Surname => "surname",
        /// Date of birth.
        DateOfBirth => "date_of_birth",
        /// Gender.
        Gender => "gender",
        /// BSN.
        Bsn => "bsn",
        /// The contract's IBAN and account holder.
        Iban => "iban",
    }
}

vocabulary! {
    /// A contact field the participant corrects directly in the portal.
    ContactField, "field" {
        /// Street.
        Street => "street",
        /// House number.
        HouseNumber => "house_number",
        /// House number addition.
        HouseNumberAddition => "house_number_addition",
        /// Postcode.
        Postcode => "postcode",
        /// City.
        City => "city",
        /// E-mail address.
        Email => "email",
        /// Phone number.
        Phone => "phone",
    }
}

impl CheckedField {
    /// The category of the field.
    pub const fn category(self) -> DataCategory {
        match self {
            CheckedField::Bsn => DataCategory::NationalId,
            CheckedField::Iban => DataCategory::Financial,
            _ => DataCategory::Identity,
        }
    }

    /// How many different staff members must approve the change: two for the IBAN, where money
    /// goes (four eyes), one otherwise.
    pub const fn approvals_needed(self) -> usize {
        match self {
            CheckedField::Iban => 2,
            _ => 1,
        }
    }
}

impl RequestStatus {
    /// Whether the request still waits for a decision or a step.
    pub const fn is_pending(self) -> bool {
        matches!(
            self,
            RequestStatus::Open | RequestStatus::AwaitingSecondApproval
        )
    }
}

/// The answer is due one month after receipt (GDPR art. 12(3)); a month that lacks the day
/// ends on its last day (31 January → 28 or 29 February).
pub fn due_on(received: Date) -> Date {
    add_months_clamped(received, 1).unwrap_or(Date::MAX)
}

/// A pending request is overdue from the day after its due date.
pub fn is_overdue(status: RequestStatus, due: Date, today: Date) -> bool {
    status.is_pending() && today > due
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    #[test]
    fn a_request_is_due_one_month_after_receipt() {
        assert_eq!(due_on(date!(2026 - 03 - 15)), date!(2026 - 04 - 15));
        assert_eq!(due_on(date!(2026 - 01 - 31)), date!(2026 - 02 - 28));
        assert_eq!(due_on(date!(2028 - 01 - 31)), date!(2028 - 02 - 29));
    }

    #[test]
    fn only_a_pending_request_past_its_due_date_is_overdue() {
        let due = date!(2026 - 04 - 15);
        assert!(!is_overdue(RequestStatus::Open, due, due));
        assert!(is_overdue(RequestStatus::Open, due, date!(2026 - 04 - 16)));
        assert!(is_overdue(
            RequestStatus::AwaitingSecondApproval,
            due,
            date!(2026 - 05 - 01)
        ));
        assert!(!is_overdue(
            RequestStatus::Completed,
            due,
            date!(2026 - 05 - 01)
        ));
    }

    #[test]
    fn an_iban_change_needs_two_approvals_and_a_name_one() {
        assert_eq!(CheckedField::Iban.approvals_needed(), 2);
        assert_eq!(CheckedField::Surname.approvals_needed(), 1);
        assert_eq!(CheckedField::Bsn.category(), DataCategory::NationalId);
    }
}

//! Outcomes, reasons and bank states in words a participant understands, in Dutch and English.
//! Every match is exhaustive, so a new reason does not compile until it has both sentences.

use ixorg_domain::Language;
use ixorg_domain::declaration::{Outcome, Reason};
use ixorg_domain::statement::ContributionState;

/// A declaration line's outcome, in a few words.
#[must_use]
pub const fn outcome(outcome: Outcome, language: Language) -> &'static str {
    match (outcome, language) {
        (Outcome::Accepted, Language::Dutch) => "Betaald",
        (Outcome::Accepted, Language::English) => "Paid",
        (Outcome::PartlyAccepted, Language::Dutch) => "Deels betaald",
        (Outcome::PartlyAccepted, Language::English) => "Partly paid",
        (Outcome::Held, Language::Dutch) => "In behandeling",
        (Outcome::Held, Language::English) => "Being reviewed",
        (Outcome::Rejected, Language::Dutch) => "Afgewezen",
        (Outcome::Rejected, Language::English) => "Rejected",
    }
}

/// Why a line has its outcome, as a sentence to the participant.
#[must_use]
pub const fn reason(reason: Reason, language: Language) -> &'static str {
    use Language::{Dutch as Nl, English as En};
    match (reason, language) {
        (Reason::Paid, Nl) => "Wij hebben dit volledig betaald uit uw budget.",
        (Reason::Paid, En) => "We paid this in full from your budget.",
        (Reason::OwnPayment, Nl) => {
            "Uw budget (met de kredietruimte) was niet genoeg; het restant betaalt u zelf aan de praktijk."
        }
        (Reason::OwnPayment, En) => {
            "Your budget (with the credit line) was not enough; you pay the rest to the practice yourself."
        }
        (Reason::CreditApplied, Nl) => {
            "De praktijk heeft een eerdere declaratie gecrediteerd; het bedrag staat weer in uw budget."
        }
        (Reason::CreditApplied, En) => {
            "The practice credited an earlier declaration; the amount is back in your budget."
        }
        (Reason::ProviderUnknown, Nl) => "De zorgverlener is bij ons niet bekend.",
        (Reason::ProviderUnknown, En) => "We do not know the dental provider.",
        (Reason::ProviderNotDeclaredBySender, Nl) => {
            "De afzender mocht niet declareren voor deze zorgverlener."
        }
        (Reason::ProviderNotDeclaredBySender, En) => {
            "The sender may not declare for this provider."
        }
        (Reason::UnknownParticipant, Nl) => {
            "Wij konden de declaratie niet aan een deelnemer koppelen."
        }
        (Reason::UnknownParticipant, En) => "We could not match the declaration to a participant.",
        (Reason::BirthDateMismatch, Nl) => {
            "De geboortedatum op de declaratie klopt niet met onze gegevens."
        }
        (Reason::BirthDateMismatch, En) => {
            "The date of birth on the declaration does not match our records."
        }
        (Reason::UnknownCode, Nl) => {
            "De behandelcode bestaat niet in de tarievenlijst van dat jaar."
        }
        (Reason::UnknownCode, En) => "The treatment code is not in that year's list of tariffs.",
        (Reason::AboveMaximumTariff, Nl) => {
            "Het bedrag is hoger dan het maximumtarief dat de NZa voor deze behandeling toestaat."
        }
        (Reason::AboveMaximumTariff, En) => {
            "The amount is higher than the maximum tariff the NZa allows for this treatment."
        }
        (Reason::InvalidAmount, Nl) => "Het bedrag op de declaratie is niet geldig.",
        (Reason::InvalidAmount, En) => "The amount on the declaration is not valid.",
        (Reason::DateInFuture, Nl) => "De behandeldatum ligt in de toekomst.",
        (Reason::DateInFuture, En) => "The treatment date is in the future.",
        (Reason::SubmittedTooLate, Nl) => {
            "De praktijk heeft deze behandeling te laat gedeclareerd."
        }
        (Reason::SubmittedTooLate, En) => "The practice declared this treatment too late.",
        (Reason::AfterEndWindow, Nl) => {
            "De declaratie kwam binnen nadat de termijn na het einde van uw contract was verstreken."
        }
        (Reason::AfterEndWindow, En) => {
            "The declaration arrived after the period following the end of your contract."
        }
        (Reason::DuplicateReference, Nl) | (Reason::DuplicateTreatment, Nl) => {
            "Deze behandeling is al eerder gedeclareerd; wij betalen haar maar één keer."
        }
        (Reason::DuplicateReference, En) | (Reason::DuplicateTreatment, En) => {
            "This treatment was declared before; we pay it only once."
        }
        (Reason::CreditWithoutOriginal, Nl) => {
            "De creditering verwijst niet naar een betaalde declaratie."
        }
        (Reason::CreditWithoutOriginal, En) => "The credit refers to no paid declaration.",
        (Reason::AccidentReview, Nl) => {
            "Dit is een behandeling na een ongeval: wij beoordelen eerst of de ongevallendekking haar betaalt."
        }
        (Reason::AccidentReview, En) => {
            "This is a treatment after an accident: we first check whether the accident cover pays it."
        }
        (Reason::NearDuplicate, Nl)
        | (Reason::ManyProviders, Nl)
        | (Reason::BeforeEnrollment, Nl)
        | (Reason::AfterContractEnd, Nl)
        | (Reason::ExpensiveFirstMonth, Nl)
        | (Reason::IncompatibleCodes, Nl) => {
            "Een medewerker kijkt deze declaratie na voordat wij haar betalen."
        }
        (Reason::NearDuplicate, En)
        | (Reason::ManyProviders, En)
        | (Reason::BeforeEnrollment, En)
        | (Reason::AfterContractEnd, En)
        | (Reason::ExpensiveFirstMonth, En)
        | (Reason::IncompatibleCodes, En) => {
            "A member of staff checks this declaration before we pay it."
        }
    }
}

/// Where a contribution stands with the bank, in a few words.
#[must_use]
pub const fn contribution_state(state: ContributionState, language: Language) -> &'static str {
    match (state, language) {
        (ContributionState::Sent, Language::Dutch) => "Wordt afgeschreven",
        (ContributionState::Sent, Language::English) => "Being collected",
        (ContributionState::Settled, Language::Dutch) => "Ontvangen",
        (ContributionState::Settled, Language::English) => "Received",
        (ContributionState::Returned, Language::Dutch) => "Teruggeboekt door uw bank",
        (ContributionState::Returned, Language::English) => "Returned by your bank",
        (ContributionState::Rejected, Language::Dutch) => "Geweigerd door de bank",
        (ContributionState::Rejected, Language::English) => "Refused by the bank",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_reason_has_a_sentence_in_both_languages_that_is_not_its_code() {
        for &r in Reason::ALL {
            for &language in Language::ALL {
                let sentence = reason(r, language);
                assert!(
                    sentence.ends_with('.'),
                    "{} in {}",
                    r.code(),
                    language.code()
                );
                assert!(!sentence.contains(r.code()));
            }
            assert_ne!(reason(r, Language::Dutch), reason(r, Language::English));
        }
    }
}

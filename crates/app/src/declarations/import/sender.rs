//! Who sends the file and who is paid for its lines, and a record's line as adjudication
//! takes it.

use ixorg_domain::declaration::{CostKind, DeclarationLine, Sender, Who};
use ixorg_domain::identifiers::{AgbCode, ParticipantNumber};
use ixorg_domain::ids::PracticeId;
use ixorg_formats::vektis::{self, Header, Line, Patient};
use ixorg_store::declarations::{self as repo, PayeeAccount};
use ixorg_store::{Tx, parties};

use super::ImportError;

/// IDENTIFICATIECODE BETALING AAN: 01 service bureau, 02 provider, 03 practice, 04 institution.
const PAYMENT_TO_SERVICE_BUREAU: u8 = 1;

/// Who is paid for the file's lines: the service bureau when the file says so, else the
/// practice (or institution) of the 01 record.
pub(super) async fn payee_of(tx: &mut Tx, header: &Header) -> Result<PayeeAccount, ImportError> {
    if header.payment_to == PAYMENT_TO_SERVICE_BUREAU {
        let bureau = header
            .service_bureau
            .as_ref()
            .ok_or_else(|| ImportError::UnknownPayee("the file pays the service bureau but names none (record 1, field Code servicebureau)".to_owned()))?;
        let id = repo::intermediary_by_agb(tx, bureau.as_str())
            .await?
            .ok_or_else(|| {
                ImportError::UnknownPayee(format!("service bureau {bureau} is not registered"))
            })?;
        return repo::payee_account(tx, None, Some(id))
            .await?
            .ok_or_else(|| {
                ImportError::UnknownPayee(format!("service bureau {bureau} has no payee account"))
            });
    }
    let (id, practice) = file_practice(tx, header)
        .await?
        .map_err(ImportError::UnknownPayee)?;
    repo::payee_account(tx, Some(id), None)
        .await?
        .ok_or_else(|| {
            ImportError::UnknownPayee(format!("practice {practice} has no payee account"))
        })
}

/// Who sent the file: the service bureau it names (which must be registered, and declares
/// only for the practices it bills for), or else the practice (or institution) of the 01
/// record, which declares for its own providers.
pub(super) async fn sender_of(tx: &mut Tx, header: &Header) -> Result<Sender, ImportError> {
    if let Some(bureau) = &header.service_bureau {
        let id = repo::intermediary_by_agb(tx, bureau.as_str())
            .await?
            .ok_or_else(|| {
                ImportError::UnknownSender(format!(
                    "the file comes from service bureau {bureau} (record 1, field Code \
                     servicebureau), which is not registered"
                ))
            })?;
        return Ok(Sender::Intermediary(id));
    }
    let (id, _) = file_practice(tx, header)
        .await?
        .map_err(ImportError::UnknownSender)?;
    Ok(Sender::Practice(id))
}

/// The registered practice (or institution) of the 01 record, with its code; `Ok(Err(…))`
/// says what is missing.
async fn file_practice<'h>(
    tx: &mut Tx,
    header: &'h Header,
) -> Result<Result<(PracticeId, &'h AgbCode), String>, ImportError> {
    let Some(practice) = header.practice.as_ref().or(header.institution.as_ref()) else {
        return Ok(Err(
            "the file names no practice (record 1, field Praktijkcode)".to_owned(),
        ));
    };
    Ok(parties::practice_by_agb(tx, practice)
        .await?
        .map(|id| (id, practice))
        .ok_or_else(|| format!("practice {practice} is not registered")))
}

fn non_empty(text: &str) -> Option<String> {
    (!text.is_empty()).then(|| text.to_owned())
}

/// One 04 record as a declaration line. The participant is named by our participant number
/// in VERZEKERDENNUMMER, or else by BSN with the 02 record's date of birth.
pub(super) fn declaration_line(header: &Header, patient: &Patient, line: &Line) -> DeclarationLine {
    let who = match (ParticipantNumber::parse(&line.insured_number), &line.bsn) {
        (Ok(number), _) => Who::Number(number),
        (Err(_), Some(bsn)) => Who::Bsn {
            bsn: bsn.clone(),
            birth_date: patient.birth_date,
        },
        (Err(_), None) => Who::Unidentified,
    };
    DeclarationLine {
        reference: line.reference.to_string(),
        previous_reference: non_empty(&line.previous_reference),
        who,
        provider: line.provider.clone(),
        practice: header.practice.clone(),
        treatment_date: line.treatment_date,
        code: line.code.to_string(),
        element: non_empty(&line.element),
        surface: non_empty(&line.surface),
        cost: if line.is_honorarium() {
            CostKind::Honorarium
        } else {
            CostKind::MaterialOrTechnician
        },
        quantity: line.quantity,
        unit_tariff: line.tariff,
        amount: line.declared,
        accident: line.accident == Some(vektis::Accident::Yes),
    }
}

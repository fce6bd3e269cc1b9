//! The R4 `OperationOutcome` writer, for every error the FHIR endpoints return.

use super::error::{Issue, IssueType, Severity};
use super::json::Out;
use super::write::object;

/// Writes an R4 `OperationOutcome` with the issues in order. R4 requires at least one issue,
/// so an empty list becomes one `information` issue saying that all went well.
#[must_use]
pub fn operation_outcome(issues: &[Issue]) -> String {
    let all_ok = [Issue {
        severity: Severity::Information,
        code: IssueType::Informational,
        diagnostics: "All OK".to_owned(),
        expression: None,
    }];
    let issues = if issues.is_empty() {
        &all_ok[..]
    } else {
        issues
    };
    object(vec![
        ("resourceType", Some(Out::str("OperationOutcome"))),
        (
            "issue",
            Some(Out::Array(issues.iter().map(issue).collect())),
        ),
    ])
    .to_json()
}

fn issue(issue: &Issue) -> Out {
    let diagnostics = Some(issue.diagnostics.as_str()).filter(|text| !text.trim().is_empty());
    let expression = issue
        .expression
        .as_deref()
        .filter(|text| !text.trim().is_empty())
        .map(|text| Out::Array(vec![Out::str(text)]));
    object(vec![
        ("severity", Some(Out::str(issue.severity.code()))),
        ("code", Some(Out::str(issue.code.code()))),
        ("diagnostics", diagnostics.map(Out::str)),
        ("expression", expression),
    ])
}

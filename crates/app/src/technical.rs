//! Technical data (`PRIVACY.md` §1): visits to the site's HTML pages, kept 90 days and then
//! only counted per day and page (promise P8; see [`crate::retention`]).

use ixorg_domain::ids::ParticipantId;
use ixorg_domain::privacy::{Action, DataCategory, Purpose};
use ixorg_domain::timestamp::Timestamp;
use ixorg_store::retention::{self as repo, NewVisit};

use crate::access::{AccessError, job_grant};
use crate::context::AppContext;

/// The longest path kept (longer ones are cut).
const PATH_CHARS_MAX: usize = 200;
/// The longest user agent kept.
const USER_AGENT_CHARS_MAX: usize = 256;

/// Paths that are not pages people visit: the API, FHIR, probes, metrics and static files.
const NOT_PAGES: &[&str] = &[
    "/api", "/fhir", "/healthz", "/readyz", "/metrics", "/static",
];

/// One visit to an HTML page. Its `Debug` shows no personal data.
#[derive(Clone, PartialEq, Eq)]
pub struct Visit {
    /// When.
    pub visited_at: Timestamp,
    /// The page, as [`page_path`] gives it.
    pub path: String,
    /// The visitor's IP address, if the server knows it.
    pub ip_address: Option<String>,
    /// The browser's user agent, if sent.
    pub user_agent: Option<String>,
    /// The logged-in participant, if one.
    pub participant: Option<ParticipantId>,
}

impl std::fmt::Debug for Visit {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Visit")
            .field("visited_at", &self.visited_at)
            .finish_non_exhaustive()
    }
}

/// The page a request path counts as, or `None` when it is not a page (API, FHIR, probes,
/// metrics). The query is dropped, and a path segment holding a digit (an id, a number, a date)
/// becomes `:id`, so a path never carries data about a person and the daily counts group pages.
pub fn page_path(raw: &str) -> Option<String> {
    let path = raw.split(['?', '#']).next().unwrap_or_default();
    if !path.starts_with('/') {
        return None;
    }
    let excluded = NOT_PAGES.iter().any(|p| {
        path == *p
            || path
                .strip_prefix(p)
                .is_some_and(|rest| rest.starts_with('/'))
    });
    if excluded {
        return None;
    }
    let mut out = String::with_capacity(path.len());
    for segment in path.split('/').skip(1) {
        out.push('/');
        if segment.bytes().any(|b| b.is_ascii_digit()) {
            out.push_str(":id");
        } else {
            out.push_str(segment);
        }
    }
    Some(out.chars().take(PATH_CHARS_MAX).collect())
}

/// Records one visit; see [`record_visits`].
pub async fn record_visit(ctx: &AppContext, visit: Visit) -> Result<u64, AccessError> {
    record_visits(ctx, std::slice::from_ref(&visit)).await
}

/// Records visits in one transaction with one job grant (`security`, change technical data),
/// so a busy site writes one access-log entry per batch, not per page view. Returns the visits
/// stored.
pub async fn record_visits(ctx: &AppContext, visits: &[Visit]) -> Result<u64, AccessError> {
    if visits.is_empty() {
        return Ok(0);
    }
    let mut tx = ctx.db.begin().await?;
    let grant = job_grant(
        ctx,
        &mut tx,
        "site_visits",
        Purpose::Security,
        vec![DataCategory::Technical],
        Action::Change,
    )
    .await?;
    for v in visits {
        let user_agent: Option<String> = v
            .user_agent
            .as_deref()
            .map(|ua| ua.chars().take(USER_AGENT_CHARS_MAX).collect());
        let visit = NewVisit {
            visited_at: v.visited_at,
            path: &v.path,
            ip_address: v.ip_address.as_deref(),
            user_agent: user_agent.as_deref(),
            participant: v.participant,
        };
        repo::insert_visit(&mut tx, &grant, &visit).await?;
    }
    tx.commit().await?;
    Ok(u64::try_from(visits.len()).expect("BUG: a slice length fits in u64"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn api_fhir_probes_and_metrics_are_not_pages() {
        for path in [
            "/api/v1/declarations",
            "/fhir/Claim",
            "/healthz",
            "/readyz",
            "/metrics",
        ] {
            assert_eq!(page_path(path), None, "{path}");
        }
        assert_eq!(page_path("/apis"), Some("/apis".to_owned()));
    }

    #[test]
    fn a_page_path_loses_its_query_and_ids() {
        assert_eq!(page_path("/"), Some("/".to_owned()));
        assert_eq!(
            page_path("/beheer/deelnemers/0193e0c4-7a1b?q=Jansen"),
            Some("/beheer/deelnemers/:id".to_owned())
        );
        assert_eq!(page_path("/mijn/"), Some("/mijn/".to_owned()));
    }
}

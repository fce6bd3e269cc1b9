//! The few pages there are so far: the home page; every error page (the 404 among them) is
//! rendered by [`crate::errors`].

use axum::http::StatusCode;
use axum::response::Html;

/// `GET /`: what this site is. It shows no figures of the platform (those are for the
/// monitoring system, behind `/metrics`).
pub async fn home() -> Html<&'static str> {
    Html(
        "<!doctype html>\n<html lang=\"nl\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>ixorg: tandartsbudget</title></head><body><main>\
         <h1>ixorg: tandartsbudget</h1>\
         <p>Met een tandartsbudget spaart u maandelijks voor de tandarts. Uw tandarts declareert \
         bij ons en wij betalen uit uw budget; is het budget even op, dan loopt u tijdelijk \
         rood binnen een vaste grens.</p>\
         <p>Tandartspraktijken en declaratiebureaus sturen declaraties via onze koppelingen \
         (JSON en HL7 FHIR R4).</p>\
         <p><a href=\"/privacy\">Privacyverklaring</a> · <a href=\"/cookies\">Cookiebeleid</a> \
         · <a href=\"https://autoriteitpersoonsgegevens.nl\" rel=\"external noopener noreferrer\" \
         class=\"external\">Autoriteit Persoonsgegevens (externe website)</a></p>\
         </main></body></html>\n",
    )
}

/// Any unknown path: a bare 404, given its page (or problem document, or `OperationOutcome`)
/// by [`crate::errors::normalize`].
pub async fn not_found() -> StatusCode {
    StatusCode::NOT_FOUND
}

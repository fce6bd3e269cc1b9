//! The few pages there are so far: the home page and the 404 page.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Html;

use crate::WebState;

/// `GET /`: what this server is and what it offers so far.
pub async fn home(State(state): State<WebState>) -> Html<String> {
    let counts = ixorg_app::stats::counts(&state.ctx).await.ok();
    let line = |label: &str, v: Option<i64>| {
        format!(
            "<tr><th scope=\"row\">{label}</th><td>{}</td></tr>",
            v.map_or_else(|| "-".to_owned(), |v| v.to_string())
        )
    };
    let rows = [
        line("Deelnemers", counts.map(|c| c.participants)),
        line("Medewerkers", counts.map(|c| c.staff_users)),
        line(
            "Boekingen in het grootboek",
            counts.map(|c| c.ledger_transfers),
        ),
        line(
            "Regels in het inzagelogboek",
            counts.map(|c| c.access_log_entries),
        ),
    ]
    .join("\n");
    Html(format!(
        "<!doctype html>\n<html lang=\"nl\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>ixorg</title></head><body><main>\
         <h1>ixorg: tandartsbudget</h1>\
         <p>Het platform draait ({db}). Overzicht:</p><table>{rows}</table>\
         <p>Controles: <a href=\"/healthz\">/healthz</a>, <a href=\"/readyz\">/readyz</a>, \
         <a href=\"/metrics\">/metrics</a>.</p>\
         <p><a href=\"/privacy\">Privacyverklaring</a> · <a href=\"/cookies\">Cookiebeleid</a> \
         · <a href=\"https://autoriteitpersoonsgegevens.nl\" rel=\"external noopener noreferrer\" \
         class=\"external\">Autoriteit Persoonsgegevens (externe website)</a></p>\
         </main></body></html>\n",
        db = state.ctx.db_backend().as_str()
    ))
}

/// Any unknown path.
pub async fn not_found() -> (StatusCode, Html<&'static str>) {
    (
        StatusCode::NOT_FOUND,
        Html(
            "<!doctype html>\n<html lang=\"nl\"><head><meta charset=\"utf-8\"><title>Niet gevonden\
             </title></head><body><h1>Pagina niet gevonden</h1><p><a href=\"/\">Naar de \
             startpagina</a></p></body></html>\n",
        ),
    )
}

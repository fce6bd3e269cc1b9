//! The texts of the messages, per kind, in Dutch and English: a subject, a plain-text part and
//! an HTML part. Every inserted value is escaped in the HTML part.

use ixorg_domain::Language;
use ixorg_domain::identifiers::ParticipantNumber;
use ixorg_domain::outbox::MessageKind;

/// The path of the activation page (the token follows as `?token=…`).
pub const ACTIVATION_PATH: &str = "/mijn/activeren";

/// The path of the password-reset page (the token follows as `?token=…`).
pub const PASSWORD_RESET_PATH: &str = "/mijn/wachtwoord-herstellen";

/// The path of the portal's log-in.
pub const PORTAL_PATH: &str = "/mijn/";

/// A composed message. `Debug` shows only the subject (the rest holds a name and a link).
#[derive(Clone, PartialEq, Eq)]
pub struct Composed {
    /// The subject line.
    pub subject: String,
    /// The plain-text part.
    pub text: String,
    /// The HTML part.
    pub html: String,
}

impl std::fmt::Debug for Composed {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Composed")
            .field("subject", &self.subject)
            .finish_non_exhaustive()
    }
}

/// What a message says to whom.
pub struct Content<'a> {
    /// The kind of message.
    pub kind: MessageKind,
    /// The language of the recipient.
    pub language: Language,
    /// The recipient's name for the greeting.
    pub name: &'a str,
    /// The recipient's participant number.
    pub number: &'a ParticipantNumber,
    /// The full link of the message (activation or reset), or of the portal.
    pub link: &'a str,
}

/// Escapes text for HTML (element content and quoted attribute values).
#[must_use]
pub fn escape_html(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            other => out.push(other),
        }
    }
    out
}

/// The sentences of one message: subject, greeting, paragraphs, the link's label, the close.
struct Sentences {
    subject: &'static str,
    greeting: &'static str,
    paragraphs: Vec<String>,
    link_label: &'static str,
    close: &'static str,
}

fn sentences(kind: MessageKind, language: Language, number: &str) -> Sentences {
    use Language::{Dutch, English};
    use MessageKind::{ApplicationWithYourDetails, PasswordReset, PortalActivation};
    let (subject, paragraphs, link_label): (&str, Vec<String>, &str) = match (kind, language) {
        (PortalActivation, Dutch) => (
            "Welkom bij uw tandartsbudget: activeer uw account",
            vec![
                "Welkom! Uw aanmelding is verwerkt.".into(),
                format!("Uw deelnemersnummer is {number}. Daarmee logt u in."),
                "Kies met de link hieronder een wachtwoord. De link werkt eenmaal en \
                 14 dagen lang."
                    .into(),
            ],
            "Account activeren",
        ),
        (PortalActivation, English) => (
            "Welcome to your dental budget: activate your account",
            vec![
                "Welcome! Your application has been processed.".into(),
                format!("Your participant number is {number}. You log in with it."),
                "Choose a password with the link below. The link works once, for 14 days.".into(),
            ],
            "Activate account",
        ),
        (PasswordReset, Dutch) => (
            "Nieuw wachtwoord voor uw tandartsbudget",
            vec![
                format!("Er is een nieuw wachtwoord gevraagd voor deelnemersnummer {number}."),
                "Kies met de link hieronder een nieuw wachtwoord. De link werkt eenmaal en \
                 een uur lang."
                    .into(),
                "Heeft u dit niet gevraagd? Dan kunt u dit bericht negeren: uw wachtwoord \
                 blijft hetzelfde."
                    .into(),
            ],
            "Nieuw wachtwoord kiezen",
        ),
        (PasswordReset, English) => (
            "New password for your dental budget",
            vec![
                format!("A new password was asked for participant number {number}."),
                "Choose a new password with the link below. The link works once, for one hour."
                    .into(),
                "Did you not ask for this? Then you can ignore this message: your password \
                 stays the same."
                    .into(),
            ],
            "Choose a new password",
        ),
        (ApplicationWithYourDetails, Dutch) => (
            "We hebben een aanmelding met uw gegevens ontvangen",
            vec![
                format!(
                    "We hebben een aanmelding ontvangen met de gegevens van deelnemer {number}. \
                     U bent al deelnemer (of was dat), dus een medewerker bekijkt de aanmelding."
                ),
                "Heeft u zich niet opnieuw aangemeld? Neem dan contact met ons op.".into(),
            ],
            "Naar uw portaal",
        ),
        (ApplicationWithYourDetails, English) => (
            "We received an application with your details",
            vec![
                format!(
                    "We received an application with the details of participant {number}. You \
                     are (or were) a participant already, so a member of staff will look at it."
                ),
                "Did you not apply again? Then please contact us.".into(),
            ],
            "Go to your portal",
        ),
    };
    let (greeting, close) = match language {
        Dutch => (
            "Beste",
            "Met vriendelijke groet,\nDe deelnemersadministratie",
        ),
        English => ("Dear", "Kind regards,\nThe participant administration"),
    };
    Sentences {
        subject,
        greeting,
        paragraphs,
        link_label,
        close,
    }
}

/// Composes a message in the recipient's language.
#[must_use]
pub fn compose(content: &Content<'_>) -> Composed {
    let s = sentences(content.kind, content.language, content.number.as_str());
    let mut text = format!("{} {},\n\n", s.greeting, content.name);
    for p in &s.paragraphs {
        text.push_str(p);
        text.push_str("\n\n");
    }
    text.push_str(&format!(
        "{}: {}\n\n{}\n",
        s.link_label, content.link, s.close
    ));
    let mut html = format!(
        "<!DOCTYPE html>\n<html lang=\"{}\">\n<head><meta charset=\"utf-8\"><title>{}</title>\
         </head>\n<body>\n<p>{} {},</p>\n",
        content.language.code(),
        escape_html(s.subject),
        escape_html(s.greeting),
        escape_html(content.name)
    );
    for p in &s.paragraphs {
        html.push_str(&format!("<p>{}</p>\n", escape_html(p)));
    }
    html.push_str(&format!(
        "<p><a href=\"{}\">{}</a></p>\n<p>{}</p>\n</body>\n</html>\n",
        escape_html(content.link),
        escape_html(s.link_label),
        escape_html(s.close).replace('\n', "<br>\n")
    ));
    Composed {
        subject: s.subject.to_owned(),
        text,
        html,
    }
}

/// The link a message of `kind` carries: the page with the token, or the portal.
#[must_use]
pub fn link(public_url: &str, kind: MessageKind, token: Option<&str>) -> String {
    let base = public_url.trim_end_matches('/');
    match (kind, token) {
        (MessageKind::PortalActivation, Some(t)) => format!("{base}{ACTIVATION_PATH}?token={t}"),
        (MessageKind::PasswordReset, Some(t)) => format!("{base}{PASSWORD_RESET_PATH}?token={t}"),
        _ => format!("{base}{PORTAL_PATH}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn number() -> ParticipantNumber {
        ParticipantNumber::from_sequence(1).expect("a number")
    }

    #[test]
    fn every_kind_has_both_parts_in_both_languages() {
        for kind in MessageKind::ALL {
            for language in Language::ALL {
                let n = number();
                let link = link("https://x.nl/", *kind, Some("ab"));
                let m = compose(&Content {
                    kind: *kind,
                    language: *language,
                    name: "A. de Boer",
                    number: &n,
                    link: &link,
                });
                assert!(!m.subject.is_empty());
                assert!(m.text.contains(&link), "{kind:?} {language:?}");
                assert!(m.text.contains(n.as_str()), "{kind:?} {language:?}");
                assert!(m.html.contains(&format!("lang=\"{}\"", language.code())));
                assert!(m.html.contains("A. de Boer"));
            }
        }
    }

    #[test]
    fn inserted_values_are_escaped_in_the_html_part() {
        let n = number();
        let m = compose(&Content {
            kind: MessageKind::PortalActivation,
            language: Language::English,
            name: "<script>alert('x')</script> & Co",
            number: &n,
            link: "https://x.nl/?a=1&b=\"2\"",
        });
        assert!(!m.html.contains("<script>"));
        assert!(
            m.html
                .contains("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; Co")
        );
        assert!(
            m.html
                .contains("href=\"https://x.nl/?a=1&amp;b=&quot;2&quot;\"")
        );
    }

    #[test]
    fn the_links_go_to_the_portal_pages_of_the_public_url() {
        let a = link(
            "https://x.nl/base/",
            MessageKind::PortalActivation,
            Some("t"),
        );
        assert_eq!(a, "https://x.nl/base/mijn/activeren?token=t");
        let r = link("https://x.nl", MessageKind::PasswordReset, Some("t"));
        assert_eq!(r, "https://x.nl/mijn/wachtwoord-herstellen?token=t");
        let p = link(
            "https://x.nl",
            MessageKind::ApplicationWithYourDetails,
            None,
        );
        assert_eq!(p, "https://x.nl/mijn/");
    }
}

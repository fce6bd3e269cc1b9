//! Issue 13: portal accounts. Activation by the link in the welcome mail, log-in with lock-out,
//! password reset and change, on both databases.

use std::path::Path;
use std::sync::Arc;

use ixorg_app::accounts::{
    self, AccountError, LoginRefused, PortalUser, activate, change_password, current_user, login,
    request_password_reset, reset_password,
};
use ixorg_app::enrollment::{Accepted, ApplicationOutcome, apply_in};
use ixorg_app::mail::{MailTransport, send_due};
use ixorg_app::{AppContext, FixedClock};
use ixorg_domain::Language;
use ixorg_domain::enrollment::{ApplicationForm, MemberForm};
use ixorg_domain::identifiers::ParticipantNumber;
use ixorg_domain::password::PasswordRule;
use ixorg_domain::terms::HouseholdRole;
use ixorg_testkit::{TEST_NOW, TestDb, db_test, raw};
use time::Duration;

use crate::{temp_dir, with_operator};

/// The public URL the tests' links start with.
pub const PUBLIC: &str = "https://portaal.example.nl";

/// A password that passes the policy.
pub const GOOD: &str = "paarse olifant op de fiets";

fn member(role: &str, first: &str, born: &str, email: &str) -> MemberForm {
    MemberForm {
        role: role.into(),
        first_names: first.into(),
        initials: format!("{}.", &first[..1]),
        surname_prefix: "de".into(),
        surname: "Boer".into(),
        date_of_birth: born.into(),
        gender: "female".into(),
        street: "Dorpsstraat".into(),
        house_number: "7".into(),
        postcode: "9711 AB".into(),
        city: "Groningen".into(),
        email: email.into(),
        annual_budget_eur: "300".into(),
        ..MemberForm::default()
    }
}

/// Anna (main), Karel (partner with an address of his own), Lies (partner with Anna's
/// address) and Sem (a child with an address).
pub fn household_form() -> ApplicationForm {
    ApplicationForm {
        members: vec![
            member("main", "Anna", "1985-04-02", "anna@example.nl"),
            member("partner", "Karel", "1983-01-20", "karel@example.nl"),
            member("partner", "Lies", "1984-02-03", "ANNA@example.nl"),
            member("child", "Sem", "2016-09-12", "sem@example.nl"),
        ],
        start_date: "2026-12-01".into(),
        iban: "NL02ABNA0123456789".into(),
        account_holder: "A. de Boer".into(),
        dentist_agb_code: "12000001".into(),
        provider_view_consent: "yes".into(),
        mandate_signed: "yes".into(),
        ..ApplicationForm::default()
    }
}

/// The household of [`household_form`], accepted, in `language`.
pub async fn enrolled(t: &TestDb, language: Language) -> (AppContext, Accepted) {
    let ctx = with_operator(t).await;
    let outcome = apply_in(&ctx, &household_form(), language)
        .await
        .expect("apply");
    let ApplicationOutcome::Accepted(accepted) = outcome else {
        panic!("the application is valid: {outcome:?}");
    };
    (ctx, accepted)
}

/// Every `.eml` file in `dir`, as text with quoted-printable soft breaks undone.
pub fn mails(dir: &Path) -> Vec<String> {
    let mut out: Vec<String> = std::fs::read_dir(dir)
        .expect("the mail directory")
        .map(|e| e.expect("an entry").path())
        .filter(|p| p.extension().is_some_and(|x| x == "eml"))
        .map(|p| {
            std::fs::read_to_string(&p)
                .expect("a mail")
                .replace("=\r\n", "")
                .replace("=3D", "=")
        })
        .collect();
    out.sort();
    out
}

/// The token of the first link to `path` in `mail`.
pub fn token_in(mail: &str, path: &str) -> String {
    let start = mail.find(&format!("{path}?token=")).expect("a link") + path.len() + 7;
    mail[start..start + 64].to_owned()
}

/// The context with its clock moved on by `later`.
pub fn at(ctx: &AppContext, later: Duration) -> AppContext {
    AppContext {
        clock: Arc::new(FixedClock(TEST_NOW + later)),
        ..ctx.clone()
    }
}

/// The number of the member in `role` (the first one).
pub fn number_of(accepted: &Accepted, role: HouseholdRole) -> ParticipantNumber {
    accepted
        .members
        .iter()
        .find(|(_, _, r)| *r == role)
        .map(|(_, n, _)| n.clone())
        .expect("a member in this role")
}

/// Enrolls the household, sends the welcome mails to a fresh directory and returns the
/// activation tokens in the order of the mails, with the mails.
pub async fn welcome_tokens(t: &TestDb, name: &str) -> (AppContext, Accepted, Vec<String>) {
    let (ctx, accepted) = enrolled(t, Language::Dutch).await;
    let dir = temp_dir(name);
    let transport = MailTransport::file(&dir, None).expect("a transport");
    send_due(&ctx, &transport, PUBLIC).await.expect("send");
    let tokens = mails(&dir)
        .iter()
        .map(|m| token_in(m, "/mijn/activeren"))
        .collect();
    (ctx, accepted, tokens)
}

/// The main participant, activated with [`GOOD`].
pub async fn activated(
    t: &TestDb,
    name: &str,
) -> (AppContext, ParticipantNumber, PortalUser, Accepted) {
    let (ctx, accepted, tokens) = welcome_tokens(t, name).await;
    let main = number_of(&accepted, HouseholdRole::Main);
    let mut main_user = None;
    for token in tokens {
        let user = activate(&ctx, &token, GOOD).await.expect("activate");
        if user.number == main {
            main_user = Some(user);
        }
    }
    let user = main_user.expect("the main participant was sent a link");
    (ctx, main, user, accepted)
}

db_test!(
    the_main_participant_and_a_partner_with_an_own_address_get_an_activation_message_and_no_one_else,
    async |t: TestDb| {
        let (_ctx, accepted) = enrolled(&t, Language::English).await;
        let messages = raw::scalar(
            &t,
            "SELECT COUNT(*) FROM outbox_message WHERE message_kind = 'portal_activation'",
        )
        .await;
        assert_eq!(messages, 2, "Anna and Karel; not Lies (Anna's address), not Sem");
        let english = raw::scalar(&t, "SELECT COUNT(*) FROM participant WHERE language = 'en'").await;
        assert_eq!(english, i64::try_from(accepted.members.len()).expect("few"));
    }
);

db_test!(
    an_activation_link_works_once_and_the_participant_can_then_log_in,
    async |t: TestDb| {
        let (ctx, accepted, tokens) = welcome_tokens(&t, "acc-once").await;
        assert_eq!(tokens.len(), 2);
        let user = activate(&ctx, &tokens[0], GOOD).await.expect("activate");
        assert_ne!(user.role, HouseholdRole::Child);
        let again = activate(&ctx, &tokens[0], "een ander wachtwoord nu").await;
        assert!(matches!(again, Err(AccountError::InvalidLink)), "{again:?}");
        let logged_in = login(&ctx, &user.number, GOOD).await.expect("log in");
        assert_eq!(logged_in.participant, user.participant);
        assert!(
            accepted
                .members
                .iter()
                .any(|(id, ..)| *id == user.participant)
        );
    }
);

db_test!(an_expired_activation_link_is_refused, async |t: TestDb| {
    let (ctx, _, tokens) = welcome_tokens(&t, "acc-expired").await;
    let later = at(&ctx, Duration::days(14));
    let result = activate(&later, &tokens[0], GOOD).await;
    assert!(
        matches!(result, Err(AccountError::InvalidLink)),
        "{result:?}"
    );
    let garbage = activate(&ctx, "not-a-token", GOOD).await;
    assert!(matches!(garbage, Err(AccountError::InvalidLink)));
    let within = at(&ctx, Duration::days(14) - Duration::minutes(1));
    activate(&within, &tokens[0], GOOD)
        .await
        .expect("still valid a minute before");
});

db_test!(
    a_common_password_is_refused_with_a_message_naming_the_rule_and_the_link_still_works,
    async |t: TestDb| {
        let (ctx, _, tokens) = welcome_tokens(&t, "acc-common").await;
        let result = activate(&ctx, &tokens[0], "Password1234").await;
        let Err(AccountError::Password(rule)) = result else {
            panic!("a common password is refused: {result:?}");
        };
        assert_eq!(rule, PasswordRule::Common);
        let message = AccountError::Password(rule).to_string();
        assert!(message.contains("most common passwords"), "{message}");
        let short = activate(&ctx, &tokens[0], "kort").await;
        assert!(matches!(
            short,
            Err(AccountError::Password(PasswordRule::TooShort))
        ));
        activate(&ctx, &tokens[0], GOOD)
            .await
            .expect("the link still works");
    }
);

db_test!(
    five_wrong_passwords_lock_the_account_for_fifteen_minutes_and_the_lock_lifts_by_itself,
    async |t: TestDb| {
        let (ctx, number, _, _) = activated(&t, "acc-lock").await;
        for _ in 0..4 {
            let r = login(&ctx, &number, "verkeerd wachtwoord!").await;
            assert!(matches!(r, Err(LoginRefused::WrongCredentials)), "{r:?}");
        }
        let fifth = login(&ctx, &number, "verkeerd wachtwoord!").await;
        let Err(LoginRefused::Locked { until }) = fifth else {
            panic!("the fifth wrong password locks: {fifth:?}");
        };
        assert_eq!(until.unix_ms() - ctx.now().unix_ms(), 15 * 60_000);
        // During the lock even the right password is refused, without being checked.
        let during = login(&at(&ctx, Duration::minutes(14)), &number, GOOD).await;
        assert!(
            matches!(during, Err(LoginRefused::Locked { .. })),
            "{during:?}"
        );
        let after = at(&ctx, Duration::minutes(15));
        login(&after, &number, GOOD).await.expect("the lock lifted");
        // A success starts the count again: four more wrong ones do not lock.
        for _ in 0..4 {
            let r = login(&after, &number, "verkeerd wachtwoord!").await;
            assert!(matches!(r, Err(LoginRefused::WrongCredentials)));
        }
    }
);

db_test!(
    an_unknown_number_a_child_and_a_wrong_password_get_the_same_answer,
    async |t: TestDb| {
        let (ctx, number, _, accepted) = activated(&t, "acc-same").await;
        let unknown = ParticipantNumber::from_sequence(99_999).expect("a number");
        let wrong = login(&ctx, &number, "verkeerd wachtwoord!").await;
        let none = login(&ctx, &unknown, GOOD).await;
        let child = number_of(&accepted, HouseholdRole::Child);
        let child = login(&ctx, &child, GOOD).await;
        for r in [&wrong, &none, &child] {
            assert!(matches!(r, Err(LoginRefused::WrongCredentials)), "{r:?}");
            assert_eq!(
                r.as_ref().map(|_| ()).expect_err("refused").to_string(),
                "the participant number or the password is wrong"
            );
        }
    }
);

db_test!(
    a_password_reset_by_link_sets_a_new_password_and_clears_a_lock,
    async |t: TestDb| {
        let (ctx, number, user, _) = activated(&t, "acc-reset").await;
        for _ in 0..5 {
            let _ = login(&ctx, &number, "verkeerd wachtwoord!").await;
        }
        request_password_reset(&ctx, &number).await.expect("ask");
        request_password_reset(&ctx, &number)
            .await
            .expect("ask twice: one message");
        let unknown = ParticipantNumber::from_sequence(99_999).expect("a number");
        request_password_reset(&ctx, &unknown)
            .await
            .expect("the same answer");
        let waiting = raw::scalar(
            &t,
            "SELECT COUNT(*) FROM outbox_message WHERE message_kind = 'password_reset'",
        )
        .await;
        assert_eq!(waiting, 1);
        let dir = temp_dir("acc-reset-mail");
        let transport = MailTransport::file(&dir, None).expect("transport");
        let report = send_due(&ctx, &transport, PUBLIC).await.expect("send");
        assert_eq!(report.sent, 1);
        let mail = mails(&dir).pop().expect("the reset mail");
        let token = token_in(&mail, "/mijn/wachtwoord-herstellen");
        let later = at(&ctx, Duration::minutes(1));
        let reset = reset_password(&later, &token, "een nieuw lang wachtwoord").await;
        let reset = reset.expect("reset");
        assert!(reset.password_changed_at > user.password_changed_at);
        login(&later, &number, "een nieuw lang wachtwoord")
            .await
            .expect("the lock is cleared");
        let used = reset_password(&later, &token, "nog een ander wachtwoord").await;
        assert!(matches!(used, Err(AccountError::InvalidLink)));
        let wrong_kind = activate(&later, &token, "nog een ander wachtwoord").await;
        assert!(
            matches!(wrong_kind, Err(AccountError::InvalidLink)),
            "a reset link does not activate"
        );
    }
);

db_test!(a_reset_link_expires_after_an_hour, async |t: TestDb| {
    let (ctx, number, _, _) = activated(&t, "acc-reset-exp").await;
    request_password_reset(&ctx, &number).await.expect("ask");
    let dir = temp_dir("acc-reset-exp-mail");
    let transport = MailTransport::file(&dir, None).expect("transport");
    send_due(&ctx, &transport, PUBLIC).await.expect("send");
    let token = token_in(&mails(&dir)[0], "/mijn/wachtwoord-herstellen");
    let late = reset_password(&at(&ctx, Duration::hours(1)), &token, GOOD).await;
    assert!(matches!(late, Err(AccountError::InvalidLink)), "{late:?}");
});

db_test!(
    changing_the_password_changes_the_stamp_that_sessions_compare,
    async |t: TestDb| {
        let (ctx, number, user, _) = activated(&t, "acc-change").await;
        let wrong =
            change_password(&ctx, &user, "niet mijn wachtwoord", "iets heel anders nu").await;
        assert!(matches!(wrong, Err(AccountError::WrongPassword)));
        let changed = change_password(&ctx, &user, GOOD, "iets heel anders nu").await;
        let changed = changed.expect("change");
        assert!(changed.password_changed_at > user.password_changed_at);
        let current = current_user(&ctx, user.participant)
            .await
            .expect("read")
            .expect("a user");
        assert_eq!(current.password_changed_at, changed.password_changed_at);
        assert!(login(&ctx, &number, GOOD).await.is_err());
        login(&ctx, &number, "iets heel anders nu")
            .await
            .expect("the new password");
        accounts::set_language(&ctx, user.participant, Language::English)
            .await
            .expect("language");
        let current = current_user(&ctx, user.participant)
            .await
            .expect("read")
            .expect("a user");
        assert_eq!(current.language, Language::English);
    }
);

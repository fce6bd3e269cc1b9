//! Issue 13: the mail outbox's sender: once and marked sent, retried with back-off when the
//! transport fails, undeliverable without an address, and `.eml` files in the participant's
//! language whose link works.

use ixorg_app::accounts::activate;
use ixorg_app::mail::{MailTransport, SendReport, list, send_due};
use ixorg_domain::Language;
use ixorg_domain::outbox::{DeliveryError, MessageKind, MessageState};
use ixorg_testkit::{TestDb, db_test, raw};
use time::Duration;

use crate::accounts::{GOOD, PUBLIC, at, enrolled, mails, token_in};
use crate::temp_dir;

db_test!(
    a_due_message_is_sent_once_and_marked_sent,
    async |t: TestDb| {
        let (ctx, _) = enrolled(&t, Language::Dutch).await;
        let dir = temp_dir("mail-once");
        let transport = MailTransport::file(&dir, None).expect("transport");
        let first = send_due(&ctx, &transport, PUBLIC).await.expect("send");
        assert_eq!(
            first,
            SendReport {
                sent: 2,
                retrying: 0,
                undeliverable: 0
            }
        );
        let again = send_due(&at(&ctx, Duration::days(1)), &transport, PUBLIC)
            .await
            .expect("send");
        assert_eq!(again, SendReport::default(), "nothing is sent twice");
        assert_eq!(mails(&dir).len(), 2);
        let entries = list(&ctx, false).await.expect("list");
        assert!(
            entries
                .iter()
                .all(|e| e.state == MessageState::Sent && e.attempts == 1)
        );
        let links = raw::scalar(&t, "SELECT COUNT(*) FROM one_time_link").await;
        assert_eq!(links, 2, "each sent activation message has its link");
    }
);

db_test!(
    a_failing_transport_is_retried_with_back_off_and_the_attempts_are_visible,
    async |t: TestDb| {
        let (ctx, _) = enrolled(&t, Language::Dutch).await;
        let dir = temp_dir("mail-retry");
        let broken = MailTransport::file(dir.join("missing"), None).expect("transport");
        let r = send_due(&ctx, &broken, PUBLIC).await.expect("round");
        assert_eq!(
            r,
            SendReport {
                sent: 0,
                retrying: 2,
                undeliverable: 0
            }
        );
        let failed = list(&ctx, true).await.expect("list");
        assert_eq!(failed.len(), 2);
        for e in &failed {
            assert_eq!(e.state, MessageState::FailedRetrying);
            assert_eq!(e.attempts, 1);
            assert_eq!(e.last_error, Some(DeliveryError::Io));
            let wait = e.next_attempt_at.expect("a next try").unix_ms() - ctx.now().unix_ms();
            assert_eq!(wait, 60_000, "the first retry comes after a minute");
        }
        // Not due yet half a minute later; due after a minute, failing again waits 5 minutes.
        let early = send_due(&at(&ctx, Duration::seconds(30)), &broken, PUBLIC).await;
        assert_eq!(early.expect("round"), SendReport::default());
        let one = at(&ctx, Duration::minutes(1));
        let r = send_due(&one, &broken, PUBLIC).await.expect("round");
        assert_eq!(r.retrying, 2);
        let e = &list(&ctx, true).await.expect("list")[0];
        assert_eq!(e.attempts, 2);
        let wait = e.next_attempt_at.expect("next").unix_ms() - one.now().unix_ms();
        assert_eq!(wait, 5 * 60_000);
        // The transport works again: the messages go and the links work.
        let fixed = MailTransport::file(&dir, None).expect("transport");
        let later = at(&ctx, Duration::minutes(6));
        let r = send_due(&later, &fixed, PUBLIC).await.expect("round");
        assert_eq!(r.sent, 2);
        assert!(list(&ctx, true).await.expect("list").is_empty());
        let entries = list(&ctx, false).await.expect("list");
        assert!(
            entries
                .iter()
                .all(|e| e.attempts == 3 && e.last_error.is_none())
        );
    }
);

db_test!(
    a_participant_without_an_email_address_makes_the_message_undeliverable,
    async |t: TestDb| {
        let (ctx, _) = enrolled(&t, Language::Dutch).await;
        raw::execute(&t, "UPDATE participant SET email = NULL").await;
        let dir = temp_dir("mail-none");
        let transport = MailTransport::file(&dir, None).expect("transport");
        let r = send_due(&ctx, &transport, PUBLIC).await.expect("round");
        assert_eq!(r.undeliverable, 2);
        let failed = list(&ctx, true).await.expect("list");
        assert!(failed.iter().all(|e| e.state == MessageState::Undeliverable
            && e.last_error == Some(DeliveryError::NoAddress)
            && e.next_attempt_at.is_none()));
        assert!(mails(&dir).is_empty());
        let later = send_due(&at(&ctx, Duration::days(2)), &transport, PUBLIC).await;
        assert_eq!(later.expect("round"), SendReport::default());
    }
);

db_test!(
    the_eml_file_has_both_parts_in_the_participants_language_and_its_link_activates,
    async |t: TestDb| {
        let (ctx, _) = enrolled(&t, Language::English).await;
        let dir = temp_dir("mail-eml");
        let transport = MailTransport::file(&dir, Some("Budget <post@example.nl>")).expect("t");
        send_due(&ctx, &transport, PUBLIC).await.expect("send");
        let mail = mails(&dir).pop().expect("a mail");
        assert!(mail.contains("multipart/alternative"), "{mail}");
        assert!(mail.contains("Content-Type: text/plain"));
        assert!(mail.contains("Content-Type: text/html"));
        assert!(mail.contains("Subject: Welcome to your dental budget"));
        assert!(mail.contains("Your participant number is"));
        assert!(mail.contains("<html lang=\"en\">"));
        assert!(!mail.contains("Uw deelnemersnummer"));
        assert!(mail.contains("From: Budget <post@example.nl>"));
        let link = format!("{PUBLIC}/mijn/activeren?token=");
        assert_eq!(mail.matches(&link).count(), 2, "the link in both parts");
        let token = token_in(&mail, "/mijn/activeren");
        let user = activate(&ctx, &token, GOOD)
            .await
            .expect("the mailed link works");
        assert_eq!(user.language, Language::English);
        let kinds: Vec<MessageKind> = list(&ctx, false)
            .await
            .expect("l")
            .iter()
            .map(|e| e.kind)
            .collect();
        assert!(kinds.iter().all(|k| *k == MessageKind::PortalActivation));
    }
);

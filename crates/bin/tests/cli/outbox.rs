//! `ixorg outbox list` and the mail sender that `ixorg serve --mail-dir` starts.

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use ixorg_app::enrollment::{ApplicationOutcome, apply};
use ixorg_domain::enrollment::{ApplicationForm, MemberForm};
use ixorg_testkit::{TestDb, db_test, test_app};

use crate::{ixorg, tempdir, text};

fn form() -> ApplicationForm {
    ApplicationForm {
        members: vec![MemberForm {
            role: "main".into(),
            first_names: "Anna".into(),
            initials: "A.".into(),
            surname: "Boer".into(),
            date_of_birth: "1985-04-02".into(),
            gender: "female".into(),
            street: "Dorpsstraat".into(),
            house_number: "7".into(),
            postcode: "9711 AB".into(),
            city: "Groningen".into(),
            email: "anna@example.nl".into(),
            annual_budget_eur: "300".into(),
            ..MemberForm::default()
        }],
        start_date: "2026-12-01".into(),
        iban: "NL02ABNA0123456789".into(),
        account_holder: "A. Boer".into(),
        practice_name: "Tandartspraktijk Noord".into(),
        provider_view_consent: "no".into(),
        mandate_signed: "yes".into(),
        ..ApplicationForm::default()
    }
}

fn outbox_list(url: &str, failed: bool) -> String {
    let mut args = vec!["--database", url, "outbox", "list"];
    if failed {
        args.push("--failed");
    }
    let out = ixorg().args(&args).output().expect("run ixorg");
    assert!(out.status.success(), "{}", text(&out.stderr));
    text(&out.stdout)
}

db_test!(
    serve_with_a_mail_dir_sends_the_outbox_and_outbox_list_shows_it_without_addresses,
    async |t: TestDb| {
        let ctx = test_app(&t).await;
        let outcome = apply(&ctx, &form()).await.expect("apply");
        assert!(
            matches!(outcome, ApplicationOutcome::Accepted(_)),
            "{outcome:?}"
        );
        ctx.db_close().await;
        let waiting = outbox_list(t.url(), false);
        assert!(
            waiting.contains("portal_activation") && waiting.contains("pending"),
            "{waiting}"
        );
        assert!(!waiting.contains("anna@example.nl"));

        let dir = tempdir("outbox-mail");
        let mut child = ixorg()
            .args(["serve", "--addr", "127.0.0.1:0", "--database", t.url()])
            .arg("--mail-dir")
            .arg(&dir)
            .env_remove("IXORG_SMTP_URL")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start the server");
        let started = Instant::now();
        while std::fs::read_dir(&dir).map_or(0, Iterator::count) == 0 {
            assert!(
                started.elapsed() < Duration::from_secs(20),
                "a mail within 20 s"
            );
            std::thread::sleep(Duration::from_millis(100));
        }
        let pid = child.id().to_string();
        let killed = Command::new("kill")
            .args(["-TERM", &pid])
            .status()
            .expect("kill");
        assert!(killed.success());
        let status = child.wait().expect("wait");
        assert!(status.success(), "exit 0 after SIGTERM: {status}");

        let sent = outbox_list(t.url(), false);
        assert!(
            sent.contains("portal_activation") && sent.contains(" sent "),
            "{sent}"
        );
        let failed = outbox_list(t.url(), true);
        assert!(failed.contains("0 message(s)"), "{failed}");
    }
);

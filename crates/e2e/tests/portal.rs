//! A new household in a real headless Chromium, on SQLite and on PostgreSQL: it enrolls
//! through the site, the main participant activates the account from the outbox mail, accepts
//! the privacy statement, sees the budget and the statement, and logs out; five wrong passwords
//! lock the account. axe-core checks every page on the way, in Dutch and in English.

use ixorg_app::mail::{MailTransport, send_due};
use ixorg_e2e::{Browser, Site, Step, run};
use ixorg_testkit::{TestDb, db_test, test_app};

const PASSWORD: &str = "paarse olifant op de fiets";

/// Runs axe on the current page in Dutch and in English (the switch in the header).
async fn axe_both(b: &Browser) -> Step {
    b.axe().await?;
    let path = b.path().await?;
    b.visit(&format!(
        "/taal/en?terug={}",
        ixorg_web::i18n::encode(&path)
    ))
    .await?;
    b.axe().await?;
    b.visit(&format!(
        "/taal/nl?terug={}",
        ixorg_web::i18n::encode(&path)
    ))
    .await?;
    Ok(())
}

/// The activation link in the outbox mail sent to the new participant.
fn activation_link(dir: &std::path::Path) -> Step<String> {
    for entry in std::fs::read_dir(dir).map_err(|e| format!("read the mail: {e}"))? {
        let path = entry.map_err(|e| format!("a mail: {e}"))?.path();
        let text = std::fs::read_to_string(&path)
            .map_err(|e| format!("read a mail: {e}"))?
            .replace("=\r\n", "")
            .replace("=3D", "=");
        if let Some(at) = text.find("/mijn/activeren?token=") {
            let token: String = text[at + 22..]
                .chars()
                .take_while(char::is_ascii_hexdigit)
                .collect();
            return Ok(format!("/mijn/activeren?token={token}"));
        }
    }
    Err("no activation mail in the outbox".into())
}

db_test!(
    a_new_household_enrolls_activates_from_the_mail_and_sees_its_budget,
    async |t: TestDb| {
        let ctx = test_app(&t).await;
        ixorg_app::operator::set(&ctx, &ixorg_tools::demo::operator_profile())
            .await
            .expect("operator profile");
        let config = ixorg_web::WebConfig {
            insecure_dev: true,
            ..ixorg_web::WebConfig::default()
        };
        let site = Site::serve(ctx, config).await.expect("serve the site");
        let mail = std::env::temp_dir().join(format!(
            "ixorg-e2e-mail-{}-{:?}",
            std::process::id(),
            std::thread::current().id()
        ));
        let _ = std::fs::remove_dir_all(&mail);
        std::fs::create_dir_all(&mail).expect("a mail directory");
        let name = format!("enroll-{:?}", std::thread::current().id());
        let browser = Browser::start(&name, &site.base)
            .await
            .expect("start the browser");
        run(browser, async |b| {
            // Enroll
            b.visit("/aanmelden").await?;
            axe_both(b).await?;
            for (id, value) in [
                ("m0_first_names", "Anna"),
                ("m0_initials", "A."),
                ("m0_surname", "Visser"),
                ("m0_date_of_birth", "1985-04-02"),
                ("m0_gender", "female"),
                ("m0_street", "Dorpsstraat"),
                ("m0_house_number", "7"),
                ("m0_postcode", "9711 AB"),
                ("m0_city", "Groningen"),
                ("m0_email", "anna@example.nl"),
                ("m0_annual_budget_eur", "300"),
                ("dentist_agb_code", "12000001"),
                ("iban", "NL02ABNA0123456789"),
                ("account_holder", "A. Visser"),
            ] {
                b.set(id, value).await?;
            }
            b.click("#provider_view_consent-yes").await?;
            b.click("#mandate_signed").await?;
            b.submit("button.button[value=\"versturen\"]").await?;
            let path = b.path().await?;
            if !path.starts_with("/aanmelden/ontvangen") {
                return Err(format!("the application was not received: at {path}"));
            }
            axe_both(b).await?;
            // The welcome mail
            let transport = MailTransport::file(&mail, None).map_err(|e| e.to_string())?;
            send_due(&site.ctx, &transport, &site.base)
                .await
                .map_err(|e| e.to_string())?;
            let link = activation_link(&mail)?;
            // Activate
            b.visit(&link).await?;
            axe_both(b).await?;
            b.fill("wachtwoord", PASSWORD).await?;
            b.fill("wachtwoord_herhaald", PASSWORD).await?;
            b.submit("main button[type=\"submit\"]").await?;
            // The privacy statement in force, then the budget
            if b.path().await?.starts_with("/mijn/privacyverklaring") {
                axe_both(b).await?;
                b.submit("main button[type=\"submit\"]").await?;
            }
            let path = b.path().await?;
            if path != "/mijn/" {
                return Err(format!("after activation the portal opens, not {path}"));
            }
            let heading = b.text("main h2").await?;
            if !heading.contains("Anna") {
                return Err(format!("the overview names the member: {heading}"));
            }
            let number: String = b
                .text("main p.muted")
                .await?
                .chars()
                .filter(char::is_ascii_digit)
                .collect();
            axe_both(b).await?;
            if let Ok(out) = std::env::var("IXORG_E2E_SCREENSHOT") {
                b.screenshot_to(std::path::Path::new(&out)).await?;
            }
            b.submit("a[href=\"/mijn/overzicht?lid=0\"]").await?;
            b.wait_for_path("/mijn/overzicht").await?;
            axe_both(b).await?;
            // The provider's budget view: off, then on again
            b.visit("/mijn/toestemming").await?;
            axe_both(b).await?;
            b.submit("#provider-view-off").await?;
            b.text("#provider-view-on").await?;
            b.submit("#provider-view-on").await?;
            b.text("#provider-view-off").await?;
            // Log out
            b.submit("nav.portal-nav button").await?;
            b.wait_for_path("/mijn/uitgelogd").await?;
            axe_both(b).await?;
            // Five wrong passwords lock the account
            b.visit("/mijn/inloggen").await?;
            axe_both(b).await?;
            for attempt in 1..=5 {
                b.fill("nummer", &number).await?;
                b.fill("wachtwoord", "niet het goede wachtwoord").await?;
                b.submit("main button[type=\"submit\"]").await?;
                let page = b.text("main").await?;
                let locked = page.contains("weer inloggen");
                if locked != (attempt == 5) {
                    return Err(format!("attempt {attempt}: locked is {locked}: {page}"));
                }
            }
            axe_both(b).await?;
            // The right password waits for the lock too
            b.fill("nummer", &number).await?;
            b.fill("wachtwoord", PASSWORD).await?;
            b.submit("main button[type=\"submit\"]").await?;
            if b.path().await?.starts_with("/mijn/")
                && !b.text("main").await?.contains("weer inloggen")
            {
                return Err("a locked account logged in".into());
            }
            Ok(())
        })
        .await;
        let _ = std::fs::remove_dir_all(&mail);
    }
);

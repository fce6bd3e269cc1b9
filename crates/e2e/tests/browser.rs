//! The site in a real headless Chromium, on SQLite and on PostgreSQL.

use ixorg_e2e::{Browser, Site, run};
use ixorg_testkit::{TestDb, db_test, test_app};

/// The public pages a visitor reaches without logging in.
const PUBLIC_PAGES: &[&str] = &[
    "/",
    "/kosten",
    "/rekenhulp",
    "/rekenhulp?budget=300",
    "/contact",
    "/aanmelden",
    "/privacy",
    "/cookies",
    "/mijn/inloggen",
    "/mijn/wachtwoord-vergeten",
    "/bestaat-niet",
];

db_test!(
    every_public_page_passes_axe_core_without_a_violation_in_both_languages,
    async |t: TestDb| {
        let ctx = test_app(&t).await;
        let site = Site::serve(ctx, ixorg_web::WebConfig::default())
            .await
            .expect("serve the site");
        let browser = Browser::start("public-pages", &site.base)
            .await
            .expect("start the browser");
        run(browser, async |b| {
            for language in ["nl", "en"] {
                b.visit(&format!("/taal/{language}?terug=/")).await?;
                for page in PUBLIC_PAGES {
                    b.visit(page).await?;
                    b.axe().await?;
                }
            }
            Ok(())
        })
        .await;
    }
);

/// The check itself can fail: a page with an unlabelled field and no language is caught.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn axe_core_reports_a_page_with_an_unlabelled_field() {
    let browser = Browser::start("axe-self-check", "")
        .await
        .expect("start the browser");
    browser
        .client
        .goto("data:text/html,<title>x</title><main><input type=text></main>")
        .await
        .expect("open the page");
    let found = browser.axe().await;
    browser.close().await;
    let failure = found.expect_err("the unlabelled field is a violation");
    assert!(failure.contains("label"), "{failure}");
}

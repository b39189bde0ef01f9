//! `kyc serve` in a real browser (headless Chromium through WebDriver): an operator logs in,
//! creates a session on the built-in emulator from the form, finds it in the list, and the
//! person decides it on the emulator's hosted page; the emulator's signed webhook reaches the
//! server, and the session's page shows the new status. Skipped without chromedriver unless
//! `KYC_REQUIRE_BROWSER` is set (CI sets it); see `support/browser.rs`.
//!
//! With `KYC_SCREENSHOTS=docs/screenshots` it writes the README's screenshots
//! (`sessions.png`, `session.png`).

#[path = "support/browser.rs"]
mod browser;
#[allow(dead_code)]
#[path = "support/serve.rs"]
mod serve;

use std::time::Duration;

use fantoccini::{Client, Locator};

use browser::Browser;
use serve::{PASSWORD, Server};

/// How long a page may take to show what the test waits for, on a loaded machine.
const PATIENCE: Duration = Duration::from_secs(30);

async fn text(client: &Client, css: &str) -> String {
    let element = client.find(Locator::Css(css)).await.unwrap_or_else(|e| panic!("{css}: {e}"));
    element.text().await.unwrap_or_else(|e| panic!("{css}'s text: {e}"))
}

async fn fill(client: &Client, css: &str, value: &str) {
    let element = client.find(Locator::Css(css)).await.unwrap_or_else(|e| panic!("{css}: {e}"));
    element.send_keys(value).await.unwrap_or_else(|e| panic!("typing into {css}: {e}"));
}

async fn click(client: &Client, css: &str) {
    let element = client.find(Locator::Css(css)).await.unwrap_or_else(|e| panic!("{css}: {e}"));
    element.click().await.unwrap_or_else(|e| panic!("clicking {css}: {e}"));
}

/// Waits for the element `css` to appear on the page.
async fn wait_for(client: &Client, css: &str) {
    if let Err(error) = client.wait().at_most(PATIENCE).for_element(Locator::Css(css)).await {
        let url = client.current_url().await.map(|url| url.to_string()).unwrap_or_default();
        let page = client.source().await.unwrap_or_default();
        panic!("waiting for {css} on {url}: {error}\n{page}");
    }
}

/// Creates a session from the form, for `client_id` at `provider` (with the person's names for
/// the vendors that take them); the session page's URL.
async fn create_from_the_form(
    client: &Client,
    base: &str,
    client_id: &str,
    provider: &str,
) -> String {
    client.goto(&format!("{base}/sessions/new")).await.expect("the form");
    fill(client, "#input-client-id", client_id).await;
    // Sumsub's link takes no name; Onfido requires one.
    if provider != "sumsub" {
        fill(client, "#input-first-name", "Jonas").await;
        fill(client, "#input-last-name", "Jonaitis").await;
    }
    fill(client, "#input-provider", provider).await;
    click(client, "#create").await;
    wait_for(client, "#status").await;
    let url = client.current_url().await.expect("the session page's URL");
    assert!(
        url.path().starts_with(&format!("/sessions/{provider}/")),
        "created at {provider}: {url}"
    );
    assert_eq!(text(client, "#status").await, "created");
    url.to_string()
}

#[tokio::test(flavor = "multi_thread")]
async fn an_operator_creates_a_session_and_sees_the_person_s_decision_arrive() {
    let Some(browser) = Browser::start().await else { return };
    let server = Server::start().await;
    let base = server.base_url();
    let client = browser.client();

    // Every console page asks for the login first.
    client.goto(&format!("{base}/")).await.expect("the console");
    wait_for(client, "#password").await;
    assert_eq!(client.current_url().await.unwrap().path(), "/login");
    assert!(text(client, "#emulator").await.contains("built-in emulator"));
    fill(client, "#password", PASSWORD).await;
    click(client, "#login").await;
    wait_for(client, "#empty").await;

    // A session on each vendor, from the form; the Veriff one is decided below.
    for (client_id, provider) in [("ana-1", "idenfy"), ("ben-2", "sumsub"), ("cleo-3", "onfido")] {
        create_from_the_form(client, &base, client_id, provider).await;
    }
    let page = create_from_the_form(client, &base, "jonas-42", "veriff").await;
    let session_id = page.rsplit('/').next().expect("the session id").to_owned();

    // Found in the list, newest first, and opened from it.
    client.goto(&format!("{base}/")).await.expect("the list");
    wait_for(client, "#sessions").await;
    let first_row = text(client, "#sessions tbody tr:first-child").await;
    assert!(first_row.contains(&session_id) && first_row.contains("jonas-42"), "{first_row}");
    assert_eq!(client.find_all(Locator::Css("#sessions tbody tr")).await.unwrap().len(), 4);
    click(client, &format!("#sessions a[href$='{session_id}']")).await;
    wait_for(client, "#link").await;
    assert_eq!(client.current_url().await.unwrap().as_str(), page);

    // The copy button's script runs (from /assets, the CSP allows no inline script): it says
    // whether the clipboard took the link.
    click(client, "#copy").await;
    client
        .wait()
        .at_most(PATIENCE)
        .for_element(Locator::XPath("//button[@id='copy' and text()!='Copy']"))
        .await
        .expect("the copy button's answer");

    // The person opens the link and approves on the emulator's hosted page.
    let link = client
        .find(Locator::Css("#link"))
        .await
        .unwrap()
        .attr("href")
        .await
        .unwrap()
        .expect("the link");
    client.goto(&link).await.expect("the emulator's hosted page");
    click(client, "button[value=approve]").await;

    // Its webhook reached `kyc serve`: the session's page shows the decision.
    let mut status = String::new();
    for _ in 0..60 {
        client.goto(&page).await.expect("the session page");
        wait_for(client, "#status").await;
        status = text(client, "#status").await;
        if status == "approved" {
            break;
        }
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
    assert_eq!(status, "approved", "the emulator's webhook did not arrive");
    assert_eq!(text(client, "#final").await, "yes");
    let events = text(client, "#events tbody").await;
    assert!(events.contains("webhook") && events.contains("approved"), "{events}");
    browser.screenshot_if_asked("session").await;
    client.goto(&format!("{base}/")).await.expect("the list");
    wait_for(client, "#sessions").await;
    assert!(text(client, "#sessions tbody tr:first-child .status").await == "approved");
    browser.screenshot_if_asked("sessions").await;

    let metrics = server.get("/metrics", &[]).await.text();
    for provider in ["idenfy", "veriff", "sumsub", "onfido"] {
        let line = format!("kyc_sessions_created_total{{provider=\"{provider}\"}} 1");
        assert!(metrics.lines().any(|l| l == line), "{line} in\n{metrics}");
    }
    let verified = metrics
        .lines()
        .find_map(|l| l.strip_prefix("kyc_webhooks_verified_total{provider=\"veriff\"} "))
        .and_then(|count| count.parse::<u64>().ok())
        .expect("Veriff's verified webhooks");
    assert!(verified >= 1, "{metrics}");

    browser.close().await;
    let (status, _, stderr) = server.stop().await;
    assert!(status.is_some_and(|status| status.success()), "{stderr}");
    assert!(!stderr.contains("Jonaitis"), "no personal data in the log:\n{stderr}");
}

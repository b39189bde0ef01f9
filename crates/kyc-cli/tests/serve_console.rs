//! `kyc serve`'s operator console over plain HTTP/1.1, and its security rules: every console
//! route behind the login; the login's CSRF token bound to its `kyc_login` cookie, its attempt
//! limit and its cookie's attributes; every console POST behind the session's CSRF token; the
//! security headers on every kind of answer and no inline code in any page; sessions created
//! through the form on each vendor (on the built-in emulator), decided on the emulator's hosted
//! page as a person would, and followed through the vendors' signed webhooks; the form's
//! refusals; refresh, erasure behind its confirmation, the list's pages and filters; a generated
//! password; and a graceful stop that finishes the request in flight.
//!
//! Each test starts its own `kyc serve --listen 127.0.0.1:0` (`support/serve.rs`), without any
//! vendor credential in its environment: every vendor runs on the built-in emulator, whose
//! webhooks go to the server's own `/webhooks/{vendor}`.

#[path = "support/serve.rs"]
#[allow(dead_code)] // This file uses a part of it.
mod serve;
#[path = "support/smtp.rs"]
mod smtp;

use std::collections::HashSet;
use std::io::ErrorKind;
use std::time::{Duration, Instant};

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::time::{sleep, timeout};

use serve::{
    Answer, Console, Html, LOGIN_COOKIE, LoginPage, PASSWORD, REQUEST, SESSION_COOKIE, Server,
    get_url, post_form_url,
};

/// The four vendors, as the `provider` field and label name them.
const VENDORS: [&str; 4] = ["idenfy", "veriff", "sumsub", "onfido"];

/// How long a session may take to reach its decision once decided on the emulator's page (the
/// webhooks are delivered in the background): generous, for a loaded machine.
const DECISION: Duration = Duration::from_secs(60);

/// A session cookie nobody was given.
const FORGED: &str = "kyc_session=0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

/// The creation form for a person on `provider`: with both names (Onfido requires them), but
/// on Sumsub (which takes none: the person types them on its page).
fn person<'a>(client_id: &'a str, provider: &'a str) -> Vec<(&'a str, &'a str)> {
    let mut fields = vec![("client-id", client_id), ("provider", provider)];
    if provider != "sumsub" {
        fields.extend([("first-name", "Jonas"), ("last-name", "Jonaitis")]);
    }
    fields
}

/// Creates a Veriff session for `client_id` through the form: its console path.
async fn create_veriff(console: &Console, client_id: &str) -> String {
    let path = console.create_session(&person(client_id, "veriff")).await;
    assert!(path.starts_with("/sessions/veriff/"), "{path}");
    path
}

/// The security headers every answer carries.
#[track_caller]
fn assert_security_headers(answer: &Answer, what: &str) {
    let csp = answer.header("content-security-policy").unwrap_or_else(|| {
        panic!("{what}: no Content-Security-Policy: {answer}");
    });
    let directives: Vec<&str> = csp.split(';').map(str::trim).collect();
    for directive in ["script-src 'self'", "frame-ancestors 'none'", "default-src 'none'"] {
        assert!(directives.contains(&directive), "{what}: CSP without {directive}: {csp}");
    }
    assert!(!csp.contains("unsafe-inline"), "{what}: CSP allows inline code: {csp}");
    assert!(!csp.contains("unsafe-eval"), "{what}: CSP allows eval: {csp}");
    let expected = [
        ("x-content-type-options", "nosniff"),
        ("referrer-policy", "no-referrer"),
        ("x-frame-options", "DENY"),
    ];
    for (name, value) in expected {
        let given = answer.header(name);
        assert!(
            given.is_some_and(|given| given.eq_ignore_ascii_case(value)),
            "{what}: {name} is {given:?}, not {value}: {answer}"
        );
    }
}

/// A console page runs no inline code: no `<script>` with content (only the server's own
/// `/assets/` files), no `<style>` element, no `style=` attribute, no `on...=` handler.
#[track_caller]
fn assert_no_inline_code(answer: &Answer, what: &str) {
    let html = answer.html();
    for (tag, content) in html.scripts() {
        assert!(content.trim().is_empty(), "{what}: an inline script: {content:?}");
        let src = tag.attr("src").unwrap_or_default();
        assert!(src.starts_with("/assets/"), "{what}: a script from elsewhere: {tag:?}");
    }
    for tag in html.tags() {
        assert_ne!(tag.name, "style", "{what}: a <style> element");
        for (name, _) in &tag.attrs {
            assert_ne!(name, "style", "{what}: a style attribute on <{}>", tag.name);
            assert!(!name.starts_with("on"), "{what}: a handler {name}= on <{}>", tag.name);
        }
    }
}

/// The Set-Cookie line's attributes, lowercased (the `name=value` pair left out).
fn cookie_attributes(line: &str) -> Vec<String> {
    line.split(';').skip(1).map(|part| part.trim().to_ascii_lowercase()).collect()
}

/// Polls `path` until `done` holds for its page (at most [`DECISION`]): that page.
async fn poll_page(console: &Console, path: &str, done: impl Fn(&Html) -> bool) -> Html {
    let deadline = Instant::now() + DECISION;
    loop {
        let answer = console.get(path).await;
        answer.assert_status(200, path);
        let html = answer.html();
        if done(&html) {
            return html;
        }
        assert!(
            Instant::now() < deadline,
            "{path}: not there within {DECISION:?}: status {:?}, events {:?}",
            html.text_of("status"),
            html.table_rows("events"),
        );
        sleep(Duration::from_millis(100)).await;
    }
}

/// The sessions' rows on a list page (none when it says `#empty`).
fn rows(answer: &Answer, what: &str) -> Vec<Vec<String>> {
    answer.assert_status(200, what);
    let html = answer.html();
    let rows = html.table_rows("sessions");
    assert_eq!(rows.is_empty(), html.has_id("empty"), "{what}: rows {rows:?} and #empty");
    rows
}

/// The client ids of a list page's rows (the third column).
fn client_ids(rows: &[Vec<String>]) -> Vec<String> {
    rows.iter().map(|row| row.get(2).cloned().unwrap_or_default()).collect()
}

// ---------------------------------------------------------------------------------------------
// Behind the login
// ---------------------------------------------------------------------------------------------

/// Every console route, without a login cookie and with one nobody was given (or the
/// pre-login cookie as a session): 303 to `/login`, and nothing created.
#[tokio::test]
async fn every_console_route_needs_a_login() {
    let server = Server::start().await;
    let visitor = LoginPage::get(&server).await;
    let pre_login = format!("{SESSION_COOKIE}={}", visitor.nonce);
    let gets = [
        "/",
        "/?page=2",
        "/sessions/new",
        "/sessions/open?provider=veriff&id=x",
        "/sessions/veriff/x",
        "/sessions/veriff/x/erase",
    ];
    let posts = ["/sessions", "/sessions/veriff/x/refresh", "/sessions/veriff/x/erase", "/logout"];
    let create = serve::form_body(&[
        ("csrf", &visitor.csrf),
        ("client-id", "sneaky"),
        ("provider", "veriff"),
    ]);
    let login_cookie = visitor.cookie();
    for cookie in [None, Some(FORGED), Some(pre_login.as_str()), Some(login_cookie.as_str())] {
        let headers: Vec<(&str, &str)> = cookie.iter().map(|cookie| ("Cookie", *cookie)).collect();
        for path in gets {
            let what = format!("GET {path} with {cookie:?}");
            let answer = server.get(path, &headers).await;
            answer.assert_redirect("/login", &what);
            assert_security_headers(&answer, &what);
        }
        let mut headers = headers.clone();
        headers.push(("Content-Type", "application/x-www-form-urlencoded"));
        for path in posts {
            let what = format!("POST {path} with {cookie:?}");
            let answer = server.post(path, &headers, create.as_bytes()).await;
            answer.assert_redirect("/login", &what);
            assert!(answer.set_cookie(SESSION_COOKIE).is_none(), "{what}: {answer}");
        }
    }

    let console = Console::login(&server).await;
    let list = console.get("/").await;
    assert!(rows(&list, "GET / after the attempts").is_empty(), "{list}");
    let metrics = server.metrics().await;
    for vendor in VENDORS {
        assert_eq!(metrics.count("kyc_sessions_created_total", vendor), 0.0, "{vendor}");
    }
}

/// The login's CSRF token: missing, or another visitor's (not bound to this `kyc_login`
/// cookie), or without the cookie: 403, whatever the password.
#[tokio::test]
async fn login_needs_the_token_bound_to_its_cookie() {
    let server = Server::start().await;
    let mine = LoginPage::get(&server).await;
    let theirs = LoginPage::get(&server).await;
    assert_ne!(mine.nonce, theirs.nonce, "each visitor gets a cookie of their own");
    assert_ne!(mine.csrf, theirs.csrf, "each visitor's token differs");
    let line = mine.answer.set_cookie(LOGIN_COOKIE).unwrap();
    let attributes = cookie_attributes(line);
    for attribute in ["httponly", "samesite=strict", "path=/"] {
        assert!(attributes.iter().any(|a| a == attribute), "{LOGIN_COOKIE}: {line}");
    }

    let cookie = mine.cookie();
    // (what, the kyc_login cookie sent, the csrf field sent)
    let tries = [
        ("no csrf field", Some(cookie.as_str()), None),
        ("an empty csrf", Some(&cookie), Some("")),
        ("another visitor's token", Some(&cookie), Some(theirs.csrf.as_str())),
        ("no kyc_login cookie", None, Some(&mine.csrf)),
    ];
    for (what, cookie, csrf) in tries {
        let mut fields: Vec<(&str, &str)> = csrf.iter().map(|csrf| ("csrf", *csrf)).collect();
        fields.push(("password", PASSWORD));
        let answer = server.post_form("/login", cookie, &fields).await;
        answer.assert_status(403, what);
        assert!(answer.set_cookie(SESSION_COOKIE).is_none(), "{what}: {answer}");
        assert_security_headers(&answer, what);
        assert_no_inline_code(&answer, what);
    }
    // The other visitor's token, with the other visitor's cookie, is fine.
    theirs.submit(&server, PASSWORD).await.assert_redirect("/", "their own token");
}

/// A wrong password: 401 and the form again, with the error beside the password.
#[tokio::test]
async fn a_wrong_password_shows_the_form_again() {
    let server = Server::start().await;
    let page = LoginPage::get(&server).await;
    let html = page.answer.html();
    let password = html.by_id("password").expect("the password input");
    assert_eq!((password.name.as_str(), password.attr("type")), ("input", Some("password")));
    assert!(html.has_id("login"), "the login button");

    let answer = page.submit(&server, "not the password").await;
    answer.assert_status(401, "a wrong password");
    let html = answer.html();
    assert!(html.has_id("error-password"), "{answer}");
    assert!(html.has_id("password") && html.input_value("csrf").is_some(), "{answer}");
    assert!(answer.set_cookie(SESSION_COOKIE).is_none(), "{answer}");
    assert_no_inline_code(&answer, "the form after a wrong password");
    // A case away from the password is another password.
    page.submit(&server, &PASSWORD.to_uppercase()).await.assert_status(401, "upper case");
}

/// Five wrong passwords from 127.0.0.1 within a minute: the sixth attempt, even with the right
/// password, is 429 with a Retry-After.
#[tokio::test]
async fn five_wrong_passwords_hold_the_address_back() {
    let server = Server::start().await;
    let page = LoginPage::get(&server).await;
    for attempt in 1..=5 {
        page.submit(&server, &format!("guess-{attempt}"))
            .await
            .assert_status(401, &format!("wrong password {attempt}"));
    }
    let answer = page.submit(&server, PASSWORD).await;
    answer.assert_status(429, "the sixth attempt, with the right password");
    let retry = answer.header("retry-after").unwrap_or_else(|| panic!("no Retry-After: {answer}"));
    let seconds: u64 = retry.parse().unwrap_or_else(|_| panic!("Retry-After {retry:?}"));
    assert!((1..=60).contains(&seconds), "Retry-After {seconds}");
    assert!(answer.set_cookie(SESSION_COOKIE).is_none(), "{answer}");
    assert_security_headers(&answer, "429");
    // Still held back, with a fresh form too.
    let again = LoginPage::get(&server).await;
    again.submit(&server, PASSWORD).await.assert_status(429, "a seventh attempt");
}

/// A correct login: 303 to `/`, a `kyc_session` cookie (HttpOnly, SameSite=Strict, Path=/)
/// that is not the pre-login cookie, nor a session id planted before the login.
#[tokio::test]
async fn a_correct_login_opens_a_new_session() {
    let server = Server::start().await;
    let page = LoginPage::get(&server).await;
    let planted = "kyc_session=planted0123456789";
    let cookie = format!("{}; {planted}", page.cookie());
    let fields = [("csrf", page.csrf.as_str()), ("password", PASSWORD)];
    let answer = server.post_form("/login", Some(&cookie), &fields).await;
    answer.assert_redirect("/", "POST /login");
    assert_security_headers(&answer, "POST /login");
    let line = answer.set_cookie(SESSION_COOKIE).unwrap_or_else(|| panic!("{answer}"));
    let attributes = cookie_attributes(line);
    for attribute in ["httponly", "samesite=strict", "path=/"] {
        assert!(attributes.iter().any(|a| a == attribute), "no {attribute}: {line}");
    }
    let session = answer.cookie_value(SESSION_COOKIE).unwrap();
    assert!(session.len() >= 32, "a long random id: {session}");
    assert_ne!(session, page.nonce, "the pre-login cookie is not the session id");
    assert_ne!(format!("{SESSION_COOKIE}={session}"), planted, "a planted id is replaced");
    // The pre-login cookie is cleared.
    let cleared = answer.set_cookie(LOGIN_COOKIE).unwrap_or_else(|| panic!("{answer}"));
    assert!(answer.cookie_value(LOGIN_COOKIE).unwrap().is_empty(), "{cleared}");

    let session_cookie = format!("{SESSION_COOKIE}={session}");
    let home = server.get("/", &[("Cookie", &session_cookie)]).await;
    home.assert_status(200, "GET / with the new cookie");
    assert!(home.html().session_csrf().is_some(), "{home}");
    server.get("/", &[("Cookie", planted)]).await.assert_redirect("/login", "the planted id");
}

/// Logged in, a POST without the session's CSRF token or with another one: 403, and nothing
/// created, refreshed, erased, nor logged out. Then a logout: the cookie opens nothing.
#[tokio::test]
async fn console_posts_need_the_session_token() {
    let server = Server::start().await;
    let console = Console::login(&server).await;
    let other = Console::login(&server).await;
    assert_ne!(console.csrf(), other.csrf(), "each login has its own token");
    let login_token = LoginPage::get(&server).await.csrf;
    let wrong: Vec<Option<String>> =
        vec![None, Some(String::new()), Some("0000".into()), Some(other.csrf()), Some(login_token)];

    let form = person("u-forged", "veriff");
    for csrf in &wrong {
        let mut fields = form.clone();
        if let Some(csrf) = csrf {
            fields.insert(0, ("csrf", csrf.as_str()));
        }
        let what = format!("POST /sessions with csrf {csrf:?}");
        let answer = console.post_form_exactly("/sessions", &fields).await;
        answer.assert_status(403, &what);
        assert_security_headers(&answer, &what);
    }
    assert!(rows(&console.get("/").await, "after the forged creations").is_empty());

    // A session to refresh and erase.
    let path = create_veriff(&console, "u-real").await;
    for csrf in &wrong {
        let fields: Vec<(&str, &str)> = csrf.iter().map(|csrf| ("csrf", csrf.as_str())).collect();
        for action in ["refresh", "erase"] {
            let target = format!("{path}/{action}");
            let answer = console.post_form_exactly(&target, &fields).await;
            answer.assert_status(403, &format!("POST {target} with csrf {csrf:?}"));
        }
        let answer = console.post_form_exactly("/logout", &fields).await;
        answer.assert_status(403, &format!("POST /logout with csrf {csrf:?}"));
    }
    let page = console.get(&path).await;
    page.assert_status(200, "the session after the forged posts");
    let link = page.html().by_id("link").expect("#link");
    assert!(link.name == "a" && link.attr("href").is_some(), "not erased: {page}");
    assert_eq!(server.metrics().await.count("kyc_polls_total", "veriff"), 0.0);

    // The other operator's session is theirs: still logged in.
    other.get("/").await.assert_status(200, "the other operator");

    let answer = console.post_form("/logout", &[]).await;
    answer.assert_redirect("/login", "POST /logout");
    let cleared = answer.cookie_value(SESSION_COOKIE);
    assert_eq!(cleared.as_deref(), Some(""), "the cookie is cleared: {answer}");
    for path in ["/", path.as_str()] {
        console.get(path).await.assert_redirect("/login", &format!("GET {path} after logout"));
    }
    other.get("/").await.assert_status(200, "the other operator after the logout");
}

// ---------------------------------------------------------------------------------------------
// Headers and pages
// ---------------------------------------------------------------------------------------------

/// The security headers on every kind of answer, and no inline code in any console page.
#[tokio::test]
async fn every_answer_carries_the_security_headers() {
    let server = Server::start().await;
    let login = LoginPage::get(&server).await;
    assert_security_headers(&login.answer, "the login page");
    assert_no_inline_code(&login.answer, "the login page");

    let console = Console::login(&server).await;
    let path = create_veriff(&console, "u-headers").await;
    let mut pages = vec![("the list".to_owned(), console.get("/").await)];
    for page in ["/sessions/new", &path, &format!("{path}/erase"), "/?status=nonsense"] {
        pages.push((format!("GET {page}"), console.get(page).await));
    }
    let invalid = console.post_form("/sessions", &[("client-id", "")]).await;
    pages.push(("a refused form".to_owned(), invalid));
    pages.push(("the console's 404".to_owned(), console.get("/sessions/veriff/nope").await));
    for (what, answer) in &pages {
        assert!(matches!(answer.status, 200 | 404 | 422), "{what}: {answer}");
        assert_security_headers(answer, what);
        assert_no_inline_code(answer, what);
        let cache = answer.header("cache-control").unwrap_or_default();
        assert!(cache.contains("no-store"), "{what}: Cache-Control {cache:?}");
    }

    let mut answers = vec![
        ("303", server.get("/", &[]).await, 303),
        ("403", server.post_form("/login", None, &[("password", PASSWORD)]).await, 403),
        ("404 fallback", server.get("/no/such/page", &[]).await, 404),
        ("webhook 401", server.post("/webhooks/veriff", &[], b"{}").await, 401),
        ("webhook 404", server.post("/webhooks/acme", &[], b"{}").await, 404),
        ("/healthz", server.get("/healthz", &[]).await, 200),
        ("/metrics", server.get("/metrics", &[]).await, 200),
        ("/assets/console.js", server.get("/assets/console.js", &[]).await, 200),
        ("/assets/console.css", server.get("/assets/console.css", &[]).await, 200),
    ];
    answers.push(("405", server.request("DELETE", "/login", &[], b"").await, 405));
    for (what, answer, status) in &answers {
        answer.assert_status(*status, what);
        assert_security_headers(answer, what);
    }
    let fallback = &answers[2].1;
    assert_no_inline_code(fallback, "the 404 page");
    let script = &answers[7].1;
    let content_type = script.header("content-type").unwrap_or_default();
    assert!(content_type.contains("javascript"), "console.js: {content_type:?}");
}

/// The page check above catches what it looks for (so its passing means something).
#[test]
fn the_inline_code_check_catches_inline_code() {
    let page = |body: &str| {
        let raw = format!("HTTP/1.1 200 OK\r\nContent-Length: {}\r\n\r\n{body}", body.len());
        Answer::parse(raw.as_bytes()).unwrap()
    };
    let clean = r#"<!DOCTYPE html><html><head><script src="/assets/console.js" defer></script>
        <link rel="stylesheet" href="/assets/console.css"></head>
        <body><p id="x" class="flash">a &lt;script&gt;alert(1)&lt;/script&gt; b</p></body></html>"#;
    assert_no_inline_code(&page(clean), "a clean page");
    assert_eq!(page(clean).html().text_of("x").as_deref(), Some("a <script>alert(1)</script> b"));
    let dirty = [
        "<script>alert(1)</script>",
        "<script src=\"https://cdn.example/x.js\"></script>",
        "<style>p{}</style>",
        "<p style=\"color:red\">x</p>",
        "<button onclick=\"go()\">x</button>",
        "<img src=x ONERROR=go()>",
    ];
    for body in dirty {
        let caught = std::panic::catch_unwind(|| assert_no_inline_code(&page(body), body));
        assert!(caught.is_err(), "not caught: {body}");
    }
}

// ---------------------------------------------------------------------------------------------
// Sessions
// ---------------------------------------------------------------------------------------------

/// Through the form on each vendor's emulator: 303 to the session's page, which shows the link
/// (the list does not); decided on the emulator's hosted page as a person decides; the
/// vendor's signed webhooks reach `/webhooks/{vendor}`, the page follows to `approved`, each
/// event once; and `/metrics` counted it all.
#[tokio::test]
async fn sessions_created_on_each_vendor_follow_the_person_s_decision() {
    let server = Server::start().await;
    let console = Console::login(&server).await;
    for vendor in VENDORS {
        let client_id = format!("person-{vendor}");
        let path = console.create_session(&person(&client_id, vendor)).await;
        let prefix = format!("/sessions/{vendor}/");
        let id = path.strip_prefix(&prefix).unwrap_or_else(|| panic!("{vendor}: {path}"));
        assert!(!id.is_empty() && !id.contains('/'), "{vendor}: {path}");

        let page = console.get(&path).await;
        page.assert_status(200, &path);
        assert_no_inline_code(&page, &path);
        let html = page.html();
        assert_eq!(html.text_of("provider").as_deref(), Some(vendor), "{page}");
        assert_eq!(html.text_of("client-id"), Some(client_id.clone()), "{page}");
        assert!(html.text_of("flash").is_some_and(|f| f.contains(vendor)), "{page}");
        let link = html.by_id("link").unwrap_or_else(|| panic!("{vendor}: no #link: {page}"));
        let link = link.attr("href").unwrap_or_else(|| panic!("{vendor}: #link: {link:?}"));
        assert!(link.starts_with("http://127.0.0.1:"), "{vendor}: the emulator's link {link}");
        assert_ne!(html.text_of("status").as_deref(), Some("approved"), "{vendor}: {page}");

        let list = console.get("/").await;
        let list_text = list.text();
        assert!(!list.html().has_id("link"), "{vendor}: a link on the list: {list}");
        assert!(!list_text.contains(link), "{vendor}: the link is on the list page");
        assert!(list.html().links().contains(&path), "{vendor}: the list links {path}");

        // The person opens the link and approves.
        let hosted = get_url(link).await;
        hosted.assert_status(200, &format!("{vendor}: the hosted page {link}"));
        let action = format!("/{vendor}/decide");
        let (_, inputs) = hosted
            .html()
            .form(&action)
            .unwrap_or_else(|| panic!("{vendor}: no form to {action}: {hosted}"));
        let token = inputs
            .iter()
            .find(|(name, _)| name == "token")
            .map(|(_, value)| value.clone())
            .unwrap_or_else(|| panic!("{vendor}: no token in the form: {hosted}"));
        let url = url::Url::parse(link).unwrap().join(&action).unwrap();
        let decided =
            post_form_url(url.as_str(), &[("token", &token), ("choice", "approve")]).await;
        assert!(matches!(decided.status, 302 | 303), "{vendor}: the decision: {decided}");

        let html = poll_page(&console, &path, |html| {
            html.text_of("status").as_deref() == Some("approved")
                && html.text_of("final").as_deref() == Some("yes")
        })
        .await;
        let events = html.table_rows("events");
        assert!(!events.is_empty(), "{vendor}: no events");
        // When, From, Event, Status, Vendor's word, Final.
        let mut seen = HashSet::new();
        for row in &events {
            assert_eq!(row.len(), 6, "{vendor}: an events row {row:?}");
            let key = (row[1].clone(), row[2].clone(), row[3].clone());
            assert!(seen.insert(key), "{vendor}: an event twice: {events:?}");
        }
        let approved = events.iter().any(|row| row[1] == "webhook" && row[3] == "approved");
        assert!(approved, "{vendor}: no approved webhook event: {events:?}");
    }

    let metrics = server.metrics().await;
    for vendor in VENDORS {
        let created = metrics.count("kyc_sessions_created_total", vendor);
        assert_eq!(created, 1.0, "kyc_sessions_created_total {vendor}: {metrics:?}");
        let verified = metrics.count("kyc_webhooks_verified_total", vendor);
        assert!(verified >= 1.0, "kyc_webhooks_verified_total {vendor}: {metrics:?}");
        assert_eq!(metrics.count("kyc_webhooks_refused_total", vendor), 0.0, "{vendor}");
        assert_eq!(metrics.count("kyc_sessions_failed_total", vendor), 0.0, "{vendor}");
    }
    let list = console.get("/").await;
    let rows = rows(&list, "the list at the end");
    assert_eq!(rows.len(), 4, "{rows:?}");
    assert!(rows.iter().all(|row| row[3] == "approved" && row[4] == "yes"), "{rows:?}");
}

/// An invalid form: 422, the error beside its input, what was typed kept; nothing created.
/// A name typed into the form never reaches the server's output.
#[tokio::test]
async fn an_invalid_form_is_refused_beside_its_input() {
    let server = Server::start().await;
    let console = Console::login(&server).await;
    let answer = console
        .post_form("/sessions", &[("client-id", "u1"), ("date-of-birth", "15/05/1990")])
        .await;
    answer.assert_status(422, "an invalid date of birth");
    let html = answer.html();
    let error = html.text_of("error-date-of-birth").unwrap_or_else(|| panic!("{answer}"));
    assert!(!error.is_empty() && !error.contains("1990"), "the value is not repeated: {error}");
    assert_eq!(html.input_value("client-id").as_deref(), Some("u1"), "{answer}");
    assert!(html.session_csrf().is_some(), "the form can be sent again");
    assert_no_inline_code(&answer, "the refused form");

    let answer = console.post_form("/sessions", &[("first-name", "Jonas")]).await;
    answer.assert_status(422, "no client id");
    assert!(answer.html().has_id("error-client-id"), "{answer}");
    assert!(rows(&console.get("/").await, "after the refusals").is_empty());

    // A secret name, refused and then accepted: on no output.
    let secret = "Sarah-Secret-Name";
    let refused = [("client-id", "u2"), ("first-name", secret), ("date-of-birth", "1990-13-45")];
    console.post_form("/sessions", &refused).await.assert_status(422, "a bad date, a name");
    let mut fields = person("u3", "veriff");
    fields[2] = ("first-name", secret);
    let path = console.create_session(&fields).await;
    console.get(&path).await.assert_status(200, &path);
    let metrics = server.metrics().await;
    assert_eq!(metrics.count("kyc_sessions_created_total", "veriff"), 1.0, "{metrics:?}");

    let (status, stdout, stderr) = server.stop().await;
    assert!(status.is_some_and(|status| status.success()), "{status:?}: {stderr}");
    assert!(!stderr.contains(secret) && !stdout.contains(secret), "{stdout}\n{stderr}");
    assert!(!stderr.contains("1990"), "{stderr}");
}

/// What an operator types is escaped wherever it is shown: the list, the session's page, a
/// refused form's input.
#[tokio::test]
async fn what_an_operator_types_is_escaped() {
    let server = Server::start().await;
    let console = Console::login(&server).await;
    let typed = "\"><script>alert(1)</script><b onclick=x>";
    let path = create_veriff(&console, typed).await;
    let page = console.get(&path).await;
    assert_eq!(page.html().text_of("client-id").as_deref(), Some(typed), "{page}");
    assert_no_inline_code(&page, "the session's page");
    let list = console.get("/").await;
    assert_eq!(client_ids(&rows(&list, "the list")), [typed]);
    assert_no_inline_code(&list, "the list");
    let filtered = console.get(&format!("/?{}", serve::form_body(&[("client_id", typed)]))).await;
    assert_eq!(client_ids(&rows(&filtered, "filtered")), [typed]);
    assert_no_inline_code(&filtered, "the filtered list");
    assert_eq!(filtered.html().input_value("client_id").as_deref(), Some(typed));

    let refused = [("client-id", typed), ("date-of-birth", "yesterday")];
    let answer = console.post_form("/sessions", &refused).await;
    answer.assert_status(422, "a refused form");
    assert_eq!(answer.html().input_value("client-id").as_deref(), Some(typed), "{answer}");
    assert_no_inline_code(&answer, "the refused form");
}

/// The same form twice buys one session (the ledger shows the live one again); a Sumsub
/// session, named by the client's own id, is reachable whatever characters that id holds.
#[tokio::test]
async fn the_same_form_twice_buys_one_session() {
    let server = Server::start().await;
    let console = Console::login(&server).await;
    let fields = [("client-id", "user 1/ä?"), ("provider", "sumsub")];
    let path = console.create_session(&fields).await;
    assert!(path.starts_with("/sessions/sumsub/") && path.matches('/').count() == 3, "{path}");
    let page = console.get(&path).await;
    page.assert_status(200, &path);
    let html = page.html();
    assert!(html.text_of("flash").is_some_and(|flash| flash.contains("Created")), "{page}");
    assert_eq!(html.text_of("client-id").as_deref(), Some("user 1/ä?"), "{page}");

    let again = console.create_session(&fields).await;
    assert_eq!(again, path, "the same session");
    let page = console.get(&again).await;
    let flash = page.html().text_of("flash").unwrap_or_default();
    assert!(flash.contains("already had"), "{flash}");
    assert_eq!(rows(&console.get("/").await, "the list").len(), 1);
    let metrics = server.metrics().await;
    assert_eq!(metrics.count("kyc_sessions_created_total", "sumsub"), 1.0, "{metrics:?}");
}

/// Refresh: asks the vendor, back to the page with what it said; counted as a poll.
#[tokio::test]
async fn refresh_asks_the_vendor() {
    let server = Server::start().await;
    let console = Console::login(&server).await;
    let path = create_veriff(&console, "u-refresh").await;
    let page = console.get(&path).await;
    let created = page.html().text_of("flash").unwrap_or_default();
    assert!(created.contains("Created"), "the creation's flash: {page}");
    // Shown once.
    assert!(!console.get(&path).await.html().has_id("flash"), "the flash is shown once");

    let answer = console.post_form(&format!("{path}/refresh"), &[]).await;
    answer.assert_redirect(&path, "POST refresh");
    let page = console.get(&path).await;
    let flash = page.html().text_of("flash").unwrap_or_else(|| panic!("no #flash: {page}"));
    assert!(flash.contains("veriff") && !flash.contains("Created"), "{flash}");
    let metrics = server.metrics().await;
    assert_eq!(metrics.count("kyc_polls_total", "veriff"), 1.0, "{metrics:?}");
    for vendor in ["idenfy", "sumsub", "onfido"] {
        assert_eq!(metrics.count("kyc_polls_total", vendor), 0.0, "{vendor}");
    }
}

/// Failover from the form: a vendor that cannot serve the request is passed over (no call, so
/// no attempt counted), the next one creates it, and the session's page shows the trail.
#[tokio::test]
async fn the_form_fails_over_and_counts_the_attempts() {
    let server = Server::start().await;
    let console = Console::login(&server).await;
    // Onfido requires the person's names, which this request does not give.
    let path =
        console.create_session(&[("client-id", "u-failover"), ("provider", "onfido,veriff")]).await;
    assert!(path.starts_with("/sessions/veriff/"), "{path}");
    let page = console.get(&path).await;
    let rows = page.html().table_rows("attempts");
    assert_eq!(rows.len(), 2, "{rows:?}");
    assert!(rows[0][0] == "onfido" && rows[0][1].starts_with("passed over"), "{rows:?}");
    assert!(rows[1][0] == "veriff" && rows[1][1] == "created", "{rows:?}");
    let metrics = server.metrics().await;
    assert_eq!(metrics.count("kyc_failover_attempts_total", "veriff"), 1.0, "{metrics:?}");
    assert_eq!(metrics.count("kyc_failover_attempts_total", "onfido"), 0.0, "{metrics:?}");
    assert_eq!(metrics.count("kyc_sessions_created_total", "veriff"), 1.0, "{metrics:?}");
    assert_eq!(metrics.count("kyc_sessions_failed_total", "onfido"), 0.0, "{metrics:?}");
}

/// The form emails the link when asked, over a real SMTP conversation; a refused email still
/// leaves the session created, and says so.
#[tokio::test]
async fn the_form_emails_the_link() {
    let (smtp_url, seen) = smtp::smtp_server(false).await;
    let server = Server::builder()
        .envs(&[("SMTP_URL", &smtp_url), ("SMTP_FROM", "kyc@example.org")])
        .start()
        .await;
    let console = Console::login(&server).await;
    let mut fields = person("u-mail", "veriff");
    fields.extend([("email", "desk@example.org"), ("cc", "boss@example.org, audit@example.org")]);
    let path = console.create_session(&fields).await;
    let page = console.get(&path).await;
    let flash = page.html().text_of("flash").unwrap_or_default();
    assert!(flash.contains("emailed") && !flash.contains("not emailed"), "{page}");
    let link = page.html().by_id("link").and_then(|tag| tag.attr("href").map(str::to_owned));
    let link = link.expect("the link");
    let conversation = seen.lock().unwrap().join("\n");
    for line in
        ["RCPT TO:<desk@example.org>", "RCPT TO:<boss@example.org>", "RCPT TO:<audit@example.org>"]
    {
        assert!(conversation.contains(line), "{line} in:\n{conversation}");
    }
    // Quoted-printable may fold a long line: compare without soft breaks.
    assert!(conversation.replace("=\n", "").contains(&link), "the link in:\n{conversation}");

    let (smtp_url, _) = smtp::smtp_server(true).await;
    let server = Server::builder().envs(&[("SMTP_URL", &smtp_url)]).start().await;
    let console = Console::login(&server).await;
    let mut fields = person("u-mail", "veriff");
    fields.push(("email", "desk@example.org"));
    let path = console.create_session(&fields).await;
    let flash = console.get(&path).await.html().text_of("flash").unwrap_or_default();
    assert!(flash.contains("not emailed"), "{flash}");

    // Without SMTP_URL the form refuses before buying anything, beside the email's input.
    let server = Server::start().await;
    let console = Console::login(&server).await;
    let mut fields = person("u-mail", "veriff");
    fields.push(("email", "desk@example.org"));
    let answer = console.post_form("/sessions", &fields).await;
    assert_eq!(answer.status, 422, "{answer}");
    assert!(answer.html().has_id("error-email"), "{answer}");
    assert_eq!(server.metrics().await.count("kyc_sessions_created_total", "veriff"), 0.0);
}

/// Erasure: a confirmation page first (nothing erased by looking at it), then the vendor
/// erases and the ledger forgets the link.
#[tokio::test]
async fn erasure_is_confirmed_first() {
    let server = Server::start().await;
    let console = Console::login(&server).await;
    let path = create_veriff(&console, "u-erase").await;
    let page = console.get(&path).await;
    let link = page.html().by_id("link").and_then(|tag| tag.attr("href").map(str::to_owned));
    let link = link.unwrap_or_else(|| panic!("no link: {page}"));
    let erase = format!("{path}/erase");
    let erase_link = page.html().by_id("erase").and_then(|tag| tag.attr("href").map(str::to_owned));
    assert_eq!(erase_link.as_deref(), Some(erase.as_str()), "the page links the confirmation");

    let confirm = console.get(&erase).await;
    confirm.assert_status(200, "the confirmation page");
    let html = confirm.html();
    assert!(html.has_id("confirm-erase"), "{confirm}");
    let (form, inputs) = html.form(&erase).unwrap_or_else(|| panic!("no form: {confirm}"));
    assert_eq!(form.attr("method"), Some("post"), "{form:?}");
    assert!(inputs.iter().any(|(name, value)| name == "csrf" && *value == console.csrf()));
    // Looking erased nothing.
    let page = console.get(&path).await;
    let still = page.html().by_id("link");
    assert!(still.is_some_and(|tag| tag.attr("href") == Some(link.as_str())), "{page}");
    get_url(&link).await.assert_status(200, "the link still opens");

    let answer = console.post_form(&erase, &[]).await;
    answer.assert_redirect(&path, "POST erase");
    let page = console.get(&path).await;
    let html = page.html();
    let flash = html.text_of("flash").unwrap_or_else(|| panic!("no #flash: {page}"));
    assert!(flash.contains("erased"), "{flash}");
    let gone = html.by_id("link").unwrap_or_else(|| panic!("no #link: {page}"));
    assert!(gone.attr("href").is_none(), "the link is forgotten: {gone:?}");
    assert_eq!(html.text_of("link").as_deref(), Some("erased"), "{page}");
    assert!(!page.text().contains(&link), "the link is nowhere on the page");
    get_url(&link).await.assert_status(404, "the vendor forgot the session");
}

/// The list: 25 sessions a page, newest first, with the next page linked; filters.
#[tokio::test]
async fn the_list_pages_and_filters() {
    let server = Server::start().await;
    let console = Console::login(&server).await;
    let ids: Vec<String> = (0..27).map(|i| format!("c{i:02}")).collect();
    for id in &ids {
        create_veriff(&console, id).await;
    }

    let first = console.get("/").await;
    let first_rows = rows(&first, "page 1");
    assert_eq!(first_rows.len(), 25, "{first_rows:?}");
    assert_eq!(first_rows[0][2], "c26", "newest first: {first_rows:?}");
    let html = first.html();
    assert!(!html.has_id("previous"), "no page before the first");
    let next = html.by_id("next").unwrap_or_else(|| panic!("no #next: {first}"));
    let next = next.attr("href").unwrap_or_default().to_owned();
    assert!(next.starts_with("/?") && next.contains("page=2"), "{next}");

    let second = console.get(&next).await;
    let second_rows = rows(&second, "page 2");
    assert_eq!(second_rows.len(), 2, "{second_rows:?}");
    assert!(!second.html().has_id("next"), "no page after the last");
    assert!(second.html().has_id("previous"), "the first page is linked");
    let mut all = client_ids(&first_rows);
    all.extend(client_ids(&second_rows));
    all.sort();
    assert_eq!(all, ids, "every session once over both pages");

    let one = rows(&console.get("/?client_id=c03").await, "client c03");
    assert_eq!(client_ids(&one), ["c03"], "{one:?}");
    let veriff = rows(&console.get("/?provider=veriff&page=2").await, "veriff, page 2");
    assert_eq!(veriff.len(), 2, "{veriff:?}");
    let none = console.get("/?status=approved").await;
    assert!(rows(&none, "approved").is_empty() && none.html().has_id("empty"), "{none}");
    let elsewhere = console.get("/?provider=idenfy").await;
    assert!(rows(&elsewhere, "idenfy").is_empty(), "{elsewhere}");
    let beyond = console.get("/?page=3").await;
    assert!(rows(&beyond, "page 3").is_empty(), "{beyond}");
}

/// Without `KYC_CONSOLE_PASSWORD`, a password is generated, printed once, and opens the
/// console (and the tests' usual one does not).
#[tokio::test]
async fn a_generated_password_is_printed_once_and_works() {
    let server = Server::builder().without_password().start().await;
    let stderr = server.stderr();
    let line = stderr
        .lines()
        .find(|line| line.starts_with("kyc serve: console password (generated, shown once"))
        .unwrap_or_else(|| panic!("no generated password on stderr: {stderr}"));
    let password = line.rsplit_once(": ").map(|(_, password)| password.trim()).unwrap_or_default();
    assert!(password.len() >= 16, "a long password: {line}");
    assert_eq!(server.generated_password().as_deref(), Some(password));
    assert_eq!(stderr.matches(password).count(), 1, "printed once: {stderr}");

    let page = LoginPage::get(&server).await;
    page.submit(&server, PASSWORD).await.assert_status(401, "the tests' usual password");
    let console = Console::login_with(&server, password).await;
    console.get("/").await.assert_status(200, "the console");
    let (_, _, stderr) = server.stop().await;
    assert_eq!(stderr.matches(password).count(), 1, "printed once: {stderr}");
}

/// SIGTERM while a request is in flight: it is answered in full, then the process exits 0, and
/// nothing listens any more.
#[tokio::test]
async fn a_stop_finishes_the_request_in_flight() {
    let mut server = Server::start().await;
    let addr = server.address();
    let body = format!("{{\"padding\":\"{}\"}}", "x".repeat(86)).into_bytes();
    assert_eq!(body.len(), 100);

    let mut stream = TcpStream::connect(addr).await.expect("connect");
    // `Expect: 100-continue`: the server says it reads the body, so the request is surely in
    // its hands before the signal.
    let head = format!(
        "POST /webhooks/veriff HTTP/1.1\r\nHost: {addr}\r\nContent-Type: application/json\r\n\
         Content-Length: {}\r\nExpect: 100-continue\r\nConnection: close\r\n\r\n",
        body.len()
    );
    stream.write_all(head.as_bytes()).await.unwrap();
    let interim = timeout(REQUEST, read_head(&mut stream)).await.expect("100 Continue in time");
    assert!(interim.starts_with("HTTP/1.1 100"), "{interim:?}");
    stream.write_all(&body[..40]).await.unwrap();
    stream.flush().await.unwrap();
    sleep(Duration::from_millis(200)).await;

    let killed = std::process::Command::new("kill")
        .args(["-TERM", &server.pid().to_string()])
        .status()
        .expect("kill runs");
    assert!(killed.success(), "kill -TERM: {killed}");
    sleep(Duration::from_millis(300)).await;
    stream.write_all(&body[40..]).await.unwrap();
    stream.flush().await.unwrap();
    let raw = timeout(REQUEST, serve::read_to_end(&mut stream))
        .await
        .expect("the answer in time")
        .unwrap_or_else(|error| panic!("{error}; stderr: {}", server.stderr()));
    let answer = Answer::parse(&raw).unwrap_or_else(|error| panic!("{error}"));
    answer.assert_status(401, "the unsigned delivery in flight");
    assert!(answer.json()["error"].is_string(), "{answer}");

    let status = server.wait(Duration::from_secs(20)).await;
    assert!(status.is_some_and(|status| status.success()), "exit: {status:?}");
    match TcpStream::connect(addr).await {
        Err(error) => assert_eq!(error.kind(), ErrorKind::ConnectionRefused, "{error}"),
        Ok(_) => panic!("{addr} still accepts connections after the exit"),
    }
    let (_, _, stderr) = server.stop().await;
    assert!(stderr.contains("kyc serve: stopping"), "{stderr}");
}

/// An answer's head, up to its blank line.
async fn read_head(stream: &mut TcpStream) -> String {
    let mut head = Vec::new();
    let mut byte = [0u8; 1];
    while !head.ends_with(b"\r\n\r\n") {
        let n = stream.read(&mut byte).await.expect("read");
        assert_eq!(n, 1, "the connection closed after {:?}", String::from_utf8_lossy(&head));
        head.push(byte[0]);
    }
    String::from_utf8_lossy(&head).into_owned()
}

/// A client that stalls half-way through its headers holds neither the connection nor the
/// stop: the server drops it at its header deadline (10 s), and a stop waits no longer.
#[tokio::test]
async fn a_stalled_client_holds_nothing() {
    let mut server = Server::start().await;
    let addr = server.address();
    let mut stalled = TcpStream::connect(addr).await.expect("connect");
    stalled.write_all(b"POST /webhooks/veriff HTTP/1.1\r\nHost: x\r\n").await.unwrap();
    stalled.flush().await.unwrap();
    // Still served beside it.
    server.get("/healthz", &[]).await.assert_status(200, "healthz beside a stalled client");

    // Dropped at the header deadline (10 s): the read ends, with or without an answer.
    let mut rest = Vec::new();
    let ended = timeout(Duration::from_secs(30), stalled.read_to_end(&mut rest)).await;
    assert!(ended.is_ok(), "the stalled connection is still open after 30 s");

    let mut stalled = TcpStream::connect(addr).await.expect("connect");
    stalled.write_all(b"GET /healthz HTTP/1.1\r\n").await.unwrap();
    stalled.flush().await.unwrap();
    sleep(Duration::from_millis(200)).await;
    server.terminate().await;
    // Well under the 30 s the stop gives requests in flight: the header deadline ended it.
    let status = server.wait(Duration::from_secs(25)).await;
    assert!(status.is_some_and(|status| status.success()), "exit: {status:?}");
}

//! The hosted page a session's URL opens: it shows the session and lets a person decide it,
//! which is what the status and decision endpoints then report in each vendor's words.

use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use chrono::Utc;
use serde::Deserialize;

use crate::App;
use crate::faults::lock;
use crate::store::{Choice, Vendor};
use crate::webhooks::{self, Happened};

#[derive(Deserialize)]
pub(crate) struct TokenQuery {
    #[serde(rename = "authToken")]
    auth_token: String,
}

#[derive(Deserialize)]
pub(crate) struct Decide {
    token: String,
    choice: String,
}

/// iDenfy's redirect page, `GET /idenfy/api/v2/redirect?authToken=…`, and its KYB UI,
/// `GET /idenfy/kyb/welcome?authToken=…`.
pub(crate) async fn idenfy(State(app): State<App>, Query(query): Query<TokenQuery>) -> Response {
    show(&app, Vendor::Idenfy, &query.auth_token)
}

/// Veriff's hosted flow, `GET /veriff/v/{token}`.
pub(crate) async fn veriff(State(app): State<App>, Path(token): Path<String>) -> Response {
    show(&app, Vendor::Veriff, &token)
}

/// `POST /idenfy/decide`: the person's choice on iDenfy's page.
pub(crate) async fn decide_idenfy(State(app): State<App>, Form(form): Form<Decide>) -> Response {
    decide(&app, Vendor::Idenfy, &form)
}

/// `POST /veriff/decide`: the person's choice on Veriff's page.
pub(crate) async fn decide_veriff(State(app): State<App>, Form(form): Form<Decide>) -> Response {
    decide(&app, Vendor::Veriff, &form)
}

fn decide(app: &App, vendor: Vendor, form: &Decide) -> Response {
    // Each vendor's page offers its own three outcomes.
    let offered = match (vendor, Choice::from_form(&form.choice)) {
        (_, Some(choice @ (Choice::Approve | Choice::Decline))) => Some(choice),
        (Vendor::Idenfy, Some(Choice::Suspect)) => Some(Choice::Suspect),
        (Vendor::Veriff, Some(Choice::Resubmit)) => Some(Choice::Resubmit),
        _ => None,
    };
    let Some(choice) = offered else {
        let body = page("Unknown choice", "<p>Choose one of the buttons.</p>");
        return (StatusCode::BAD_REQUEST, Html(body)).into_response();
    };
    let mut store = lock(&app.store);
    let Some(record) = store.by_token_mut(&form.token).filter(|r| r.vendor == vendor) else {
        return not_found();
    };
    if record.expired(Utc::now()) {
        return expired();
    }
    // A final decision stands; Veriff's resubmission lets the person decide again.
    if matches!(record.decision, Some((earlier, _)) if earlier != Choice::Resubmit) {
        let body = page("Already decided", "<p>This verification is already decided.</p>");
        return (StatusCode::CONFLICT, Html(body)).into_response();
    }
    record.opened = true;
    record.decision = Some((choice, Utc::now()));
    webhooks::send(app, record, Happened::Decided);
    let back = match vendor {
        Vendor::Idenfy if record.business => {
            format!("/idenfy/kyb/welcome?authToken={}", form.token)
        }
        Vendor::Idenfy => format!("/idenfy/api/v2/redirect?authToken={}", form.token),
        Vendor::Veriff => format!("/veriff/v/{}", form.token),
    };
    Redirect::to(&back).into_response()
}

fn show(app: &App, vendor: Vendor, token: &str) -> Response {
    let mut store = lock(&app.store);
    let Some(record) = store.by_token_mut(token).filter(|r| r.vendor == vendor) else {
        return not_found();
    };
    if record.expired(Utc::now()) {
        return expired();
    }
    if !record.opened {
        record.opened = true;
        webhooks::send(app, record, Happened::Opened);
    }
    let vendor_name = match vendor {
        Vendor::Idenfy => "iDenfy",
        Vendor::Veriff => "Veriff",
    };
    let kind = if record.business { "business (KYB)" } else { "identity (KYC)" };
    let facts = format!(
        "<dl><dt>Vendor</dt><dd id=\"vendor\">{vendor_name}</dd><dt>Kind</dt><dd>{kind}</dd>\
         <dt>Client id</dt><dd id=\"client-id\">{}</dd><dt>Session</dt><dd id=\"session\">{}</dd>\
         <dt>Link valid until</dt><dd id=\"expires\">{}</dd></dl>",
        escape(&record.client_id),
        escape(&record.id),
        record.expires.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
    );
    let body = match record.decision {
        Some((choice, at)) => format!(
            "{facts}<p id=\"decision\">Decided: {}, at {}.</p>",
            choice_label(vendor, choice),
            at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
        ),
        None => {
            // iDenfy has no resubmission state; its third outcome is "suspected".
            let third = match vendor {
                Vendor::Idenfy => ("suspect", "Suspected"),
                Vendor::Veriff => ("resubmit", "Ask for resubmission"),
            };
            format!(
                "{facts}<form method=\"post\" action=\"/{}/decide\">\
                 <input type=\"hidden\" name=\"token\" value=\"{}\">\
                 <button name=\"choice\" value=\"approve\">Approve</button>\
                 <button name=\"choice\" value=\"decline\">Decline</button>\
                 <button name=\"choice\" value=\"{}\">{}</button></form>",
                vendor.name(),
                escape(token),
                third.0,
                third.1
            )
        }
    };
    Html(page(&format!("{vendor_name} verification (emulated)"), &body)).into_response()
}

fn choice_label(vendor: Vendor, choice: Choice) -> &'static str {
    match (vendor, choice) {
        (_, Choice::Approve) => "approved",
        (Vendor::Idenfy, Choice::Decline) => "denied",
        (Vendor::Veriff, Choice::Decline) => "declined",
        (Vendor::Idenfy, _) => "suspected",
        (Vendor::Veriff, _) => "resubmission requested",
    }
}

fn not_found() -> Response {
    (
        StatusCode::NOT_FOUND,
        Html(page("Unknown link", "<p>This verification link does not exist.</p>")),
    )
        .into_response()
}

fn expired() -> Response {
    (
        StatusCode::GONE,
        Html(page("Link expired", "<p id=\"expired\">This verification link has expired.</p>")),
    )
        .into_response()
}

fn page(title: &str, body: &str) -> String {
    format!(
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>{title}</title>\
         <style>body{{font-family:sans-serif;max-width:36rem;margin:3rem auto}}dt{{font-weight:bold}}\
         button{{margin-right:.5rem;padding:.5rem 1rem}}</style></head>\
         <body><h1>{title}</h1><p><small>kyc-emulator: no real verification happens here.</small></p>{body}</body></html>"
    )
}

fn escape(text: &str) -> String {
    text.chars()
        .map(|c| match c {
            '<' => "&lt;".to_owned(),
            '>' => "&gt;".to_owned(),
            '&' => "&amp;".to_owned(),
            '"' => "&quot;".to_owned(),
            '\'' => "&#39;".to_owned(),
            c => c.to_string(),
        })
        .collect()
}

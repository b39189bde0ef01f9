//! The hosted page a session's URL opens: it shows the session and lets a person decide it,
//! which is what the status and decision endpoints then report in each vendor's words.

use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use chrono::Utc;
use serde::Deserialize;

use crate::App;
use crate::decide::{self, Choice};
use crate::error::EmulatorError;
use crate::faults::lock;
use crate::store::{Vendor, Verdict};
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

/// Sumsub's hosted WebSDK link, `GET /sumsub/websdk/p/{token}` (after Sumsub's
/// `https://in.sumsub.com/websdk/p/{token}`, <https://docs.sumsub.com/reference/generate-websdk-external-link>).
pub(crate) async fn sumsub(State(app): State<App>, Path(token): Path<String>) -> Response {
    show(&app, Vendor::Sumsub, &token)
}

/// Onfido's hosted link, `GET /onfido/l/{run_id}` (after Onfido's
/// `https://eu.onfido.app/l/<workflow_run_id>`): the run's id is the page's token.
pub(crate) async fn onfido(State(app): State<App>, Path(run_id): Path<String>) -> Response {
    show(&app, Vendor::Onfido, &run_id)
}

/// `POST /onfido/decide`: the person's choice on Onfido's page (`token` the run's id).
pub(crate) async fn decide_onfido(State(app): State<App>, Form(form): Form<Decide>) -> Response {
    decide(&app, Vendor::Onfido, &form)
}

/// `POST /sumsub/decide`: the person's choice on Sumsub's page.
pub(crate) async fn decide_sumsub(State(app): State<App>, Form(form): Form<Decide>) -> Response {
    decide(&app, Vendor::Sumsub, &form)
}

/// `POST /idenfy/decide`: the person's choice on iDenfy's page.
pub(crate) async fn decide_idenfy(State(app): State<App>, Form(form): Form<Decide>) -> Response {
    decide(&app, Vendor::Idenfy, &form)
}

/// `POST /veriff/decide`: the person's choice on Veriff's page.
pub(crate) async fn decide_veriff(State(app): State<App>, Form(form): Form<Decide>) -> Response {
    decide(&app, Vendor::Veriff, &form)
}

/// The person's click: the form names its session by the token, [`decide::act`] by the id,
/// the same path [`crate::RunningEmulator::decide`] takes.
fn decide(app: &App, vendor: Vendor, form: &Decide) -> Response {
    let Some(choice) = Choice::from_form(&form.choice) else {
        return unknown_choice();
    };
    let id = lock(&app.store).id_by_token(&form.token).map(str::to_owned);
    let Some(id) = id else {
        return not_found();
    };
    let acted = match decide::act(app, vendor, &id, choice) {
        Ok(acted) => acted,
        Err(refused) => return refusal(&refused),
    };
    let business = acted.business;
    decide::carry_out_later(app, acted);
    let back = match vendor {
        Vendor::Idenfy if business => {
            format!("/idenfy/kyb/welcome?authToken={}", form.token)
        }
        Vendor::Idenfy => format!("/idenfy/api/v2/redirect?authToken={}", form.token),
        Vendor::Veriff => format!("/veriff/v/{}", form.token),
        Vendor::Sumsub => format!("/sumsub/websdk/p/{}", form.token),
        Vendor::Onfido => format!("/onfido/l/{}", form.token),
    };
    Redirect::to(&back).into_response()
}

/// The page a refused choice answers with.
fn refusal(refused: &EmulatorError) -> Response {
    match refused {
        // Each vendor's page offers its own outcomes.
        EmulatorError::NotOffered { .. } | EmulatorError::NotOfferedForBusiness { .. } => {
            unknown_choice()
        }
        EmulatorError::UnknownSession { .. } => not_found(),
        EmulatorError::Expired { .. } => expired(),
        EmulatorError::AlreadyDecided { .. } => {
            let body = page("Already decided", "<p>This verification is already decided.</p>");
            (StatusCode::CONFLICT, Html(body)).into_response()
        }
        // The form offers no way to run a link out; should one come, say what happened.
        other => {
            let body = page("Not possible", &format!("<p>{}</p>", escape(&other.to_string())));
            (StatusCode::CONFLICT, Html(body)).into_response()
        }
    }
}

fn unknown_choice() -> Response {
    let body = page("Unknown choice", "<p>Choose one of the buttons.</p>");
    (StatusCode::BAD_REQUEST, Html(body)).into_response()
}

fn show(app: &App, vendor: Vendor, token: &str) -> Response {
    let mut store = lock(&app.store);
    let Some(record) = store.by_token_mut(token).filter(|r| r.vendor == vendor && !r.deleted)
    else {
        return not_found();
    };
    let now = Utc::now();
    if record.expired(now) {
        // Run out unnoticed: the webhook it would have sent goes now.
        webhooks::send(app, webhooks::expiry_if_due(app, record, now));
        // Onfido sends the person to the link's `expired_redirect_url`, when it has one, "instead
        // of seeing the default Onfido error message".
        if let (_, Some(url)) = crate::onfido::redirects(record) {
            return Redirect::to(url).into_response();
        }
        return expired();
    }
    if !record.opened {
        record.opened = true;
        webhooks::send(app, webhooks::deliveries(app, record, Happened::Opened));
    }
    let vendor_name = vendor.label();
    let kind = if record.business { "business (KYB)" } else { "identity (KYC)" };
    let facts = format!(
        "<dl><dt>Vendor</dt><dd id=\"vendor\">{vendor_name}</dd><dt>Kind</dt><dd>{kind}</dd>\
         <dt>Client id</dt><dd id=\"client-id\">{}</dd><dt>Session</dt><dd id=\"session\">{}</dd>\
         <dt>Link valid until</dt><dd id=\"expires\">{}</dd></dl>",
        escape(&record.client_id),
        escape(&record.id),
        if record.expires == chrono::DateTime::<Utc>::MAX_UTC {
            "no expiry".to_owned()
        } else {
            record.expires.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
        },
    );
    let choices: &[Choice] = if record.business && vendor == Vendor::Idenfy {
        Choice::offered_for_business()
    } else {
        Choice::offered_by(vendor)
    };
    let buttons: String = choices
        .iter()
        .filter_map(|choice| Some((*choice, button_label(vendor, *choice)?)))
        .map(|(choice, label)| {
            format!("<button name=\"choice\" value=\"{}\">{label}</button>", choice.name())
        })
        .collect();
    let form = format!(
        "<form method=\"post\" action=\"/{}/decide\">\
         <input type=\"hidden\" name=\"token\" value=\"{}\">{buttons}</form>",
        vendor.name(),
        escape(token),
    );
    let body = match record.decision {
        Some(_) if record.pending.is_some() => {
            format!("{facts}<p id=\"decision\">Decided, being reviewed: the result follows.</p>")
        }
        // Sumsub's RETRY: the person may resubmit on the same link, so the buttons are back.
        Some((verdict @ Verdict::Resubmit, at)) if vendor == Vendor::Sumsub => format!(
            "{facts}<p id=\"decision\">Decided: {}, at {}. You may try again.</p>{form}",
            verdict_label(vendor, verdict),
            at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
        ),
        Some((verdict, at)) => format!(
            "{facts}<p id=\"decision\">Decided: {}, at {}.</p>{}",
            verdict_label(vendor, verdict),
            at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
            // Onfido's link sends the person on to `completed_redirect_url` when done.
            match crate::onfido::redirects(record) {
                (Some(url), _) => {
                    format!("<p><a id=\"continue\" href=\"{}\">Continue</a></p>", escape(url))
                }
                _ => String::new(),
            }
        ),
        None => format!("{facts}{form}"),
    };
    Html(page(&format!("{vendor_name} verification (emulated)"), &body)).into_response()
}

/// The page's button for `choice`; none for running out, which no person clicks.
fn button_label(vendor: Vendor, choice: Choice) -> Option<&'static str> {
    Some(match choice {
        Choice::Approve => "Approve",
        // Sumsub's RED is final or lets the person retry.
        Choice::Decline if vendor == Vendor::Sumsub => "Decline (final)",
        Choice::Resubmit if vendor == Vendor::Sumsub => "Decline, allow a retry",
        Choice::Decline => "Decline",
        // iDenfy has no resubmission state; its third outcome is "suspected".
        Choice::Suspect => "Suspected",
        Choice::Resubmit => "Ask for resubmission",
        Choice::ApproveAfterReview => "Approve after review",
        Choice::DeclineAfterReview => "Decline after review",
        Choice::Review => "Send to manual review",
        Choice::Fail => "Fail the run (error)",
        _ => return None,
    })
}

fn verdict_label(vendor: Vendor, verdict: Verdict) -> &'static str {
    match (vendor, verdict) {
        (_, Verdict::Approve) => "approved",
        (Vendor::Idenfy, Verdict::Decline) => "denied",
        (Vendor::Veriff, Verdict::Decline) => "declined",
        (Vendor::Idenfy, _) => "suspected",
        (Vendor::Veriff, _) => "resubmission requested",
        (Vendor::Sumsub, Verdict::Decline) => "rejected (RED, FINAL)",
        (Vendor::Sumsub, _) => "rejected, retry allowed (RED, RETRY)",
        (Vendor::Onfido, Verdict::Review) => "review",
        (Vendor::Onfido, Verdict::Error) => "error",
        (Vendor::Onfido, _) => "declined",
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

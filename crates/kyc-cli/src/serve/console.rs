//! The console's pages behind the login ([`super::auth::require_operator`] runs first): the
//! session list with the vendors' dashboards' filters, a session's page with a status refresh
//! that polls the vendor, the creation form ([`super::create`]), and erasure behind a
//! confirmation step.

use std::collections::HashMap;

use axum::Extension;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use kyc::{Attempt, SessionRef, Status, VerificationSession};
use kyc_ledger::{Created, ListFilter, SessionRecord};

use super::auth::Operator;
use super::create::{self, Errors};
use super::form::FormData;
use super::metrics::Counter;
use super::pages::{self, Filters, Frame};
use super::{App, Desk};
use crate::{ledger, vendors};

/// Sessions per page of the list.
const PAGE_SIZE: usize = 25;

fn frame<'a>(app: &App, title: &'a str, operator: &'a Operator) -> Frame<'a> {
    Frame { title, operator: Some(operator), emulator: app.emulator_note() }
}

fn unavailable(error: &kyc::Error) -> Response {
    let text = format!("The ledger is unavailable: {error}");
    (StatusCode::SERVICE_UNAVAILABLE, pages::message("Ledger unavailable", &text)).into_response()
}

/// `GET /`: the sessions, newest first, a page at a time. The query is read leniently: a
/// filter that does not parse is said on the page, never an error page.
pub(super) async fn list(
    State(app): State<App>,
    Extension(operator): Extension<Operator>,
    Query(query): Query<HashMap<String, String>>,
) -> Response {
    let given =
        |name: &str| query.get(name).map(|value| value.trim().to_owned()).unwrap_or_default();
    let filters = Filters {
        client_id: given("client_id"),
        provider: given("provider"),
        status: given("status"),
        page: given("page").parse().ok().filter(|page| *page >= 1).unwrap_or(1),
    };
    let mut filter = ListFilter::default();
    let mut error = None;
    filter.client_id = Some(filters.client_id.clone()).filter(|id| !id.is_empty());
    filter.provider = Some(filters.provider.clone()).filter(|name| !name.is_empty());
    if !filters.status.is_empty() {
        match filters.status.parse::<Status>() {
            Ok(status) => filter.status = Some(status),
            Err(_) => error = Some("Not a status: the list is not filtered by status."),
        }
    }
    filter.offset = (filters.page - 1).saturating_mul(PAGE_SIZE);
    // One more than a page: whether there is a next one.
    filter.limit = Some(PAGE_SIZE + 1);
    let mut sessions = match app.store.list(&filter).await {
        Ok(sessions) => sessions,
        Err(error) => return unavailable(&error),
    };
    let more = sessions.len() > PAGE_SIZE;
    sessions.truncate(PAGE_SIZE);
    pages::list(&frame(&app, "Sessions", &operator), &filters, &sessions, more, error)
        .into_response()
}

/// `GET /sessions/open?provider=…&id=…`: the list's "open by id", for a session whose
/// webhooks came here though this ledger did not create it (the list shows only its own).
pub(super) async fn open(Query(query): Query<HashMap<String, String>>) -> Response {
    let given = |name: &str| query.get(name).map(|value| value.trim()).unwrap_or_default();
    match (given("provider"), given("id")) {
        (provider, id) if !provider.is_empty() && !id.is_empty() => {
            Redirect::to(&pages::session_path(provider, id)).into_response()
        }
        _ => Redirect::to("/").into_response(),
    }
}

/// The session at `provider`/`id`, or the page saying there is none.
async fn find(app: &App, provider: &str, id: &str) -> Result<SessionRecord, Response> {
    match app.store.session(provider, id).await {
        Ok(Some(record)) => Ok(record),
        Ok(None) => Err((
            StatusCode::NOT_FOUND,
            pages::message("No such session", "The ledger has no such session."),
        )
            .into_response()),
        Err(error) => Err(unavailable(&error)),
    }
}

/// `GET /sessions/{provider}/{id}`.
pub(super) async fn show(
    State(app): State<App>,
    Extension(operator): Extension<Operator>,
    Path((provider, id)): Path<(String, String)>,
) -> Response {
    let events = match app.store.events(&provider, &id).await {
        Ok(events) => events,
        Err(error) => return unavailable(&error),
    };
    let title = format!("{provider} session");
    let frame = frame(&app, &title, &operator);
    match find(&app, &provider, &id).await {
        Ok(record) => pages::session(&frame, &record, &events, &operator.csrf).into_response(),
        // Created elsewhere (another tool, the vendor's dashboard), but its webhooks came here.
        Err(_) if !events.is_empty() => {
            pages::foreign_session(&frame, &provider, &id, &events).into_response()
        }
        Err(response) => response,
    }
}

/// Does `act` to the session at `provider`/`id`, and says on its page what came of it.
async fn act_on(
    app: &App,
    operator: &Operator,
    provider: &str,
    id: &str,
    act: impl AsyncFnOnce(&SessionRecord) -> String,
) -> Response {
    let record = match find(app, provider, id).await {
        Ok(record) => record,
        Err(response) => return response,
    };
    let said = act(&record).await;
    app.gate.flash(operator, said);
    Redirect::to(&pages::session_path(&record.provider, &record.session_id)).into_response()
}

/// `POST /sessions/{provider}/{id}/refresh`: asks the vendor, records what it says.
pub(super) async fn refresh(
    State(app): State<App>,
    Extension(operator): Extension<Operator>,
    Path((provider, id)): Path<(String, String)>,
) -> Response {
    act_on(&app, &operator, &provider, &id, async |record| poll(&app, record).await).await
}

async fn poll(app: &App, record: &SessionRecord) -> String {
    let provider = &record.provider;
    let Some(results) = app.fleet.desk(provider).and_then(|desk| desk.results.as_ref()) else {
        return format!("No credentials are set for {provider}: nothing asked.");
    };
    app.metrics.count(Counter::Polls, provider);
    let session = SessionRef::new(record.kind, &record.session_id);
    match results.poll_decision(&session).await {
        Ok(Some(decision)) => {
            let status = decision.status.as_ref();
            match ledger::record_poll(&*app.store, &decision).await {
                true => format!("{provider} says: {status}."),
                false => format!("{provider} says: {status}; the ledger could not record it."),
            }
        }
        Ok(None) => format!("{provider} has no decision yet."),
        Err(error) => format!("Not refreshed: {error}"),
    }
}

/// `GET /sessions/{provider}/{id}/erase`: what erasing does, and the button that does it.
pub(super) async fn confirm_erase(
    State(app): State<App>,
    Extension(operator): Extension<Operator>,
    Path((provider, id)): Path<(String, String)>,
) -> Response {
    match find(&app, &provider, &id).await {
        Ok(record) => {
            let frame = frame(&app, "Erase the session's data?", &operator);
            pages::confirm_erase(&frame, &record, &operator.csrf).into_response()
        }
        Err(response) => response,
    }
}

/// `POST /sessions/{provider}/{id}/erase`: the vendor erases, the ledger forgets the link.
pub(super) async fn erase(
    State(app): State<App>,
    Extension(operator): Extension<Operator>,
    Path((provider, id)): Path<(String, String)>,
) -> Response {
    act_on(&app, &operator, &provider, &id, async |record| erase_at_vendor(&app, record).await)
        .await
}

async fn erase_at_vendor(app: &App, record: &SessionRecord) -> String {
    let provider = &record.provider;
    let Some(erasure) = app.fleet.desk(provider).and_then(|desk| desk.erasure.as_ref()) else {
        return format!("No credentials are set for {provider}: nothing erased.");
    };
    let session = SessionRef::new(record.kind, &record.session_id);
    match erasure.erase_session(&session).await {
        Ok(()) => match ledger::forget_link(&*app.store, provider, &record.session_id).await {
            true => format!("{provider} erased the session's data; the link is forgotten."),
            false => format!(
                "{provider} erased the session's data; the ledger could not forget the link."
            ),
        },
        Err(error) => format!("Not erased: {error}"),
    }
}

/// `GET /sessions/new`.
pub(super) async fn new_session(
    State(app): State<App>,
    Extension(operator): Extension<Operator>,
) -> Response {
    let frame = frame(&app, "New session", &operator);
    pages::new_session(&frame, &operator.csrf, &FormData::default(), &Errors::new()).into_response()
}

/// `POST /sessions`: checked as `kyc session create` checks its flags, created through the
/// ledger on the vendors named (with failover) or every one configured, emailed if asked.
pub(super) async fn create(
    State(app): State<App>,
    Extension(operator): Extension<Operator>,
    Extension(form): Extension<FormData>,
) -> Response {
    let refuse = |status: StatusCode, errors: &Errors| {
        let frame = frame(&app, "New session", &operator);
        (status, pages::new_session(&frame, &operator.csrf, &form, errors)).into_response()
    };
    let checked = match create::check(&form) {
        Ok(checked) => checked,
        Err(errors) => return refuse(StatusCode::UNPROCESSABLE_ENTITY, &errors),
    };
    let desks: Vec<&Desk> = match checked.args.provider.as_slice() {
        [] => app.fleet.desks.iter().filter(|desk| desk.session.is_some()).collect(),
        named => named.iter().filter_map(|vendor| app.fleet.desk(vendor.name)).collect(),
    };
    let unconfigured: Vec<&str> =
        desks.iter().filter(|desk| desk.session.is_none()).map(|desk| desk.vendor.name).collect();
    if !unconfigured.is_empty() || desks.is_empty() {
        let rule = match unconfigured.as_slice() {
            [] => "no vendor has credentials set".to_owned(),
            names => format!("no credentials are set for {}", names.join(", ")),
        };
        return refuse(StatusCode::UNPROCESSABLE_ENTITY, &Errors::from([("provider", vec![rule])]));
    }
    let clients: Vec<_> = desks.iter().filter_map(|desk| desk.session.clone()).collect();
    let chosen: Vec<_> = desks.iter().map(|desk| desk.vendor).collect();
    let provider = vendors::provider_over(&clients);
    let ledger = ledger::over(
        std::sync::Arc::clone(&app.store),
        app.ledger_key.clone(),
        ledger::reuse(checked.args.new),
        vendors::account(&chosen),
    );
    let key = checked.args.idempotency_key.as_deref();
    let created = ledger.create_session(&*provider, &checked.request, key).await;
    count_creation(&app, &*provider, &created);
    let Created { session, reused, .. } = match created {
        Ok(created) => created,
        Err(error) => {
            let status = match error.kind() {
                kyc::ErrorKind::InvalidRequest | kyc::ErrorKind::Unsupported => {
                    StatusCode::UNPROCESSABLE_ENTITY
                }
                _ => StatusCode::BAD_GATEWAY,
            };
            let mut errors = Errors::new();
            errors.insert("", vec![format!("Not created: {error}")]);
            return refuse(status, &errors);
        }
    };
    let mut said = match reused {
        true => {
            "The ledger already had this session: it is shown, no new one was bought.".to_owned()
        }
        false => format!("Created at {}.", session.provider),
    };
    if let Some(outgoing) = checked.email {
        match outgoing.send(session.url.as_str()).await {
            Ok(()) => said.push_str(" The link was emailed."),
            Err(error) => said.push_str(&format!(" The link was not emailed: {error}.")),
        }
    }
    app.gate.flash(&operator, said);
    Redirect::to(&pages::session_path(&session.provider, &session.id)).into_response()
}

/// Counts a creation: at the vendor that created it, and each call a failover chain made.
fn count_creation(
    app: &App,
    provider: &dyn VerificationSession,
    created: &Result<Created, kyc::Error>,
) {
    let count_attempts = |attempts: &[Attempt]| {
        for attempt in attempts.iter().filter(|attempt| attempt.skipped.is_none()) {
            app.metrics.count(Counter::FailoverAttempts, &attempt.provider);
            if attempt.error.is_some() {
                app.metrics.count(Counter::SessionsFailed, &attempt.provider);
            }
        }
    };
    match created {
        Ok(created) if !created.reused => {
            app.metrics.count(Counter::SessionsCreated, &created.session.provider);
            count_attempts(&created.session.attempts);
        }
        Ok(_) => {}
        Err(error) if !error.attempts().is_empty() => count_attempts(error.attempts()),
        // Refused before any call (invalid, unsupported, the ledger's own refusals) is no
        // vendor's failure.
        Err(error) if error.outcome() == kyc::Outcome::NotSent => {}
        Err(error) => {
            app.metrics
                .count(Counter::SessionsFailed, error.provider().unwrap_or(provider.provider()));
        }
    }
}

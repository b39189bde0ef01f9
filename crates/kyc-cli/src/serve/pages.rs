//! The console's HTML, with maud: every value is escaped where it is written, no page has an
//! inline script or style (the CSP forbids them: the copy button's code is
//! `/assets/console.js`), and the link, a bearer secret, appears only on its session's page.

use std::net::SocketAddr;

use chrono::{DateTime, Utc};
use kyc_ledger::{EventRecord, SessionRecord};
use maud::{DOCTYPE, Markup, html};

use super::auth::Operator;
use super::create::{self, Errors, FormField, Input, SECTIONS};
use super::form::FormData;

/// What every console page has around its content.
pub(super) struct Frame<'a> {
    pub(super) title: &'a str,
    pub(super) operator: Option<&'a Operator>,
    pub(super) emulator: Option<SocketAddr>,
}

fn time(at: DateTime<Utc>) -> String {
    at.format("%Y-%m-%d %H:%M:%S UTC").to_string()
}

fn layout(frame: &Frame<'_>, content: Markup) -> Markup {
    html! {
        (DOCTYPE)
        html lang="en" {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                title { (frame.title) " · kyc" }
                link rel="stylesheet" href="/assets/console.css";
                script src="/assets/console.js" defer {}
            }
            body {
                header {
                    a.brand href="/" { "kyc" }
                    @if let Some(operator) = frame.operator {
                        nav {
                            a href="/" { "Sessions" }
                            a href="/sessions/new" { "New session" }
                            form method="post" action="/logout" {
                                input type="hidden" name="csrf" value=(operator.csrf);
                                button type="submit" id="logout" { "Log out" }
                            }
                        }
                    }
                }
                @if let Some(address) = frame.emulator {
                    p.banner id="emulator" {
                        "No vendor credentials are set: every vendor is the built-in emulator at "
                        code { "http://" (address) } ". Its sessions, and this ledger's, last as long as this server."
                    }
                }
                @if let Some(flash) = frame.operator.and_then(Operator::flash) {
                    p.flash id="flash" { (flash) }
                }
                main {
                    h1 { (frame.title) }
                    (content)
                }
            }
        }
    }
}

/// A page that only says something.
pub(super) fn message(title: &str, text: &str) -> Markup {
    layout(&Frame { title, operator: None, emulator: None }, html! { p { (text) } })
}

/// The login form.
pub(super) fn login(csrf: &str, error: Option<&str>, emulator: Option<SocketAddr>) -> Markup {
    let frame = Frame { title: "Log in", operator: None, emulator };
    layout(
        &frame,
        html! {
            form.login method="post" action="/login" {
                input type="hidden" name="csrf" value=(csrf);
                label for="password" { "Console password" }
                input type="password" name="password" id="password" autocomplete="current-password" required autofocus;
                @if let Some(error) = error {
                    p.error id="error-password" { (error) }
                }
                button type="submit" id="login" { "Log in" }
            }
        },
    )
}

/// The list's filters, as given.
#[derive(Debug, Default)]
pub(super) struct Filters {
    pub(super) client_id: String,
    pub(super) provider: String,
    pub(super) status: String,
    pub(super) page: usize,
}

/// The session list: filters, a page of sessions, links to the pages around it.
pub(super) fn list(
    frame: &Frame<'_>,
    filters: &Filters,
    sessions: &[SessionRecord],
    more: bool,
    error: Option<&str>,
) -> Markup {
    let page_link = |page: usize| {
        let query: String = url::form_urlencoded::Serializer::new(String::new())
            .append_pair("client_id", &filters.client_id)
            .append_pair("provider", &filters.provider)
            .append_pair("status", &filters.status)
            .append_pair("page", &page.to_string())
            .finish();
        format!("/?{query}")
    };
    layout(
        frame,
        html! {
            // A filter changes nothing: a GET form, without the CSRF token (which a URL would leak).
            form.filters method="get" action="/" {
                label { "Client " input type="text" name="client_id" value=(filters.client_id); }
                label {
                    "Vendor "
                    select name="provider" {
                        option value="" { "any" }
                        @for vendor in crate::vendors::VENDORS {
                            option value=(vendor.name) selected[filters.provider == vendor.name] { (vendor.display_name) }
                        }
                    }
                }
                label {
                    "Status "
                    select name="status" {
                        option value="" { "any" }
                        @for status in <kyc::Status as strum::IntoEnumIterator>::iter() {
                            @let name: &str = status.as_ref();
                            option value=(name) selected[filters.status == name] { (name) }
                        }
                    }
                }
                button type="submit" id="filter" { "Filter" }
            }
            // Opens any session by its id, this ledger's or one only its webhooks came about.
            form.filters #open method="get" action="/sessions/open" {
                label {
                    "Vendor "
                    select name="provider" {
                        @for vendor in crate::vendors::VENDORS {
                            option value=(vendor.name) { (vendor.display_name) }
                        }
                    }
                }
                label { "Session id " input type="text" name="id" required; }
                button type="submit" id="open-session" { "Open" }
            }
            @if let Some(error) = error {
                p.error { (error) }
            }
            @if sessions.is_empty() {
                p #empty { "No sessions." }
            } @else {
                table #sessions {
                    thead { tr { th { "Vendor" } th { "Session" } th { "Client" } th { "Status" } th { "Final" } th { "Created" } th { "Expires" } } }
                    tbody {
                        @for record in sessions {
                            tr {
                                td { (record.provider) }
                                td { a href=(session_path(&record.provider, &record.session_id)) { (record.session_id) } }
                                td { (record.client_id) }
                                td.status { (record.status.as_ref()) }
                                td { @if record.is_final { "yes" } @else { "no" } }
                                td { (time(record.created_at)) }
                                td { @if let Some(at) = record.expires_at { (time(at)) } @else { "—" } }
                            }
                        }
                    }
                }
            }
            nav.pages {
                @if filters.page > 1 { a #previous href=(page_link(filters.page - 1)) { "← Newer" } }
                span { "Page " (filters.page) }
                @if more { a #next href=(page_link(filters.page + 1)) { "Older →" } }
            }
        },
    )
}

/// The console path of a session's page (ids are percent-encoded: a Sumsub session is named
/// by the client's own id, which may hold any character).
pub(super) fn session_path(provider: &str, session_id: &str) -> String {
    format!("/sessions/{}/{}", segment(provider), segment(session_id))
}

fn segment(text: &str) -> String {
    let mut encoded = String::with_capacity(text.len());
    for byte in text.bytes() {
        match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => {
                encoded.push(char::from(byte));
            }
            _ => encoded.push_str(&format!("%{byte:02X}")),
        }
    }
    encoded
}

/// A session's page: where it stands, its link, how it was created, what happened since.
pub(super) fn session(
    frame: &Frame<'_>,
    record: &SessionRecord,
    events: &[EventRecord],
    csrf: &str,
) -> Markup {
    let path = session_path(&record.provider, &record.session_id);
    layout(
        frame,
        html! {
            dl.facts {
                dt { "Vendor" } dd #provider { (record.provider) }
                dt { "Session" } dd #session-id { (record.session_id) }
                dt { "Kind" } dd { (record.kind.as_ref()) }
                dt { "Client" } dd #client-id { (record.client_id) }
                dt { "Status" } dd #status.status { (record.status.as_ref()) }
                dt { "Final" } dd #final { @if record.is_final { "yes" } @else { "no" } }
                dt { "Created" } dd { (time(record.created_at)) }
                dt { "Expires" } dd { @if let Some(at) = record.expires_at { (time(at)) } @else { "—" } }
                dt { "Last change" } dd { (time(record.updated_at)) }
                @if let Some(key) = &record.idempotency_key {
                    dt { "Idempotency key" } dd { (key) }
                }
                dt { "Link" }
                dd {
                    @if let Some(link) = record.link() {
                        a #link href=(link) rel="noreferrer" { (link) }
                        " "
                        button type="button" id="copy" data-copy="link" { "Copy" }
                    } @else {
                        span #link { "erased" }
                    }
                }
            }
            div.actions {
                form method="post" action=(format!("{path}/refresh")) {
                    input type="hidden" name="csrf" value=(csrf);
                    button type="submit" id="refresh" { "Ask the vendor for the status" }
                }
                a.danger #erase href=(format!("{path}/erase")) { "Erase the session's data…" }
            }
            h2 { "How it was created" }
            @if record.attempts.is_empty() {
                p { "One call to " (record.provider) "." }
            } @else {
                table #attempts {
                    thead { tr { th { "Vendor" } th { "Outcome" } th { "May have left a session" } th { "Left over" } } }
                    tbody {
                        @for attempt in &record.attempts {
                            tr {
                                td { (attempt.provider) }
                                td {
                                    @match (&attempt.error, &attempt.skipped) {
                                        (_, Some(why)) => { "passed over: " (why) }
                                        (Some(error), None) => { "failed: " (error) }
                                        (None, None) => { "created" }
                                    }
                                }
                                td { @if attempt.may_have_created_session { "yes" } @else { "no" } }
                                td { (attempt.leftover.as_deref().unwrap_or("—")) }
                            }
                        }
                    }
                }
            }
            h2 { "Events" }
            (events_table(events))
        },
    )
}

/// A session's events, oldest first.
fn events_table(events: &[EventRecord]) -> Markup {
    html! {
        @if events.is_empty() {
            p #no-events { "Nothing yet: the vendor's webhooks, and status refreshes, appear here." }
        } @else {
            table #events {
                thead { tr { th { "When" } th { "From" } th { "Event" } th { "Status" } th { "Vendor's word" } th { "Final" } } }
                tbody {
                    @for event in events {
                        tr {
                            td { (time(event.occurred_at)) }
                            td { (event.source) }
                            td { (event.event.as_deref().unwrap_or("—")) }
                            td { (event.status.map_or("—", <&str>::from)) }
                            td { (event.vendor_status.as_deref().unwrap_or("—")) }
                            td { @if event.is_final { "yes" } @else { "no" } }
                        }
                    }
                }
            }
        }
    }
}

/// The page of a session the ledger did not create (a webhook about it arrived all the same):
/// its events.
pub(super) fn foreign_session(
    frame: &Frame<'_>,
    provider: &str,
    session_id: &str,
    events: &[EventRecord],
) -> Markup {
    layout(
        frame,
        html! {
            p #foreign {
                "This ledger did not create " (provider) " session " code { (session_id) }
                "; the vendor's webhooks about it were verified and recorded."
            }
            h2 { "Events" }
            (events_table(events))
        },
    )
}

/// The erasure's confirmation step.
pub(super) fn confirm_erase(frame: &Frame<'_>, record: &SessionRecord, csrf: &str) -> Markup {
    let path = session_path(&record.provider, &record.session_id);
    layout(
        frame,
        html! {
            p {
                "This asks " (record.provider) " to delete session " code { (record.session_id) }
                " of client " code { (record.client_id) } ": its documents, photos and what was read from them. "
                "It cannot be undone, and the ledger forgets the link."
            }
            form method="post" action=(format!("{path}/erase")) {
                input type="hidden" name="csrf" value=(csrf);
                button.danger type="submit" id="confirm-erase" { "Erase" }
                " "
                a href=(path) { "Cancel" }
            }
        },
    )
}

/// The creation form, filled with what was submitted, each error beside its input.
pub(super) fn new_session(
    frame: &Frame<'_>,
    csrf: &str,
    form: &FormData,
    errors: &Errors,
) -> Markup {
    layout(
        frame,
        html! {
            @if let Some(messages) = errors.get("") {
                @for message in messages { p.error id="error" { (message) } }
            }
            form.create method="post" action="/sessions" {
                input type="hidden" name="csrf" value=(csrf);
                @for (section, fields) in SECTIONS {
                    fieldset {
                        legend { (section) }
                        @for field in *fields {
                            (input(field, form, errors))
                        }
                    }
                }
                button type="submit" id="create" { "Create the session" }
            }
        },
    )
}

fn input(field: &FormField, form: &FormData, errors: &Errors) -> Markup {
    let value = form.get(field.name).unwrap_or_default();
    let chosen: Vec<&str> =
        form.fields().filter(|(name, _)| *name == field.name).map(|(_, value)| value).collect();
    let id = format!("input-{}", field.name);
    html! {
        div.field {
            @match field.input {
                Input::Check => {
                    label for=(id) {
                        input type="checkbox" name=(field.name) id=(id) checked[!value.is_empty()];
                        " " (field.label)
                    }
                }
                _ => {
                    label for=(id) { (field.label) }
                    @match field.input {
                        Input::Choice(options) => {
                            select name=(field.name) id=(id) {
                                @for option in options {
                                    option value=(option) selected[*option == value] { (option) }
                                }
                            }
                        }
                        Input::DocumentTypes => {
                            select name=(field.name) id=(id) multiple size="6" {
                                @for option in create::document_types() {
                                    option value=(option) selected[chosen.contains(&option)] { (option) }
                                }
                            }
                        }
                        _ => {
                            input type=(html_type(field.input)) name=(field.name) id=(id) value=(value);
                        }
                    }
                }
            }
            @if !field.hint.is_empty() { small { (field.hint) } }
            @if let Some(messages) = errors.get(field.name) {
                @for message in messages { p.error id=(format!("error-{}", field.name)) { (message) } }
            }
        }
    }
}

fn html_type(input: Input) -> &'static str {
    match input {
        Input::Date => "date",
        Input::Email => "email",
        Input::Url => "url",
        _ => "text",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_encoded_as_one_path_segment() {
        assert_eq!(session_path("sumsub", "user 1/ä?"), "/sessions/sumsub/user%201%2F%C3%A4%3F");
        assert_eq!(session_path("veriff", "a1-B2_c.~"), "/sessions/veriff/a1-B2_c.~");
    }

    #[test]
    fn what_is_written_is_escaped() {
        let page = message("<script>", "a & b").into_string();
        assert!(page.contains("&lt;script&gt;") && page.contains("a &amp; b"), "{page}");
        assert!(!page.contains("<script>alert"));
    }
}

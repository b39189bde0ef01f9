//! The behaviours every [`VerificationSession`] must show, as functions any provider runs in
//! its own tests (feature `test-util`), the way object_store's `integration` module serves every
//! store. Not semver-stable: checks are added as the contract grows.
//!
//! Each check picks its cases from the provider's [`Capabilities`], so a provider is held to
//! exactly what it declares: everything it claims to support must work, and everything it does
//! not must be refused before sending, by
//! [`preflight`](VerificationSession::preflight) as by `create_session`. Checks panic with a message naming the provider and the
//! broken promise, like `assert!`.
//!
//! ```
//! use kyc_core::{conformance, StubProvider};
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() {
//! let stub = StubProvider::new("stub");
//! conformance::run(&stub, &stub).await;
//! # }
//! ```
//!
//! An adapter tested against a local server passes a [`RequestCounter`] that asks the server
//! how many requests it received. One that erases data runs
//! [`refuses_erasure_it_does_not_offer`] as well.

use std::time::Duration;

use async_trait::async_trait;
use chrono::{NaiveDate, Utc};
use secrecy::ExposeSecret;
use strum::IntoEnumIterator;
use url::Url;

use crate::Capabilities;
use crate::capabilities::{Feature, KindCapabilities};
use crate::decision::SessionErasure;
use crate::error::{ErrorKind, Outcome};
use crate::field::{Field, FieldKind, MAX_TAGS};
use crate::model::{ClientId, CountryCode, DocumentType, Flow, Locale, Sex, VerificationKind};
use crate::provider::VerificationSession;
use crate::request::{ExpectedDocument, Person, SessionRequest};
use crate::session::SessionRef;
use crate::stub::StubProvider;

/// Counts the create requests that reached the provider's server, so the suite can check that
/// refused requests were never sent.
#[async_trait]
pub trait RequestCounter: Send + Sync {
    /// How many create requests the server has received so far (a vendor that creates a
    /// session in two calls counts its first).
    async fn requests_received(&self) -> usize;
}

#[async_trait]
impl RequestCounter for StubProvider {
    async fn requests_received(&self) -> usize {
        self.requests().len()
    }
}

/// Personal values the checks send, and then look for in `Debug` output.
const FIRST_NAME: &str = "Conformance";
const LAST_NAME: &str = "Tester";
const PERSONAL_NUMBER: &str = "39005150000";
const DOCUMENT_NUMBER: &str = "AB1234567";

/// Runs every check.
pub async fn run(provider: &dyn VerificationSession, counter: &dyn RequestCounter) {
    creates_a_minimal_session(provider, counter).await;
    creates_the_fullest_supported_session(provider, counter).await;
    accepts_every_declared_value(provider, counter).await;
    refuses_invalid_requests_before_sending(provider, counter).await;
    refuses_unsupported_requests_before_sending(provider, counter).await;
}

/// A provider that erases ([`SessionErasure`]) refuses, before sending anything, to erase a
/// kind of session it does not declare erasure for (`Unsupported`), and a session id that
/// cannot be one (`InvalidRequest` naming `sessionId`): empty, or a path (`..`, `../x`) that
/// would reach another endpoint.
pub async fn refuses_erasure_it_does_not_offer(
    provider: &dyn VerificationSession,
    erasure: &dyn SessionErasure,
    counter: &dyn RequestCounter,
) {
    let name = provider.provider();
    let capabilities = provider.capabilities();
    let before = counter.requests_received().await;
    for kind in VerificationKind::iter() {
        let declared = capabilities.for_kind(kind).is_some_and(|caps| caps.erasure);
        if !declared {
            let error = erasure
                .erase_session(&SessionRef::new(kind, "conformance-session"))
                .await
                .expect_err("erasing what is not declared must fail");
            assert_eq!(
                (error.kind(), error.outcome()),
                (ErrorKind::Unsupported, Outcome::NotSent),
                "{name}: erasing a {kind} session it does not declare erasure for: {error}"
            );
            continue;
        }
        for id in ["", ".", "..", "../checks", "a/b"] {
            let error = erasure
                .erase_session(&SessionRef::new(kind, id))
                .await
                .expect_err("an id that cannot be a session's");
            assert_eq!(error.kind(), ErrorKind::InvalidRequest, "{name}: erasing {id:?}: {error}");
            let fields: Vec<&str> = error.invalid_fields().iter().map(|f| f.field()).collect();
            assert_eq!(fields, ["sessionId"], "{name}: erasing {id:?}: {error}");
        }
    }
    assert_eq!(
        counter.requests_received().await,
        before,
        "{name}: a refused erasure must send nothing"
    );
}

/// The kinds a provider offers, with their capabilities.
fn offered(capabilities: &Capabilities) -> Vec<(VerificationKind, &KindCapabilities)> {
    VerificationKind::iter()
        .filter_map(|kind| capabilities.for_kind(kind).map(|caps| (kind, caps)))
        .collect()
}

fn client_id(suffix: &str) -> ClientId {
    ClientId::new(format!("conformance-{suffix}")).expect("valid client id")
}

/// A client id of its own per kind: a person and a company are two clients, and a vendor may
/// tie the id to one applicant of one kind (Sumsub's `externalUserId`).
fn client_id_for(kind: VerificationKind, suffix: &str) -> ClientId {
    match kind {
        VerificationKind::Business => client_id(&format!("company-{suffix}")),
        _ => client_id(suffix),
    }
}

/// A request with only the client id (and the fields the provider requires) succeeds, once,
/// with a consistent session.
pub async fn creates_a_minimal_session(
    provider: &dyn VerificationSession,
    counter: &dyn RequestCounter,
) {
    for (kind, caps) in offered(provider.capabilities()) {
        let request = SessionRequest::new(client_id_for(kind, "minimal")).with_kind(kind);
        let request = with_required(request, caps);
        create_once(provider, counter, &request, "with only a client id and required fields").await;
    }
}

/// A request that sets everything the provider declares succeeds: declared support is real.
pub async fn creates_the_fullest_supported_session(
    provider: &dyn VerificationSession,
    counter: &dyn RequestCounter,
) {
    let name = provider.provider();
    for (kind, caps) in offered(provider.capabilities()) {
        let request = fullest_request(kind, caps);
        let session =
            create_once(provider, counter, &request, "using only declared capabilities").await;
        let printed = format!("{request:?} {session:?}");
        for personal in [FIRST_NAME, LAST_NAME, PERSONAL_NUMBER, DOCUMENT_NUMBER, "1990-05-15"] {
            assert!(!printed.contains(personal), "{name}: Debug output shows personal data");
        }
    }
}

/// A request breaking several neutral rules is refused with every field named, and not sent.
pub async fn refuses_invalid_requests_before_sending(
    provider: &dyn VerificationSession,
    counter: &dyn RequestCounter,
) {
    let name = provider.provider();
    let tomorrow = Utc::now().date_naive() + chrono::TimeDelta::days(1);
    let request = SessionRequest::new(client_id("invalid"))
        .with_person(Person::default().with_first_name("").with_date_of_birth(tomorrow))
        .with_link_validity(Duration::ZERO)
        .with_tag("repeated")
        .with_tag("repeated");
    let before = counter.requests_received().await;
    let error = provider
        .create_session(&request)
        .await
        .expect_err(&format!("{name}: accepted an invalid request"));
    same_refusal_before_sending(provider, &request, &error);
    assert_eq!(error.kind(), ErrorKind::InvalidRequest, "{name}: {error}");
    assert_eq!(error.outcome(), Outcome::NotSent, "{name}: {error}");
    assert!(!error.is_retryable(), "{name}: invalid requests are not retryable");
    let fields: Vec<&str> = error.invalid_fields().iter().map(|f| f.field()).collect();
    for expected in ["person.firstName", "person.dateOfBirth", "linkValiditySeconds", "tags[1]"] {
        assert!(fields.contains(&expected), "{name}: {expected} not named in {fields:?}");
    }
    assert_eq!(counter.requests_received().await, before, "{name}: sent an invalid request");
}

/// Every undeclared kind, field, flow, document type and locale is refused as unsupported,
/// naming the provider and the feature, and not sent.
pub async fn refuses_unsupported_requests_before_sending(
    provider: &dyn VerificationSession,
    counter: &dyn RequestCounter,
) {
    let name = provider.provider();
    let capabilities = provider.capabilities();
    let mut cases: Vec<(SessionRequest, Feature)> = Vec::new();
    for kind in VerificationKind::iter() {
        let Some(caps) = capabilities.for_kind(kind) else {
            let request = SessionRequest::new(client_id_for(kind, "unsupported")).with_kind(kind);
            cases.push((request, Feature::Kind(kind)));
            continue;
        };
        let base = || {
            with_required(SessionRequest::new(client_id_for(kind, "unsupported")), caps)
                .with_kind(kind)
        };
        for &field in &caps.required {
            let request = SessionRequest::new(client_id_for(kind, "unsupported")).with_kind(kind);
            cases.push((with_required_but(request, caps, Some(field)), Feature::Required(field)));
        }
        for field in Field::iter().filter(|field| !caps.supports(*field)) {
            if kind == VerificationKind::Business && field == Field::Flow {
                continue; // refused as invalid before capabilities are consulted
            }
            cases.push((with_field(base(), field, caps), Feature::Field(field)));
        }
        if caps.supports(Field::Flow) {
            for flow in Flow::iter().filter(|flow| !caps.flows.contains(flow)) {
                cases.push((base().with_flow(flow), Feature::Flow(flow)));
            }
        }
        if caps.supports(Field::DocumentTypes) {
            for t in DocumentType::iter().filter(|t| !caps.document_types.contains(t)) {
                let document = ExpectedDocument::default().with_type(t);
                cases.push((base().with_document(document), Feature::DocumentType(t)));
            }
        }
        if caps.supports(Field::Locale) {
            for locale in Locale::iter().filter(|locale| !caps.locales.contains(locale)) {
                cases.push((base().with_locale(locale), Feature::Locale(locale)));
            }
        }
        cases.extend(beyond_the_limits(kind, caps));
    }
    let before = counter.requests_received().await;
    for (request, feature) in cases {
        let error = provider
            .create_session(&request)
            .await
            .expect_err(&format!("{name}: accepted a request with unsupported {feature}"));
        same_refusal_before_sending(provider, &request, &error);
        assert_eq!(error.kind(), ErrorKind::Unsupported, "{name}, {feature}: {error}");
        assert_eq!(error.outcome(), Outcome::NotSent, "{name}, {feature}");
        assert_eq!(error.provider(), Some(name), "{name}, {feature}: provider not named");
        assert_eq!(error.unsupported_feature(), Some(&feature), "{name}: wrong feature named");
    }
    assert_eq!(counter.requests_received().await, before, "{name}: sent an unsupported request");
}

/// `preflight` refuses `request` as `create_session` did (`error`): it checks the same things,
/// without sending.
fn same_refusal_before_sending(
    provider: &dyn VerificationSession,
    request: &SessionRequest,
    error: &crate::Error,
) {
    let name = provider.provider();
    match provider.preflight(request) {
        Ok(()) => panic!("{name}: preflight passed a request create_session refused: {error}"),
        // What was refused, and why; a wrapper's error also carries its attempts.
        Err(refusal) => assert_eq!(
            (refusal.kind(), refusal.invalid_fields(), refusal.unsupported_feature()),
            (error.kind(), error.invalid_fields(), error.unsupported_feature()),
            "{name}: preflight and create_session disagree"
        ),
    }
}

/// Requests just past each declared limit, with the feature each must be refused for: durations
/// a second outside their ranges, text one character too long or not ASCII, one tag or document
/// type too many, plain http where https is required.
fn beyond_the_limits(
    kind: VerificationKind,
    caps: &KindCapabilities,
) -> Vec<(SessionRequest, Feature)> {
    let base =
        || with_required(SessionRequest::new(client_id_for(kind, "limits")), caps).with_kind(kind);
    let mut cases = Vec::new();
    let one_second = Duration::from_secs(1);
    for (field, range) in [
        (Field::LinkValidity, &caps.link_validity),
        (Field::SessionDuration, &caps.session_duration),
    ] {
        let Some(range) = range else { continue };
        let neutral_max = field.max_duration().unwrap_or(Duration::MAX);
        let outside = [
            (*range.start() > one_second).then(|| *range.start() - one_second),
            (*range.end() < neutral_max).then(|| *range.end() + one_second),
        ];
        for requested in outside.into_iter().flatten() {
            let mut request = base();
            match field {
                Field::LinkValidity => request.link_validity = Some(requested),
                _ => request.session_duration = Some(requested),
            }
            let feature = Feature::Duration { field, requested, supported: range.clone() };
            cases.push((request, feature));
        }
    }
    for (&field, &max_chars) in &caps.max_chars {
        let too_long = "a".repeat(max_chars + 1);
        let Some(request) = with_text(base(), field, &too_long) else { continue };
        cases.push((request, Feature::TooLong { field, max_chars }));
    }
    for &field in &caps.ascii_only {
        let Some(request) = with_text(base(), field, "ūnicode") else { continue };
        cases.push((request, Feature::NonAscii(field)));
    }
    if caps.supports(Field::Tags) && caps.max_tags < MAX_TAGS {
        let tags = (0..=caps.max_tags).map(|i| format!("tag{i}")).collect();
        cases
            .push((SessionRequest { tags, ..base() }, Feature::TooManyTags { max: caps.max_tags }));
    }
    if let Some(max) = caps.max_document_types
        && caps.supports(Field::DocumentTypes)
        && caps.document_types.len() > max
    {
        let mut request = base();
        request.document.types = caps.document_types.iter().take(max + 1).copied().collect();
        cases.push((request, Feature::TooManyDocumentTypes { max }));
    }
    for &field in caps.https_only.iter().filter(|field| caps.supports(**field)) {
        // A URL the neutral rules already require over https off loopback cannot be sent plain.
        if field.kind() != (FieldKind::Url { https_only: false }) {
            continue;
        }
        let mut request = with_field(base(), field, caps);
        let Some(url) = url_slot(&mut request, field) else { continue };
        url.set_scheme("http").expect("https becomes http");
        cases.push((request, Feature::InsecureUrl(field)));
    }
    cases
}

/// `request` with every field `caps` requires set to a sample value.
fn with_required(request: SessionRequest, caps: &KindCapabilities) -> SessionRequest {
    with_required_but(request, caps, None)
}

/// `request` with every field `caps` requires but `missing` set to a sample value.
fn with_required_but(
    mut request: SessionRequest,
    caps: &KindCapabilities,
    missing: Option<Field>,
) -> SessionRequest {
    for &field in caps.required.iter().filter(|field| Some(**field) != missing) {
        request = with_field(request, field, caps);
    }
    request
}

/// `request` with the free-text `field` set to `text`, when that passes the neutral rules (a
/// provider limit above the neutral one cannot be reached, and formats like email are skipped).
fn with_text(mut request: SessionRequest, field: Field, text: &str) -> Option<SessionRequest> {
    match field {
        Field::ClientId => request.client_id = ClientId::new(text).ok()?,
        Field::Tags => request.tags = vec![text.to_owned()],
        _ => *request.text_slot(field)? = Some(text.to_owned()),
    }
    request.validate().ok().map(|()| request)
}

/// Every declared locale, flow and document type, and both ends of every declared duration
/// range, is accepted: one session each.
pub async fn accepts_every_declared_value(
    provider: &dyn VerificationSession,
    counter: &dyn RequestCounter,
) {
    for (kind, caps) in offered(provider.capabilities()) {
        let base = || {
            with_required(SessionRequest::new(client_id_for(kind, "declared")), caps)
                .with_kind(kind)
        };
        let mut requests = Vec::new();
        if caps.supports(Field::Locale) {
            requests.extend(caps.locales.iter().map(|locale| base().with_locale(*locale)));
        }
        if caps.supports(Field::Flow) && kind == VerificationKind::Identity {
            requests.extend(caps.flows.iter().map(|flow| base().with_flow(*flow)));
        }
        if caps.supports(Field::DocumentTypes) {
            requests.extend(
                caps.document_types
                    .iter()
                    .map(|t| base().with_document(ExpectedDocument::default().with_type(*t))),
            );
        }
        for range in caps.link_validity.iter() {
            requests.push(base().with_link_validity(*range.start()));
            requests.push(base().with_link_validity(*range.end()));
        }
        for range in caps.session_duration.iter() {
            requests.push(base().with_session_duration(*range.start()));
            requests.push(base().with_session_duration(*range.end()));
        }
        for request in requests {
            create_once(provider, counter, &request, "with a declared value").await;
        }
    }
}

/// Creates a session for `request`, which must succeed with exactly one request sent, and checks
/// the session against the request.
async fn create_once(
    provider: &dyn VerificationSession,
    counter: &dyn RequestCounter,
    request: &SessionRequest,
    described: &str,
) -> crate::Session {
    let name = provider.provider();
    let kind = request.kind;
    let before = counter.requests_received().await;
    if let Err(error) = provider.preflight(request) {
        panic!("{name}: preflight refused a {kind} request {described}: {error}");
    }
    assert_eq!(counter.requests_received().await, before, "{name}: preflight sent a request");
    let session = match provider.create_session(request).await {
        Ok(session) => session,
        // The conformance requests carry only made-up sample data: the JSON may be printed.
        Err(error) => panic!(
            "{name}: {kind} request {described} failed: {error} ({error:?}); request: {}",
            request.to_json()
        ),
    };
    let sent = counter.requests_received().await - before;
    assert_eq!(sent, 1, "{name}: a {kind} session must take exactly one request, took {sent}");
    check_session(provider, request, &session);
    session
}

fn check_session(
    provider: &dyn VerificationSession,
    request: &SessionRequest,
    session: &crate::Session,
) {
    let name = provider.provider();
    assert_eq!(session.provider, name, "{name}: session names another provider");
    assert!(!session.id.trim().is_empty(), "{name}: empty session id");
    assert!(matches!(session.url.scheme(), "http" | "https"), "{name}: session URL is not http(s)");
    assert_eq!(session.client_id, request.client_id, "{name}: client id not echoed");
    let drift = (Utc::now() - session.created_at).num_seconds().abs();
    assert!(drift < 300, "{name}: created_at is {drift}s away from now");
    if let Some(expires_at) = session.expires_at {
        assert!(expires_at > session.created_at, "{name}: session expires before it is created");
    }
    let printed = format!("{session:?}");
    if let Some(token) = &session.token {
        assert!(!printed.contains(token.expose_secret()), "{name}: Debug shows the token");
    }
    assert!(!printed.contains(session.url.as_str()), "{name}: Debug shows the full session URL");
}

fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).expect("valid date")
}

fn https(path: &str) -> Url {
    Url::parse("https://app.example/kyc/").and_then(|base| base.join(path)).expect("valid URL")
}

/// `request` with `field` set to a value valid under the neutral rules and `caps`' lists and
/// ranges (the first or shortest allowed, so limits are respected).
pub(crate) fn with_field(
    mut request: SessionRequest,
    field: Field,
    caps: &KindCapabilities,
) -> SessionRequest {
    let country = |code: &str| code.parse::<CountryCode>().expect("valid country");
    let p = &mut request.person;
    let d = &mut request.document;
    match field {
        Field::ClientId => {}
        Field::FirstName => p.first_name = Some(FIRST_NAME.into()),
        Field::LastName => p.last_name = Some(LAST_NAME.into()),
        Field::DateOfBirth => p.date_of_birth = Some(date(1990, 5, 15)),
        Field::Sex => p.sex = Some(Sex::Female),
        Field::Nationality => p.nationality = Some(country("LT")),
        Field::PersonalNumber => p.personal_number = Some(PERSONAL_NUMBER.into()),
        Field::Address => p.address = Some("Gedimino pr. 1, Vilnius".into()),
        Field::Email => p.email = Some("tester@example.com".into()),
        Field::Phone => p.phone = Some("+37060000000".into()),
        Field::DocumentTypes => {
            let most = caps.max_document_types.unwrap_or(2).min(2);
            d.types = caps.document_types.iter().take(most).copied().collect();
            if d.types.is_empty() {
                d.types.push(DocumentType::Passport);
            }
        }
        Field::DocumentCountry => d.country = Some(country("LT")),
        Field::DocumentNumber => d.number = Some(DOCUMENT_NUMBER.into()),
        Field::DocumentIssueDate => d.issue_date = Some(date(2020, 1, 1)),
        Field::DocumentExpiryDate => d.expiry_date = Some(date(2030, 1, 1)),
        Field::Locale => {
            let preferred = caps.locales.get(&Locale::En).or_else(|| caps.locales.first());
            request.locale = Some(preferred.copied().unwrap_or(Locale::En));
        }
        Field::Flow => {
            request.flow = Some(caps.flows.first().copied().unwrap_or(Flow::DocumentOnly))
        }
        Field::SuccessUrl => request.redirects.success = Some(https("success")),
        Field::FailureUrl => request.redirects.failure = Some(https("failure")),
        Field::CancelUrl => request.redirects.cancel = Some(https("cancel")),
        Field::WebhookUrl => request.webhook_url = Some(https("webhook")),
        Field::LinkValidity => {
            request.link_validity =
                Some(caps.link_validity.as_ref().map_or(Duration::from_secs(3600), |r| *r.start()))
        }
        Field::SessionDuration => {
            request.session_duration = Some(
                caps.session_duration.as_ref().map_or(Duration::from_secs(600), |r| *r.start()),
            )
        }
        Field::ExternalRef => request.external_ref = Some("conformance-ref".into()),
        Field::Tags => request.tags = vec!["conformance".into()],
    }
    request
}

/// A request of `kind` setting every field `caps` supports.
fn fullest_request(kind: VerificationKind, caps: &KindCapabilities) -> SessionRequest {
    let mut request = SessionRequest::new(client_id_for(kind, "full")).with_kind(kind);
    for field in Field::iter().filter(|field| caps.supports(*field)) {
        if kind == VerificationKind::Business && field == Field::Flow {
            continue;
        }
        request = with_field(request, field, caps);
    }
    if caps.max_tags == 0 {
        request.tags.clear();
    }
    request
}

/// The redirect URL `field` of `request`; `None` for any other field (the caller asks only for
/// URL fields the neutral rules let be plain http).
fn url_slot(request: &mut SessionRequest, field: Field) -> Option<&mut Url> {
    let redirects = &mut request.redirects;
    match field {
        Field::SuccessUrl => redirects.success.as_mut(),
        Field::FailureUrl => redirects.failure.as_mut(),
        Field::CancelUrl => redirects.cancel.as_mut(),
        _ => None,
    }
}

//! The provider-neutral rules of a [`SessionRequest`]: what no vendor could accept, checked
//! before any provider sees the request. A provider's own, tighter limits are in its
//! [`Capabilities`](crate::Capabilities); its wire format's rules are in its adapter.
//!
//! Every broken rule is collected, so a caller fixes a request in one round.

use std::time::Duration;

use chrono::{NaiveDate, Utc};
use url::Url;

use crate::error::{Error, FieldError};
use crate::field::{Field, FieldKind, MAX_TAGS, Value};
use crate::kit::{ErrorExt, is_loopback};
use crate::model::VerificationKind;
use crate::request::SessionRequest;

const EARLIEST_DATE: NaiveDate = NaiveDate::from_ymd_opt(1900, 1, 1).expect("valid date");
const LATEST_DATE: NaiveDate = NaiveDate::from_ymd_opt(9999, 12, 31).expect("valid date");
const URL_MAX_CHARS: usize = 2048;

/// The rule a free-text value breaks, if any.
pub(crate) fn text_rule_violation(value: &str, max_chars: usize) -> Option<String> {
    if value.trim().is_empty() {
        Some("must not be empty".into())
    } else if value.chars().any(char::is_control) {
        Some("must not contain control characters".into())
    } else if value.trim() != value {
        Some("must not start or end with whitespace".into())
    } else if value.chars().count() > max_chars {
        Some(format!("must be at most {max_chars} characters"))
    } else {
        None
    }
}

struct Rules {
    today: NaiveDate,
    errors: Vec<FieldError>,
}

impl Rules {
    fn fail(&mut self, field: impl Into<String>, rule: impl Into<String>) {
        self.errors.push(FieldError::new(field, rule));
    }

    /// Checks a free-text value; false when it broke a rule.
    fn text(&mut self, field: impl Into<String>, value: Option<&str>, max_chars: usize) -> bool {
        match value.and_then(|v| text_rule_violation(v, max_chars)) {
            Some(rule) => {
                self.fail(field, rule);
                false
            }
            None => true,
        }
    }

    fn email(&mut self, field: Field, value: &str) {
        if !self.text(field.as_ref(), Some(value), field.max_chars().unwrap_or(usize::MAX)) {
            return;
        }
        let well_formed = match value.split_once('@') {
            Some((local, domain)) => {
                !local.is_empty()
                    && !domain.contains('@')
                    && domain.contains('.')
                    && !domain.starts_with('.')
                    && !domain.ends_with('.')
                    && !value.contains(char::is_whitespace)
            }
            None => false,
        };
        if !well_formed {
            self.fail(field.as_ref(), "must be an email address (local@domain.tld)");
        }
    }

    fn phone(&mut self, field: Field, value: &str) {
        if !self.text(field.as_ref(), Some(value), field.max_chars().unwrap_or(usize::MAX)) {
            return;
        }
        let body = value.strip_prefix('+').unwrap_or(value);
        let allowed = body.chars().all(|c| c.is_ascii_digit() || " -()".contains(c));
        let digits = body.chars().filter(char::is_ascii_digit).count();
        if !allowed || !(5..=20).contains(&digits) {
            self.fail(
                field.as_ref(),
                "must be a phone number: 5 to 20 digits, an optional leading +, spaces, hyphens \
                 or parentheses",
            );
        }
    }

    /// Dates are sent as `YYYY-MM-DD`: years outside 1900..=9999 cannot be written that way
    /// (chrono prints a sign) and are no document's or person's dates anyway.
    fn date(&mut self, field: Field, date: NaiveDate, not_after_today: bool) {
        if date < EARLIEST_DATE {
            self.fail(field.as_ref(), format!("must not be before {EARLIEST_DATE}"));
        } else if not_after_today && date > self.today {
            self.fail(field.as_ref(), "must not be in the future");
        } else if date > LATEST_DATE {
            self.fail(field.as_ref(), format!("must not be after {LATEST_DATE}"));
        }
    }

    fn url(&mut self, field: Field, url: &Url, https_only: bool) {
        let field = field.as_ref();
        if !matches!(url.scheme(), "http" | "https") {
            self.fail(field, "must be an http or https URL");
        } else if https_only && url.scheme() != "https" && !is_loopback(url) {
            self.fail(field, "must use https (plain http only for loopback hosts)");
        }
        if !url.username().is_empty() || url.password().is_some() {
            self.fail(field, "must not contain credentials");
        }
        if url.as_str().len() > URL_MAX_CHARS {
            self.fail(field, format!("must be at most {URL_MAX_CHARS} characters"));
        }
    }

    fn duration(&mut self, field: Field, duration: Duration, max: Duration) {
        let field = field.as_ref();
        if duration.subsec_nanos() != 0 {
            self.fail(field, "must be a whole number of seconds");
        } else if duration.is_zero() {
            self.fail(field, "must be at least 1 second");
        } else if duration > max {
            self.fail(field, format!("must be at most {} seconds", max.as_secs()));
        }
    }

    fn unique<T: PartialEq>(&mut self, field: &str, items: &[T], what: &str) {
        for (i, item) in items.iter().enumerate() {
            if items[..i].contains(item) {
                self.fail(format!("{field}[{i}]"), format!("must not repeat another {what}"));
            }
        }
    }
}

impl SessionRequest {
    /// Checks the provider-neutral rules, reporting every broken rule at once.
    ///
    /// Providers call it before sending; call it yourself to check a request early (a form,
    /// a file). Dates are checked against today's date in UTC.
    ///
    /// # Errors
    /// [`ErrorKind::InvalidRequest`](crate::ErrorKind::InvalidRequest) whose
    /// [`invalid_fields`](Error::invalid_fields) name each field and its rule.
    ///
    /// ```
    /// use kyc_core::{ClientId, Person, SessionRequest};
    /// let request = SessionRequest::new(ClientId::new("u1")?)
    ///     .with_person(Person::default().with_first_name("").with_email("nobody"))
    ///     .with_tag("vip")
    ///     .with_tag("vip");
    /// let error = request.validate().unwrap_err();
    /// let fields: Vec<&str> = error.invalid_fields().iter().map(|f| f.field()).collect();
    /// assert_eq!(fields, ["person.firstName", "person.email", "tags[1]"]);
    /// # Ok::<(), kyc_core::Error>(())
    /// ```
    pub fn validate(&self) -> Result<(), Error> {
        self.validate_on(Utc::now().date_naive())
    }

    /// [`validate`](Self::validate) as of `today`.
    ///
    /// # Errors
    /// As [`validate`](Self::validate).
    pub fn validate_on(&self, today: NaiveDate) -> Result<(), Error> {
        let mut rules = Rules { today, errors: Vec::new() };
        for field in self.fields_set() {
            let Some(value) = self.value(field) else { continue };
            let max_chars = field.max_chars().unwrap_or(usize::MAX);
            match (field.kind(), value) {
                (FieldKind::Text, Value::Text(text)) => {
                    rules.text(field.as_ref(), Some(text), max_chars);
                }
                (FieldKind::Email, Value::Text(text)) => rules.email(field, text),
                (FieldKind::Phone, Value::Text(text)) => rules.phone(field, text),
                (FieldKind::Date { not_in_future }, Value::Date(date)) => {
                    rules.date(field, date, not_in_future)
                }
                (FieldKind::Url { https_only }, Value::Url(url)) => {
                    rules.url(field, url, https_only)
                }
                (FieldKind::Duration, Value::Duration(duration)) => {
                    rules.duration(field, duration, field.max_duration().unwrap_or(Duration::MAX))
                }
                // Countries and choices are valid once parsed.
                _ => {}
            }
            match field {
                Field::DocumentTypes => {
                    rules.unique(field.as_ref(), &self.document.types, "document type")
                }
                Field::DocumentExpiryDate => {
                    if let (Some(issued), Some(expires)) =
                        (self.document.issue_date, self.document.expiry_date)
                        && expires < issued
                    {
                        rules.fail(field.as_ref(), "must not be before document.issueDate");
                    }
                }
                Field::Flow if self.kind == VerificationKind::Business => {
                    rules.fail(field.as_ref(), "does not apply to business verification");
                }
                Field::Tags => {
                    if self.tags.len() > MAX_TAGS {
                        rules.fail(field.as_ref(), format!("must have at most {MAX_TAGS} tags"));
                    }
                    for (i, tag) in self.tags.iter().enumerate() {
                        rules.text(format!("tags[{i}]"), Some(tag), max_chars);
                    }
                    rules.unique(field.as_ref(), &self.tags, "tag");
                }
                _ => {}
            }
        }

        for provider in self.provider_options.keys() {
            if provider.trim().is_empty() {
                rules.fail("providerOptions", "provider names must not be empty");
            }
        }

        rules.errors.extend(self.option_checks.run(self));
        if rules.errors.is_empty() { Ok(()) } else { Err(Error::invalid_request(rules.errors)) }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{ClientId, DocumentType, Flow};
    use crate::request::{ExpectedDocument, Person, Redirects};
    use proptest::prelude::*;

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, 23).unwrap()
    }

    fn base() -> SessionRequest {
        SessionRequest::new(ClientId::new("user-1").unwrap())
    }

    fn broken_fields(request: &SessionRequest) -> Vec<(String, String)> {
        match request.validate_on(today()) {
            Ok(()) => Vec::new(),
            Err(error) => error
                .invalid_fields()
                .iter()
                .map(|f| (f.field().to_owned(), f.rule().to_owned()))
                .collect(),
        }
    }

    #[test]
    fn the_documented_full_request_is_valid() {
        let json = include_str!("../fixtures/full-request.json");
        let request = SessionRequest::from_json(json).unwrap();
        assert_eq!(broken_fields(&request), Vec::<(String, String)>::new());
        let again = SessionRequest::from_json(&request.to_json()).unwrap();
        assert_eq!(again, request);
    }

    #[test]
    fn every_broken_field_is_named_at_once() {
        let url = |s: &str| Url::parse(s).unwrap();
        let request = base()
            .with_person(
                Person::default()
                    .with_first_name("")
                    .with_last_name(" Jonaitis")
                    .with_date_of_birth(NaiveDate::from_ymd_opt(2030, 1, 1).unwrap())
                    .with_personal_number("1\u{0}2")
                    .with_email("jonas@localhost")
                    .with_phone("call me"),
            )
            .with_document(
                ExpectedDocument::default()
                    .with_type(DocumentType::Passport)
                    .with_type(DocumentType::Passport)
                    .with_issue_date(NaiveDate::from_ymd_opt(2020, 1, 2).unwrap())
                    .with_expiry_date(NaiveDate::from_ymd_opt(2020, 1, 1).unwrap()),
            )
            .with_kind(VerificationKind::Business)
            .with_flow(Flow::DocumentOnly)
            .with_redirects(Redirects::default().with_success(url("ftp://example.com/done")))
            .with_webhook_url(url("http://user:pw@example.com/hook"))
            .with_link_validity(Duration::ZERO)
            .with_session_duration(Duration::from_millis(1500))
            .with_external_ref("x".repeat(256))
            .with_tag("a")
            .with_tag("a");
        let fields: Vec<String> = broken_fields(&request).into_iter().map(|(f, _)| f).collect();
        assert_eq!(
            fields,
            vec![
                "person.firstName",
                "person.lastName",
                "person.dateOfBirth",
                "person.personalNumber",
                "person.email",
                "person.phone",
                "document.types[1]",
                "document.expiryDate",
                "flow",
                "redirects.success",
                "webhookUrl",
                "webhookUrl",
                "linkValiditySeconds",
                "sessionDurationSeconds",
                "externalRef",
                "tags[1]",
            ]
        );
    }

    #[test]
    fn rules_are_stated() {
        let request = base()
            .with_person(
                Person::default()
                    .with_date_of_birth(NaiveDate::from_ymd_opt(1899, 12, 31).unwrap()),
            )
            .with_link_validity(Duration::from_secs(400 * 24 * 3600));
        assert_eq!(
            broken_fields(&request),
            vec![
                ("person.dateOfBirth".into(), "must not be before 1900-01-01".into()),
                ("linkValiditySeconds".into(), "must be at most 31536000 seconds".into()),
            ]
        );
    }

    #[test]
    fn dates_stay_writable_as_yyyy_mm_dd() {
        let far = NaiveDate::from_ymd_opt(12345, 1, 1).unwrap();
        let ancient = NaiveDate::from_ymd_opt(-5, 1, 1).unwrap();
        let request = base().with_document(
            ExpectedDocument::default().with_issue_date(ancient).with_expiry_date(far),
        );
        assert_eq!(
            broken_fields(&request),
            vec![
                ("document.issueDate".into(), "must not be before 1900-01-01".into()),
                ("document.expiryDate".into(), "must not be after 9999-12-31".into()),
            ]
        );
    }

    #[test]
    fn loopback_webhooks_may_use_plain_http() {
        for ok in ["http://127.0.0.1:8080/hook", "http://localhost/hook", "http://[::1]/h"] {
            let request = base().with_webhook_url(Url::parse(ok).unwrap());
            assert_eq!(broken_fields(&request), vec![], "{ok}");
        }
    }

    #[test]
    fn too_many_tags() {
        let mut request = base();
        request.tags = (0..=MAX_TAGS).map(|i| format!("t{i}")).collect();
        assert_eq!(
            broken_fields(&request),
            vec![("tags".into(), "must have at most 20 tags".into())]
        );
    }

    #[test]
    fn good_contacts_pass() {
        let request = base().with_person(
            Person::default().with_email("jonas@example.com").with_phone("+370 (600) 00-000"),
        );
        assert_eq!(broken_fields(&request), vec![]);
    }

    proptest! {
        #[test]
        fn arbitrary_text_never_panics_and_errors_name_the_field(
            name in any::<String>(),
            number in any::<String>(),
            email in any::<String>(),
            phone in any::<String>(),
            tag in any::<String>(),
            id in any::<String>(),
        ) {
            let _ = ClientId::new(id);
            let request = base()
                .with_person(
                    Person::default()
                        .with_first_name(name)
                        .with_personal_number(number)
                        .with_email(email)
                        .with_phone(phone),
                )
                .with_tag(tag);
            if let Err(error) = request.validate_on(today()) {
                prop_assert!(!error.invalid_fields().is_empty());
                for field in error.invalid_fields() {
                    prop_assert!(
                        ["person.firstName", "person.personalNumber", "person.email",
                         "person.phone", "tags[0]"].contains(&field.field()),
                        "unexpected field {}", field.field()
                    );
                    prop_assert!(!field.rule().is_empty());
                }
            }
        }

        #[test]
        fn arbitrary_dates_never_panic(
            birth in -1_000_000i32..1_000_000,
            issue in -1_000_000i32..1_000_000,
            expiry in -1_000_000i32..1_000_000,
            validity in any::<u64>(),
            nanos in 0u32..1_000_000_000,
        ) {
            let day = |offset: i32| today().checked_add_signed(chrono::TimeDelta::days(offset.into()));
            let document = ExpectedDocument {
                issue_date: day(issue),
                expiry_date: day(expiry),
                ..ExpectedDocument::default()
            };
            let person = Person { date_of_birth: day(birth), ..Person::default() };
            let request = base()
                .with_person(person)
                .with_document(document)
                .with_link_validity(Duration::new(validity, nanos));
            let outcome = request.validate_on(today());
            let future_birth = day(birth).is_some_and(|born| born > today());
            let future_issue = day(issue).is_some_and(|issued| issued > today());
            if future_birth || future_issue || nanos != 0 {
                prop_assert!(outcome.is_err());
            }
            if outcome.is_ok() {
                // Whatever passes is written as YYYY-MM-DD.
                let json = request.to_json();
                for date in [day(birth), day(issue), day(expiry)].into_iter().flatten() {
                    let written = date.to_string();
                    prop_assert!(!json.contains(&written) || written.len() == 10);
                }
            }
        }

        #[test]
        fn arbitrary_country_codes_never_panic(code in any::<String>()) {
            let _ = code.parse::<crate::CountryCode>();
        }

        #[test]
        fn arbitrary_json_never_panics(json in any::<String>()) {
            let _ = SessionRequest::from_json(&json);
        }
    }
}

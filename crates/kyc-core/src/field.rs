//! The neutral fields of a [`SessionRequest`], described once: each field's JSON path, kind,
//! neutral limit and whether it is personal data. Validation, capability checks, `Debug` and
//! the conformance suite read this table; adding a field breaks the build until it is
//! described here.

use std::fmt;
use std::time::Duration;

use chrono::NaiveDate;
use strum::{AsRefStr, Display, EnumCount, EnumIter, FromRepr, IntoStaticStr};
use url::Url;

use crate::request::{ExpectedDocument, Person, Redirects, SessionRequest};

/// A field of [`SessionRequest`], displayed as its path in the JSON shape.
///
/// Used in [`Capabilities`](crate::Capabilities) (which fields a provider can carry) and in
/// errors (which field broke which rule).
#[derive(
    Clone,
    Copy,
    Debug,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    Display,
    AsRefStr,
    IntoStaticStr,
    EnumIter,
    EnumCount,
    FromRepr,
)]
#[non_exhaustive]
#[allow(missing_docs)] // each variant's documentation is its JSON path
pub enum Field {
    #[strum(serialize = "clientId")]
    ClientId,
    #[strum(serialize = "person.firstName")]
    FirstName,
    #[strum(serialize = "person.lastName")]
    LastName,
    #[strum(serialize = "person.dateOfBirth")]
    DateOfBirth,
    #[strum(serialize = "person.sex")]
    Sex,
    #[strum(serialize = "person.nationality")]
    Nationality,
    #[strum(serialize = "person.personalNumber")]
    PersonalNumber,
    #[strum(serialize = "person.address")]
    Address,
    #[strum(serialize = "person.email")]
    Email,
    #[strum(serialize = "person.phone")]
    Phone,
    #[strum(serialize = "document.types")]
    DocumentTypes,
    #[strum(serialize = "document.country")]
    DocumentCountry,
    #[strum(serialize = "document.number")]
    DocumentNumber,
    #[strum(serialize = "document.issueDate")]
    DocumentIssueDate,
    #[strum(serialize = "document.expiryDate")]
    DocumentExpiryDate,
    #[strum(serialize = "locale")]
    Locale,
    #[strum(serialize = "flow")]
    Flow,
    #[strum(serialize = "redirects.success")]
    SuccessUrl,
    #[strum(serialize = "redirects.failure")]
    FailureUrl,
    #[strum(serialize = "redirects.cancel")]
    CancelUrl,
    #[strum(serialize = "webhookUrl")]
    WebhookUrl,
    #[strum(serialize = "linkValiditySeconds")]
    LinkValidity,
    #[strum(serialize = "sessionDurationSeconds")]
    SessionDuration,
    #[strum(serialize = "externalRef")]
    ExternalRef,
    #[strum(serialize = "tags")]
    Tags,
}

/// What kind of value a [`Field`] holds, and so which neutral rules apply to it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum FieldKind {
    /// Free text: not blank, no control characters, no surrounding whitespace, at most
    /// [`Field::max_chars`] characters.
    Text,
    /// An email address (`local@domain.tld`), as text.
    Email,
    /// A phone number: 5 to 20 digits, an optional leading `+`, spaces, hyphens, parentheses.
    Phone,
    /// A calendar date from 1900-01-01 to 9999-12-31; with `not_in_future`, not after today.
    Date {
        /// Whether the date must not lie after today (a birth or an issue, not an expiry).
        not_in_future: bool,
    },
    /// An ISO 3166-1 alpha-2 country.
    Country,
    /// One word of a closed vocabulary (sex, locale, flow).
    Choice,
    /// A list (document types, tags), each entry unique.
    List,
    /// An http(s) URL without credentials; with `https_only`, plain http on loopback only.
    Url {
        /// Whether plain http is refused off loopback (results carry personal data).
        https_only: bool,
    },
    /// A whole number of seconds, at least one, at most [`Field::max_duration`].
    Duration,
}

/// A field's description: the one place a field's properties are written down.
struct Spec {
    kind: FieldKind,
    personal: bool,
    max_chars: Option<usize>,
    max_duration: Option<Duration>,
}

const fn spec(kind: FieldKind, personal: bool) -> Spec {
    Spec { kind, personal, max_chars: None, max_duration: None }
}

const fn text(kind: FieldKind, personal: bool, max_chars: usize) -> Spec {
    Spec { kind, personal, max_chars: Some(max_chars), max_duration: None }
}

const fn duration(max: Duration) -> Spec {
    Spec { kind: FieldKind::Duration, personal: false, max_chars: None, max_duration: Some(max) }
}

/// The most tags a request may carry, whatever the provider.
pub(crate) const MAX_TAGS: usize = 20;

impl Field {
    fn spec(self) -> Spec {
        use FieldKind::{Choice, Country, Email, List, Phone, Text};
        const PAST: FieldKind = FieldKind::Date { not_in_future: true };
        const ANY_DATE: FieldKind = FieldKind::Date { not_in_future: false };
        const LINK: FieldKind = FieldKind::Url { https_only: false };
        match self {
            // An opaque id by contract (see `ClientId`): printed, never personal.
            Self::ClientId => text(Text, false, 255),
            Self::FirstName | Self::LastName => text(Text, true, 200),
            Self::DateOfBirth => spec(PAST, true),
            Self::Sex => spec(Choice, true),
            Self::Nationality => spec(Country, true),
            Self::PersonalNumber => text(Text, true, 64),
            Self::Address => text(Text, true, 1000),
            Self::Email => text(Email, true, 254),
            Self::Phone => text(Phone, true, 32),
            Self::DocumentTypes => spec(List, false),
            Self::DocumentCountry => spec(Country, false),
            Self::DocumentNumber => text(Text, true, 64),
            Self::DocumentIssueDate => spec(PAST, true),
            Self::DocumentExpiryDate => spec(ANY_DATE, true),
            Self::Locale | Self::Flow => spec(Choice, false),
            Self::SuccessUrl | Self::FailureUrl | Self::CancelUrl => spec(LINK, false),
            Self::WebhookUrl => spec(FieldKind::Url { https_only: true }, false),
            Self::LinkValidity => duration(Duration::from_secs(365 * 24 * 3600)),
            Self::SessionDuration => duration(Duration::from_secs(24 * 3600)),
            Self::ExternalRef => text(Text, false, 255),
            // Each tag.
            Self::Tags => text(List, false, 64),
        }
    }

    /// The kind of value it holds.
    pub fn kind(self) -> FieldKind {
        self.spec().kind
    }

    /// Whether it holds personal data: never printed by `Debug`, never quoted in errors.
    pub fn is_personal(self) -> bool {
        self.spec().personal
    }

    /// The neutral limit of a text field in characters (for [`Field::Tags`], of each tag);
    /// providers may declare tighter ones in their [`Capabilities`](crate::Capabilities).
    pub fn max_chars(self) -> Option<usize> {
        self.spec().max_chars
    }

    /// The neutral maximum of a duration field.
    pub fn max_duration(self) -> Option<Duration> {
        self.spec().max_duration
    }
}

/// A field's value in a request, borrowed.
#[derive(Clone, Copy)]
pub(crate) enum Value<'a> {
    Text(&'a str),
    Date(NaiveDate),
    Url(&'a Url),
    Duration(Duration),
    Other(&'a dyn fmt::Debug),
}

impl fmt::Debug for Value<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Text(text) => fmt::Debug::fmt(text, f),
            Self::Date(date) => fmt::Display::fmt(date, f),
            Self::Url(url) => fmt::Debug::fmt(url.as_str(), f),
            Self::Duration(duration) => fmt::Debug::fmt(duration, f),
            Self::Other(value) => value.fmt(f),
        }
    }
}

impl SessionRequest {
    /// The value of `field`, when set.
    pub(crate) fn value<'a>(&'a self, field: Field) -> Option<Value<'a>> {
        // Destructured without `..`: a field added to the request, the person, the document or
        // the redirects does not compile until it is described here (and so in the table).
        let SessionRequest {
            client_id,
            kind: _,
            person,
            document,
            locale,
            flow,
            redirects,
            webhook_url,
            link_validity,
            session_duration,
            external_ref,
            tags,
            provider_options: _,
            option_checks: _,
        } = self;
        let Person {
            first_name,
            last_name,
            date_of_birth,
            sex,
            nationality,
            personal_number,
            address,
            email,
            phone,
        } = person;
        let ExpectedDocument { types, country, number, issue_date, expiry_date } = document;
        let Redirects { success, failure, cancel } = redirects;
        let words = |value: &'a Option<String>| value.as_deref().map(Value::Text);
        let other = |value: Option<&'a dyn fmt::Debug>| value.map(Value::Other);
        match field {
            Field::ClientId => Some(Value::Text(client_id.as_str())),
            Field::FirstName => words(first_name),
            Field::LastName => words(last_name),
            Field::DateOfBirth => date_of_birth.map(Value::Date),
            Field::Sex => other(sex.as_ref().map(|v| v as _)),
            Field::Nationality => other(nationality.as_ref().map(|v| v as _)),
            Field::PersonalNumber => words(personal_number),
            Field::Address => words(address),
            Field::Email => words(email),
            Field::Phone => words(phone),
            Field::DocumentTypes => (!types.is_empty()).then_some(Value::Other(types)),
            Field::DocumentCountry => other(country.as_ref().map(|v| v as _)),
            Field::DocumentNumber => words(number),
            Field::DocumentIssueDate => issue_date.map(Value::Date),
            Field::DocumentExpiryDate => expiry_date.map(Value::Date),
            Field::Locale => other(locale.as_ref().map(|v| v as _)),
            Field::Flow => other(flow.as_ref().map(|v| v as _)),
            Field::SuccessUrl => success.as_ref().map(Value::Url),
            Field::FailureUrl => failure.as_ref().map(Value::Url),
            Field::CancelUrl => cancel.as_ref().map(Value::Url),
            Field::WebhookUrl => webhook_url.as_ref().map(Value::Url),
            Field::LinkValidity => link_validity.map(Value::Duration),
            Field::SessionDuration => session_duration.map(Value::Duration),
            Field::ExternalRef => words(external_ref),
            Field::Tags => (!tags.is_empty()).then_some(Value::Other(tags)),
        }
    }

    /// The free-text slot of `field`, for the fields held as an optional string (not the client
    /// id, a validated newtype, nor tags, a list).
    #[cfg_attr(not(feature = "test-util"), allow(dead_code))]
    pub(crate) fn text_slot(&mut self, field: Field) -> Option<&mut Option<String>> {
        let p = &mut self.person;
        let d = &mut self.document;
        match field {
            Field::FirstName => Some(&mut p.first_name),
            Field::LastName => Some(&mut p.last_name),
            Field::PersonalNumber => Some(&mut p.personal_number),
            Field::Address => Some(&mut p.address),
            Field::Email => Some(&mut p.email),
            Field::Phone => Some(&mut p.phone),
            Field::DocumentNumber => Some(&mut d.number),
            Field::ExternalRef => Some(&mut self.external_ref),
            Field::ClientId
            | Field::DateOfBirth
            | Field::Sex
            | Field::Nationality
            | Field::DocumentTypes
            | Field::DocumentCountry
            | Field::DocumentIssueDate
            | Field::DocumentExpiryDate
            | Field::Locale
            | Field::Flow
            | Field::SuccessUrl
            | Field::FailureUrl
            | Field::CancelUrl
            | Field::WebhookUrl
            | Field::LinkValidity
            | Field::SessionDuration
            | Field::Tags => None,
        }
    }

    /// Every field this request sets, found once: validation and the capability check walk
    /// these instead of asking every field of the table again.
    pub(crate) fn fields_set(&self) -> FieldSet {
        use strum::IntoEnumIterator;
        let set = Field::iter().filter(|field| self.value(*field).is_some());
        FieldSet(set.fold(0, |bits, field| bits | FieldSet::bit(field)))
    }

    /// The text of a free-text field, when set.
    pub(crate) fn text(&self, field: Field) -> Option<&str> {
        match self.value(field) {
            Some(Value::Text(text)) => Some(text),
            _ => None,
        }
    }
}

/// A set of fields, one bit each: iterated in the table's order.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct FieldSet(u32);

// Every field has its bit.
const _: () = assert!(Field::COUNT <= u32::BITS as usize);

impl FieldSet {
    const fn bit(field: Field) -> u32 {
        1 << field as u32
    }

    /// Whether `field` is in the set.
    pub(crate) fn contains(self, field: Field) -> bool {
        self.0 & Self::bit(field) != 0
    }
}

impl Iterator for FieldSet {
    type Item = Field;

    fn next(&mut self) -> Option<Field> {
        let index = self.0.trailing_zeros();
        // Clears the lowest bit; nothing to clear once empty.
        self.0 &= self.0.wrapping_sub(1);
        Field::from_repr(index as usize)
    }
}

/// `SessionRequest`'s `Debug`: every field set, by its path; personal values as `<redacted>`.
pub(crate) struct Fields<'a>(pub(crate) &'a SessionRequest);

impl fmt::Debug for Fields<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        use strum::IntoEnumIterator;
        let mut map = f.debug_map();
        for field in Field::iter() {
            let Some(value) = self.0.value(field) else { continue };
            match field.is_personal() {
                true => map.entry(&field.as_ref(), &format_args!("<redacted>")),
                false => map.entry(&field.as_ref(), &value),
            };
        }
        map.finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::capabilities::KindCapabilities;
    use crate::conformance::with_field;
    use crate::model::ClientId;
    use strum::IntoEnumIterator;

    /// Every field: set it, read it back, see it in `Debug` by its path, and its value only when
    /// it is not personal data.
    #[test]
    fn every_field_sets_reads_back_and_hides_personal_data() {
        let caps = KindCapabilities::everything();
        for field in Field::iter() {
            let blank = SessionRequest::new(ClientId::new("u1").unwrap());
            let request = with_field(blank.clone(), field, &caps);
            let value = request.value(field).unwrap_or_else(|| panic!("{field} not set"));
            let shown = format!("{value:?}");
            assert!(request.fields_set().any(|set| set == field), "{field}");
            if field != Field::ClientId {
                assert!(blank.value(field).is_none(), "{field} set on a blank request");
            }
            let printed = format!("{request:?}");
            assert!(printed.contains(field.as_ref()), "{field} missing from {printed}");
            assert_eq!(printed.contains(&shown), !field.is_personal(), "{field}: {printed}");
            // The JSON shape carries it, and reading the JSON back gives the same value.
            let again = SessionRequest::from_json(&request.to_json()).unwrap();
            assert_eq!(format!("{:?}", again.value(field)), format!("{:?}", Some(value)));
        }
    }

    #[test]
    fn the_table_states_limits_and_kinds() {
        assert_eq!(Field::FirstName.max_chars(), Some(200));
        assert_eq!(Field::Tags.max_chars(), Some(64));
        assert_eq!(Field::WebhookUrl.kind(), FieldKind::Url { https_only: true });
        assert_eq!(Field::LinkValidity.max_duration(), Some(Duration::from_secs(31_536_000)));
        let personal: Vec<Field> = Field::iter().filter(|f| f.is_personal()).collect();
        assert_eq!(personal.len(), 12, "{personal:?}");
        assert!(!Field::ClientId.is_personal() && !Field::ExternalRef.is_personal());
    }
}

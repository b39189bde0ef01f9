//! What a provider can honour, declared up front, so a request it cannot serve fails before the
//! network with [`ErrorKind::Unsupported`](crate::ErrorKind::Unsupported) (never a silently
//! dropped field), and so routing and failover can skip it.
//!
//! Modelled on OpenDAL's `Capability` and ActiveMerchant's `supported_countries`: plain data a
//! caller can read, plus one [`check`](Capabilities::check).

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::ops::RangeInclusive;
use std::time::Duration;

use strum::IntoEnumIterator;

use crate::error::FieldError;
use crate::field::Field;
use crate::field::Value;
use crate::model::{DocumentType, Flow, Locale, VerificationKind};
use crate::request::SessionRequest;

/// What a provider can do, per kind of verification.
///
/// ```
/// use std::time::Duration;
/// use kyc_core::{Capabilities, DocumentType, Field, KindCapabilities};
///
/// let caps = Capabilities::new().with_identity(
///     KindCapabilities::new()
///         .with_fields([Field::FirstName, Field::LastName, Field::DocumentTypes])
///         .with_document_types([DocumentType::Passport, DocumentType::IdCard])
///         .with_max_chars(Field::FirstName, 100)
///         .with_link_validity(Duration::from_secs(3600)..=Duration::from_secs(86400)),
/// );
/// assert!(caps.identity.as_ref().unwrap().supports(Field::FirstName));
/// assert!(caps.business.is_none());
/// ```
///
/// Plain data, without the provider's name: the provider that declares them names itself
/// ([`VerificationSession::provider`](crate::VerificationSession::provider)), and each adapter
/// publishes its table as a function, readable without a client.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct Capabilities {
    /// Identity (KYC) verification, when offered.
    pub identity: Option<KindCapabilities>,
    /// Business (KYB) verification, when offered.
    pub business: Option<KindCapabilities>,
}

/// What a provider can do for one kind of verification.
///
/// A field of [`SessionRequest`] the provider cannot carry is refused when set; so is a value
/// outside the declared lists, ranges and limits.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct KindCapabilities {
    /// The request fields the provider carries, optional unless [`required`](Self::required)
    /// ([`Field::ClientId`] always is;
    /// link validity and session duration are governed by their ranges below).
    pub fields: BTreeSet<Field>,
    /// The document types it can restrict a session to.
    pub document_types: BTreeSet<DocumentType>,
    /// How many document types one request may name; `None` for no limit (Veriff takes one).
    pub max_document_types: Option<usize>,
    /// The UI languages it offers.
    pub locales: BTreeSet<Locale>,
    /// The flows it runs.
    pub flows: BTreeSet<Flow>,
    /// The link validities it accepts; `None` when it cannot be set.
    pub link_validity: Option<RangeInclusive<Duration>>,
    /// The session durations it accepts; `None` when it cannot be set.
    pub session_duration: Option<RangeInclusive<Duration>>,
    /// How long a link stays valid when the request does not say (for `Session::expires_at`).
    pub default_link_validity: Option<Duration>,
    /// The longest value, in characters, it takes for a free-text field.
    pub max_chars: BTreeMap<Field, usize>,
    /// Free-text fields it takes in ASCII only.
    pub ascii_only: BTreeSet<Field>,
    /// The most tags a session may carry.
    pub max_tags: usize,
    /// URL fields it takes over https only.
    pub https_only: BTreeSet<Field>,
    /// Whether it erases a session's personal data on request
    /// ([`SessionErasure`](crate::SessionErasure)).
    pub erasure: bool,
    /// Fields a request must set for it to serve it (Onfido requires the person's names): a
    /// request without one is refused before sending, as [`Feature::Required`]. Each is also
    /// in [`fields`](Self::fields).
    pub required: BTreeSet<Field>,
}

/// Something a request asks for that a provider cannot honour.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Feature {
    /// The kind of verification.
    Kind(VerificationKind),
    /// A request field it cannot carry.
    Field(Field),
    /// A document type it cannot restrict to.
    DocumentType(DocumentType),
    /// A UI language it does not offer.
    Locale(Locale),
    /// A flow it does not run.
    Flow(Flow),
    /// A duration outside what it accepts.
    Duration {
        /// [`Field::LinkValidity`] or [`Field::SessionDuration`].
        field: Field,
        /// What was asked for.
        requested: Duration,
        /// What it accepts.
        supported: RangeInclusive<Duration>,
    },
    /// A value longer than it takes.
    TooLong {
        /// The field.
        field: Field,
        /// Its limit in characters.
        max_chars: usize,
    },
    /// Non-ASCII characters in a field it takes in ASCII only.
    NonAscii(Field),
    /// More accepted document types in one request than it takes.
    TooManyDocumentTypes {
        /// Its limit.
        max: usize,
    },
    /// More tags than it takes.
    TooManyTags {
        /// Its limit.
        max: usize,
    },
    /// A plain-http URL where it requires https.
    InsecureUrl(Field),
    /// Values this provider's own rules refuse (each field with its rule), though another
    /// provider may take them.
    Rules(Vec<FieldError>),
    /// Erasing a session's data ([`SessionErasure`](crate::SessionErasure)).
    Erasure,
    /// A request without a field it requires ([`KindCapabilities::required`]).
    Required(Field),
}

impl fmt::Display for Feature {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Kind(kind) => write!(f, "{kind} verification"),
            Self::Field(field) => write!(f, "the field {field}"),
            Self::DocumentType(t) => write!(f, "document type {t}"),
            Self::Locale(locale) => write!(f, "locale {locale}"),
            Self::Flow(flow) => write!(f, "flow {flow}"),
            Self::Duration { field, requested, supported } => write!(
                f,
                "{field} of {}s (supported: {}s to {}s)",
                requested.as_secs(),
                supported.start().as_secs(),
                supported.end().as_secs()
            ),
            Self::TooLong { field, max_chars } => {
                write!(f, "{field} longer than {max_chars} characters")
            }
            Self::NonAscii(field) => write!(f, "non-ASCII characters in {field}"),
            Self::TooManyDocumentTypes { max } => {
                write!(f, "more than {max} document types in one request")
            }
            Self::TooManyTags { max } => write!(f, "more than {max} tags"),
            Self::InsecureUrl(field) => write!(f, "a non-https URL in {field}"),
            Self::Erasure => f.write_str("erasing a session's data"),
            Self::Required(field) => write!(f, "a request without {field}, which it requires"),
            Self::Rules(rules) => {
                f.write_str("these values")?;
                for (i, rule) in rules.iter().enumerate() {
                    f.write_str(if i == 0 { ": " } else { "; " })?;
                    fmt::Display::fmt(rule, f)?;
                }
                Ok(())
            }
        }
    }
}

impl Capabilities {
    /// Capabilities that offer nothing yet; add kinds with
    /// [`with_identity`](Self::with_identity) and [`with_business`](Self::with_business).
    pub fn new() -> Self {
        Self::default()
    }

    /// What a wrapper over `members` (failover, routing) can be asked for: each kind offered by
    /// any member, with the union of their fields, lists and limits (the widest range, the
    /// highest limit; ASCII and https requirements only where every member has them).
    ///
    /// A request this admits may still be refused by each member for a different reason; the
    /// wrapper then reports the members' own refusals.
    pub fn union<'a>(members: impl IntoIterator<Item = &'a Capabilities>) -> Self {
        let mut union = Self::new();
        for member in members {
            for (kind, caps) in [
                (VerificationKind::Identity, &member.identity),
                (VerificationKind::Business, &member.business),
            ] {
                let Some(caps) = caps else { continue };
                let slot = match kind {
                    VerificationKind::Identity => &mut union.identity,
                    VerificationKind::Business => &mut union.business,
                };
                *slot = Some(match slot.take() {
                    None => caps.clone(),
                    Some(seen) => seen.union(caps),
                });
            }
        }
        union
    }

    /// Offers identity verification.
    pub fn with_identity(mut self, identity: KindCapabilities) -> Self {
        self.identity = Some(identity);
        self
    }

    /// Offers business verification.
    pub fn with_business(mut self, business: KindCapabilities) -> Self {
        self.business = Some(business);
        self
    }

    /// The capabilities for `kind`, when offered.
    pub fn for_kind(&self, kind: VerificationKind) -> Option<&KindCapabilities> {
        match kind {
            VerificationKind::Identity => self.identity.as_ref(),
            VerificationKind::Business => self.business.as_ref(),
        }
    }

    /// Whether the provider can serve `request` (all of [`check`](Self::check)).
    pub fn can_serve(&self, request: &SessionRequest) -> bool {
        self.check(request).is_ok()
    }

    /// Checks that the provider can honour everything `request` asks for.
    ///
    /// It does not repeat [`SessionRequest::validate`]: providers call both before sending,
    /// and report a refusal as [`ErrorKind::Unsupported`](crate::ErrorKind::Unsupported) naming
    /// themselves and the feature.
    ///
    /// # Errors
    /// The first [`Feature`] it cannot honour, checked in this order: kind, fields, required fields, flow,
    /// document types, locale, durations, lengths, tags, URL schemes.
    pub fn check(&self, request: &SessionRequest) -> Result<(), Feature> {
        let unsupported = Err;
        let Some(caps) = self.for_kind(request.kind) else {
            return unsupported(Feature::Kind(request.kind));
        };
        let set = request.fields_set();
        for field in set {
            if !caps.supports(field) {
                return unsupported(Feature::Field(field));
            }
        }
        if let Some(&field) = caps.required.iter().find(|field| !set.contains(**field)) {
            return unsupported(Feature::Required(field));
        }
        if let Some(flow) = request.flow.filter(|flow| !caps.flows.contains(flow)) {
            return unsupported(Feature::Flow(flow));
        }
        if let Some(t) = request.document.types.iter().find(|t| !caps.document_types.contains(t)) {
            return unsupported(Feature::DocumentType(*t));
        }
        if let Some(max) = caps.max_document_types
            && request.document.types.len() > max
        {
            return unsupported(Feature::TooManyDocumentTypes { max });
        }
        if let Some(locale) = request.locale.filter(|locale| !caps.locales.contains(locale)) {
            return unsupported(Feature::Locale(locale));
        }
        for (field, requested, range) in [
            (Field::LinkValidity, request.link_validity, &caps.link_validity),
            (Field::SessionDuration, request.session_duration, &caps.session_duration),
        ] {
            if let (Some(requested), Some(range)) = (requested, range)
                && !range.contains(&requested)
            {
                return unsupported(Feature::Duration {
                    field,
                    requested,
                    supported: range.clone(),
                });
            }
        }
        for field in set {
            let Some(text) = request.text(field) else { continue };
            if let Some(&max_chars) = caps.max_chars.get(&field)
                && text.chars().count() > max_chars
            {
                return unsupported(Feature::TooLong { field, max_chars });
            }
            if caps.ascii_only.contains(&field) && !text.is_ascii() {
                return unsupported(Feature::NonAscii(field));
            }
        }
        if request.tags.len() > caps.max_tags {
            return unsupported(Feature::TooManyTags { max: caps.max_tags });
        }
        if let Some(&max_chars) = caps.max_chars.get(&Field::Tags)
            && request.tags.iter().any(|tag| tag.chars().count() > max_chars)
        {
            return unsupported(Feature::TooLong { field: Field::Tags, max_chars });
        }
        for field in set {
            if caps.https_only.contains(&field)
                && let Some(Value::Url(url)) = request.value(field)
                && url.scheme() != "https"
            {
                return unsupported(Feature::InsecureUrl(field));
            }
        }
        Ok(())
    }
}

impl KindCapabilities {
    /// Supports nothing beyond the client id.
    pub fn new() -> Self {
        Self::default()
    }

    fn union(mut self, other: &Self) -> Self {
        fn hull(
            a: Option<RangeInclusive<Duration>>,
            b: &Option<RangeInclusive<Duration>>,
        ) -> Option<RangeInclusive<Duration>> {
            match (a, b) {
                (Some(a), Some(b)) => Some(*a.start().min(b.start())..=*a.end().max(b.end())),
                (a, b) => a.or_else(|| b.clone()),
            }
        }
        self.fields.extend(other.fields.iter().copied());
        self.document_types.extend(other.document_types.iter().copied());
        self.locales.extend(other.locales.iter().copied());
        self.flows.extend(other.flows.iter().copied());
        self.link_validity = hull(self.link_validity, &other.link_validity);
        self.session_duration = hull(self.session_duration, &other.session_duration);
        self.default_link_validity = self.default_link_validity.or(other.default_link_validity);
        self.max_document_types = match (self.max_document_types, other.max_document_types) {
            (Some(a), Some(b)) => Some(a.max(b)),
            _ => None,
        };
        // A limit holds only where every member has one; then the highest applies.
        self.max_chars = self
            .max_chars
            .iter()
            .filter_map(|(field, a)| other.max_chars.get(field).map(|b| (*field, *a.max(b))))
            .collect();
        self.ascii_only = self.ascii_only.intersection(&other.ascii_only).copied().collect();
        self.https_only = self.https_only.intersection(&other.https_only).copied().collect();
        self.max_tags = self.max_tags.max(other.max_tags);
        self.erasure |= other.erasure;
        // A wrapper needs a field only when every member does.
        self.required = self.required.intersection(&other.required).copied().collect();
        self
    }

    /// Supports every field, document type, locale and flow, durations up to the neutral
    /// maximums, and 20 tags: a provider with no limits of its own (the stub).
    pub fn everything() -> Self {
        let one_second = Duration::from_secs(1);
        Self::new()
            .with_fields(
                Field::iter()
                    .filter(|f| !matches!(f, Field::LinkValidity | Field::SessionDuration)),
            )
            .with_document_types(DocumentType::iter())
            .with_locales(Locale::iter())
            .with_flows(Flow::iter())
            .with_link_validity(
                one_second..=Field::LinkValidity.max_duration().unwrap_or(Duration::MAX),
            )
            .with_session_duration(
                one_second..=Field::SessionDuration.max_duration().unwrap_or(Duration::MAX),
            )
            .with_max_tags(crate::field::MAX_TAGS)
    }

    /// Whether the provider carries `field` when it is set.
    pub fn supports(&self, field: Field) -> bool {
        match field {
            Field::ClientId => true,
            Field::LinkValidity => self.link_validity.is_some(),
            Field::SessionDuration => self.session_duration.is_some(),
            other => self.fields.contains(&other),
        }
    }

    /// Whether success, failure and cancel can each have their own redirect.
    pub fn supports_per_outcome_redirects(&self) -> bool {
        [Field::SuccessUrl, Field::FailureUrl, Field::CancelUrl].iter().all(|f| self.supports(*f))
    }

    /// Adds carried fields.
    pub fn with_fields(mut self, fields: impl IntoIterator<Item = Field>) -> Self {
        self.fields.extend(fields);
        self
    }

    /// Requires fields (and carries them): a request without one is refused.
    pub fn with_required(mut self, fields: impl IntoIterator<Item = Field>) -> Self {
        for field in fields {
            self.fields.insert(field);
            self.required.insert(field);
        }
        self
    }

    /// Adds document types.
    pub fn with_document_types(mut self, types: impl IntoIterator<Item = DocumentType>) -> Self {
        self.document_types.extend(types);
        self
    }

    /// Takes at most `max` document types in one request.
    pub fn with_max_document_types(mut self, max: usize) -> Self {
        self.max_document_types = Some(max);
        self
    }

    /// Adds locales.
    pub fn with_locales(mut self, locales: impl IntoIterator<Item = Locale>) -> Self {
        self.locales.extend(locales);
        self
    }

    /// Adds flows.
    pub fn with_flows(mut self, flows: impl IntoIterator<Item = Flow>) -> Self {
        self.flows.extend(flows);
        self
    }

    /// Accepts link validities in `range`.
    pub fn with_link_validity(mut self, range: RangeInclusive<Duration>) -> Self {
        self.link_validity = Some(range);
        self
    }

    /// Accepts session durations in `range`.
    pub fn with_session_duration(mut self, range: RangeInclusive<Duration>) -> Self {
        self.session_duration = Some(range);
        self
    }

    /// Sets how long a link stays valid by default.
    pub fn with_default_link_validity(mut self, validity: Duration) -> Self {
        self.default_link_validity = Some(validity);
        self
    }

    /// Limits a free-text field (or each tag, for [`Field::Tags`]) to `max_chars`.
    pub fn with_max_chars(mut self, field: Field, max_chars: usize) -> Self {
        self.max_chars.insert(field, max_chars);
        self
    }

    /// Takes `field` in ASCII only.
    pub fn with_ascii_only(mut self, field: Field) -> Self {
        self.ascii_only.insert(field);
        self
    }

    /// Takes at most `max` tags.
    pub fn with_max_tags(mut self, max: usize) -> Self {
        self.max_tags = max;
        self
    }

    /// Takes the URL `field` over https only.
    pub fn with_https_only(mut self, field: Field) -> Self {
        self.https_only.insert(field);
        self
    }

    /// Declares that it erases a session's data on request.
    pub fn with_erasure(mut self) -> Self {
        self.erasure = true;
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::Error;
    use crate::kit::ErrorExt;
    use crate::model::ClientId;
    use crate::request::{ExpectedDocument, Person, Redirects};
    use url::Url;

    fn narrow() -> Capabilities {
        Capabilities::new().with_identity(
            KindCapabilities::new()
                .with_fields([Field::FirstName, Field::DocumentTypes, Field::Locale, Field::Flow])
                .with_fields([Field::SuccessUrl, Field::Tags])
                .with_document_types([DocumentType::Passport])
                .with_max_document_types(1)
                .with_locales([Locale::En])
                .with_flows([Flow::DocumentAndSelfie])
                .with_link_validity(Duration::from_secs(60)..=Duration::from_secs(3600))
                .with_max_chars(Field::FirstName, 5)
                .with_max_chars(Field::ClientId, 8)
                .with_max_chars(Field::Tags, 3)
                .with_ascii_only(Field::ClientId)
                .with_max_tags(1)
                .with_https_only(Field::SuccessUrl),
        )
    }

    fn request() -> SessionRequest {
        SessionRequest::new(ClientId::new("u1").unwrap())
    }

    fn refusal(request: &SessionRequest) -> Option<Feature> {
        narrow().check(request).err()
    }

    #[test]
    fn what_is_declared_passes() {
        let r = request()
            .with_person(Person::default().with_first_name("Ana"))
            .with_document(ExpectedDocument::default().with_type(DocumentType::Passport))
            .with_locale(Locale::En)
            .with_flow(Flow::DocumentAndSelfie)
            .with_link_validity(Duration::from_secs(3600))
            .with_redirects(
                Redirects::default().with_success(Url::parse("https://a.example/").unwrap()),
            )
            .with_tag("abc");
        assert_eq!(refusal(&r), None);
    }

    #[test]
    fn each_unsupported_feature_is_named() {
        let http = Url::parse("http://a.example/").unwrap();
        let cases = [
            (
                request().with_kind(VerificationKind::Business),
                Feature::Kind(VerificationKind::Business),
            ),
            (
                request().with_person(Person::default().with_last_name("B")),
                Feature::Field(Field::LastName),
            ),
            (request().with_flow(Flow::DocumentOnly), Feature::Flow(Flow::DocumentOnly)),
            (
                request().with_document(ExpectedDocument::default().with_type(DocumentType::Visa)),
                Feature::DocumentType(DocumentType::Visa),
            ),
            (request().with_locale(Locale::Lt), Feature::Locale(Locale::Lt)),
            (
                request().with_link_validity(Duration::from_secs(59)),
                Feature::Duration {
                    field: Field::LinkValidity,
                    requested: Duration::from_secs(59),
                    supported: Duration::from_secs(60)..=Duration::from_secs(3600),
                },
            ),
            (
                request().with_session_duration(Duration::from_secs(600)),
                Feature::Field(Field::SessionDuration),
            ),
            (
                request().with_person(Person::default().with_first_name("Ramunė")),
                Feature::TooLong { field: Field::FirstName, max_chars: 5 },
            ),
            (
                SessionRequest::new(ClientId::new("ūser").unwrap()),
                Feature::NonAscii(Field::ClientId),
            ),
            (request().with_tag("a").with_tag("b"), Feature::TooManyTags { max: 1 }),
            (
                request().with_document(
                    ExpectedDocument::default()
                        .with_type(DocumentType::Passport)
                        .with_type(DocumentType::Passport),
                ),
                Feature::TooManyDocumentTypes { max: 1 },
            ),
            (request().with_tag("abcd"), Feature::TooLong { field: Field::Tags, max_chars: 3 }),
            (
                request().with_redirects(Redirects::default().with_success(http)),
                Feature::InsecureUrl(Field::SuccessUrl),
            ),
        ];
        for (request, expected) in cases {
            assert_eq!(refusal(&request), Some(expected));
        }
    }

    #[test]
    fn messages_say_what_and_who() {
        let feature =
            narrow().check(&request().with_link_validity(Duration::from_secs(7200))).unwrap_err();
        let error = Error::unsupported("narrow", feature);
        assert_eq!(
            error.to_string(),
            "narrow does not support linkValiditySeconds of 7200s (supported: 60s to 3600s)"
        );
    }

    #[test]
    fn a_union_admits_what_any_member_admits() {
        let wide = Capabilities::new().with_business(
            KindCapabilities::new()
                .with_fields([Field::Tags])
                .with_max_tags(5)
                .with_link_validity(Duration::from_secs(60)..=Duration::from_secs(600)),
        );
        let union = Capabilities::union([&narrow(), &wide]);
        assert_eq!(union.business, wide.business);
        let identity = union.identity.as_ref().unwrap();
        assert_eq!(identity, narrow().identity.as_ref().unwrap());
        let twice = Capabilities::union([&narrow(), &narrow(), &wide]);
        assert_eq!(twice.identity, union.identity);
        let mixed = Capabilities::union([
            &wide,
            &Capabilities::new().with_business(KindCapabilities::everything()),
        ]);
        let business = mixed.business.unwrap();
        assert!(business.supports(Field::Email));
        assert_eq!(business.max_tags, 20);
        assert_eq!(business.link_validity.unwrap().start(), &Duration::from_secs(1));
        assert!(business.max_chars.is_empty(), "no limit where a member has none");
    }

    #[test]
    fn everything_supports_every_field() {
        let caps = KindCapabilities::everything();
        assert!(Field::iter().all(|f| caps.supports(f)));
        assert!(caps.supports_per_outcome_redirects());
    }

    #[test]
    fn a_required_field_is_refused_when_missing_and_required_only_where_all_require_it() {
        let strict = Capabilities::new()
            .with_identity(KindCapabilities::new().with_required([Field::FirstName]));
        let bare = SessionRequest::new(ClientId::new("u1").unwrap());
        assert_eq!(strict.check(&bare), Err(Feature::Required(Field::FirstName)));
        let named = bare.clone().with_person(Person::default().with_first_name("Ann"));
        assert_eq!(strict.check(&named), Ok(()));
        assert_eq!(
            Feature::Required(Field::FirstName).to_string(),
            "a request without person.firstName, which it requires"
        );
        let lenient = Capabilities::new()
            .with_identity(KindCapabilities::new().with_fields([Field::FirstName]));
        let union = Capabilities::union([&strict, &lenient]);
        assert!(union.identity.as_ref().unwrap().required.is_empty());
        assert_eq!(union.check(&bare), Ok(()));
        let both = Capabilities::union([&strict, &strict.clone()]);
        assert_eq!(both.check(&bare), Err(Feature::Required(Field::FirstName)));
    }
}

//! [iDenfy](https://www.idenfy.com) behind the provider-neutral
//! [`VerificationSession`](kyc_core::VerificationSession) trait.
//!
//! - Identity (KYC) sessions: `POST https://ivs.idenfy.com/api/v2/token` with HTTP Basic auth
//!   (API key and secret), documented in iDenfy's current token reference
//!   (<https://documentation.idenfy.com/kyc/generate-token>) and in its older token reference
//!   with every constraint (<https://documentation.idenfy.com/API/GeneratingIdentificationToken>).
//! - Business (KYB) sessions: `POST https://ivs.idenfy.com/kyb/tokens/`
//!   (<https://documentation.idenfy.com/kyb/generate-token>), opened at
//!   `https://kyb.ui.idenfy.com/welcome?authToken=…`. KYB token creation must be enabled for the
//!   account by iDenfy; otherwise it answers `PARTNER_CONTRACT_ERROR`, reported as
//!   [`ErrorKind::Unsupported`](kyc_core::ErrorKind::Unsupported).
//!
//! Every neutral field maps onto its iDenfy parameter; every other documented parameter is a
//! typed [`IdenfyOptions`] field, with [`IdenfyOptions::extra`] for parameters iDenfy adds later.
//! Requests are checked against iDenfy's documented limits before anything is sent.
//!
//! ```
//! use std::time::Duration;
//! use kyc_core::{ClientId, Locale, SessionRequest};
//! use kyc_idenfy::{Idenfy, IdenfyOptions};
//!
//! let idenfy = Idenfy::builder("api-key", "api-secret")
//!     .with_timeout(Duration::from_secs(20))
//!     .with_default_options(IdenfyOptions::default().with_check_liveness(true))
//!     .build()?;
//!
//! // Per request: this session also runs an AML check.
//! let request = SessionRequest::new(ClientId::new("user-1")?)
//!     .with_locale(Locale::Lt)
//!     .with_options(IdenfyOptions::default().with_check_aml(true));
//! # let _ = (idenfy, request);
//! # Ok::<(), kyc_core::Error>(())
//! ```
//!
//! Results, for both kinds: webhooks are verified by [`IdenfyWebhooks`], built from the signing
//! key alone (or reached through [`Idenfy::webhooks`]), every signed delivery a
//! [`Decision`](kyc_core::Decision) or a [`Notice`](kyc_core::Notice)
//! (<https://documentation.idenfy.com/kyc/webhooks>,
//! <https://documentation.idenfy.com/kyb/webhooks>); [`Idenfy`] also polls
//! ([`VerificationResults`](kyc_core::VerificationResults): `POST /api/v2/status` for an
//! identity session, `GET /kyb/companies/{id}/` for a business one) and erases a session's
//! data ([`SessionErasure`](kyc_core::SessionErasure): `POST /api/v2/delete`,
//! <https://documentation.idenfy.com/kyc/deletion>, or `DELETE /kyb/companies/{id}/`). A
//! business session's id is its company's `companyId`, the id KYB webhooks and
//! `/kyb/companies/{id}/` name, and its [`kind`](kyc_core::Session::kind) is business.
//!
//! ```
//! use kyc_core::{SessionRef, VerificationResults};
//! # async fn run(idenfy: kyc_idenfy::Idenfy) -> Result<(), kyc_core::Error> {
//! let company = idenfy.poll_decision(&SessionRef::business("7bPN6YMQ9F7")).await?;
//! # let _ = company;
//! # Ok(())
//! # }
//! ```
//!
//! Not supported by iDenfy's token calls, so refused before sending: the person's email and
//! phone (use `verifyEmail`/`verifyPhone` to have iDenfy ask for them), tags on identity
//! sessions, and per-session webhooks, redirects, flows and document restrictions on KYB
//! sessions. Never retried: every token costs a credit, and iDenfy has no idempotency key.
//!
//! # Languages
//!
//! Identity sessions offer the languages of
//! <https://documentation.idenfy.com/resources/supported-languages> (which announces 35 and
//! lists 34), and Korean, which the OpenAPI's description of the token's `locale` names ("UI
//! language code (e.g. `en`, `de`, `ko`)", <https://documentation.idenfy.com/openapi/kyc.yaml>).
//! Each neutral [`Locale`] is sent as iDenfy's code, which is ISO 639-1 in lower case except
//! where iDenfy's list says otherwise:
//!
//! | neutral | sent |
//! |---|---|
//! | `en`, `es`, `fr`, `ru`, `de`, `it`, `pl`, `lt`, `lv`, `et`, `sv`, `cs`, `ro`, `hu`, `ja`, `bg`, `nl`, `pt`, `uk`, `sk`, `vi`, `th`, `hi`, `id`, `hr`, `da`, `fi`, `el`, `tr`, `sr`, `zh`, `ko` | the same |
//! | `sl` (Slovenian) | `si` |
//! | `zh-Hant` (Traditional Chinese; `zh-TW` parses as it) | `zh_tw` |
//! | `nb` (Norwegian Bokmål) | `no` |
//! | `no` (Norwegian) | `no` |
//!
//! Business sessions offer the 17 codes of the KYB OpenAPI's `KybLocaleEnum`
//! (<https://documentation.idenfy.com/openapi/kyb.yaml>), sent as they are: `en`, `es`, `fr`,
//! `ru`, `de`, `it`, `pl`, `lt`, `lv`, `et`, `cs`, `ro`, `hu`, `ja`, `bg`, `nl`, `pt`.

mod client;
mod erasure;
mod error;
mod options;
mod results;
mod wire;

use std::time::Duration;

use kyc_core::{Capabilities, DocumentType, Field, Flow, KindCapabilities, Locale};
use strum::IntoEnumIterator;

pub use client::{DEFAULT_BASE_URL, DEFAULT_KYB_UI_URL, Idenfy, IdenfyBuilder};
pub use options::{
    DetectionType, DummyStatus, FraudService, IdenfyOptions, KybOptions, KybTokenType, OPTIONS_KEY,
    RiskAssessmentProfile, TokenType,
};
pub use results::{IdenfyWebhookFormat, IdenfyWebhooks};

/// The provider's default name.
pub const PROVIDER: &str = "idenfy";

/// What iDenfy can honour, as documented: the table every [`Idenfy`] client declares, readable
/// without one (to compare vendors, or to check a request before any client exists).
///
/// ```
/// use kyc_core::VerificationKind;
/// let caps = kyc_idenfy::capabilities();
/// assert!(caps.for_kind(VerificationKind::Business).is_some());
/// ```
pub fn capabilities() -> Capabilities {
    use Locale::{
        Bg, Cs, Da, De, El, En, Es, Et, Fi, Fr, Hi, Hr, Hu, Id, It, Ja, Ko, Lt, Lv, Nb, Nl, No, Pl,
        Pt, Ro, Ru, Sk, Sl, Sr, Sv, Th, Tr, Uk, Vi, Zh, ZhHant,
    };
    // 30 days: the current token reference says "Max: 2,592,000", the older one "not exceeding
    // 2592000".
    let thirty_days = Duration::from_secs(2_592_000);
    let identity = KindCapabilities::new()
        .with_fields([
            Field::FirstName,
            Field::LastName,
            Field::DateOfBirth,
            Field::Sex,
            Field::Nationality,
            Field::PersonalNumber,
            Field::Address,
            Field::DocumentTypes,
            Field::DocumentCountry,
            Field::DocumentNumber,
            Field::DocumentIssueDate,
            Field::DocumentExpiryDate,
            Field::Locale,
            Field::Flow,
            Field::SuccessUrl,
            Field::FailureUrl,
            Field::CancelUrl,
            Field::WebhookUrl,
            Field::ExternalRef,
        ])
        // The older token reference lists 18 document types; the neutral list is the same 18.
        .with_document_types(DocumentType::iter())
        // https://documentation.idenfy.com/resources/supported-languages, in its order, then
        // Korean from the OpenAPI's example and Bokmål, sent as Norwegian (the crate's table).
        .with_locales([
            En, Es, Fr, Ru, De, It, Pl, Lt, Lv, Et, Sv, Cs, Ro, Hu, Ja, Bg, Nl, Pt, Uk, Sk, Sl, Vi,
            Th, Hi, Id, Hr, Da, Fi, El, No, Tr, Sr, Zh, ZhHant, Ko, Nb,
        ])
        .with_flows([Flow::DocumentAndSelfie, Flow::DocumentOnly])
        .with_link_validity(Duration::from_secs(1)..=thirty_days)
        // The older token reference says "more than 60" and "less than 3600", the current one
        // "max 3,600", the OpenAPI min 60 and max 3600, and the dashboard allows up to 60
        // minutes (https://documentation.idenfy.com/guides/dashboard/kyc/new-verification-via-dashboard):
        // the bounds are inclusive.
        .with_session_duration(Duration::from_secs(60)..=Duration::from_secs(3_600))
        .with_default_link_validity(Duration::from_secs(86_400))
        // The current token reference: clientId "ASCII, max 100", names "max 100", address
        // "max 255", externalRef "ASCII, max 40" (the older one only says "<= 40": the stricter
        // rule).
        .with_max_chars(Field::ClientId, 100)
        .with_ascii_only(Field::ClientId)
        .with_max_chars(Field::FirstName, 100)
        .with_max_chars(Field::LastName, 100)
        .with_max_chars(Field::Address, 255)
        .with_max_chars(Field::ExternalRef, 40)
        .with_ascii_only(Field::ExternalRef)
        // The OpenAPI: documentNumber and personalNumber "maxLength: 50".
        .with_max_chars(Field::DocumentNumber, 50)
        .with_max_chars(Field::PersonalNumber, 50)
        // The current token reference: successUrl "HTTPS"; the older one: callbackUrl "Must be
        // HTTPS URL".
        .with_https_only(Field::SuccessUrl)
        .with_https_only(Field::WebhookUrl)
        // POST /api/v2/delete (https://documentation.idenfy.com/kyc/deletion).
        .with_erasure();
    // OpenAPI `KybFormTokenRequest` and the dashboard's KYB form
    // (https://documentation.idenfy.com/kyb/generate-token): lifetime up to 30 days,
    // externalRef <= 40, tags at most 5 of at most 32 characters, the KYB locale list.
    let business = KindCapabilities::new()
        .with_fields([Field::Locale, Field::ExternalRef, Field::Tags])
        .with_locales([En, Es, Fr, Ru, De, It, Pl, Lt, Lv, Et, Cs, Ro, Hu, Ja, Bg, Nl, Pt])
        .with_link_validity(Duration::from_secs(1)..=thirty_days)
        .with_default_link_validity(Duration::from_secs(3_600))
        .with_max_chars(Field::ClientId, 100)
        .with_ascii_only(Field::ClientId)
        .with_max_chars(Field::ExternalRef, 40)
        .with_max_chars(Field::Tags, 32)
        .with_max_tags(5)
        // DELETE /kyb/companies/{id}/ (https://documentation.idenfy.com/openapi/kyb.yaml).
        .with_erasure();
    Capabilities::new().with_identity(identity).with_business(business)
}

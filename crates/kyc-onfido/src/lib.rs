//! [Onfido](https://onfido.com) (Entrust Identity Verification) behind the provider-neutral
//! [`VerificationSession`](kyc_core::VerificationSession) trait.
//!
//! A verification at Onfido is a Studio *workflow run* for an *applicant*, so a session takes
//! two calls (API v3.6, <https://documentation.onfido.com/api/latest/>):
//!
//! 1. `POST {base}/applicants` with the person
//!    (<https://documentation.onfido.com/api/latest/#create-applicant>): `first_name`,
//!    `last_name` (both required by Onfido), `dob`, `email`, `phone_number`, and the structured
//!    `address`, `location` and `consents` of [`OnfidoOptions`];
//! 2. `POST {base}/workflow_runs` (<https://documentation.onfido.com/api/latest/#create-workflow-run>)
//!    with the workflow id, the applicant's `id` from the first answer, the client id as
//!    `customer_user_id`, the tags, and the `link`: `completed_redirect_url` from the success
//!    redirect, `expires_at` from the link validity, `language` from the locale.
//!
//! Every call carries `Authorization: Token token=<API token>`. The base URL is a region's API
//! root with the version, `https://api.{eu,us,ca}.onfido.com/v3.6` ([`Region`]); regions are
//! separate accounts, so a token works in its own only.
//!
//! ```
//! use kyc_core::{ClientId, Locale, Person, SessionRequest};
//! use kyc_onfido::{Onfido, Region};
//!
//! let onfido = Onfido::builder("api_sandbox.token", "b42cf165-031f-4792-a57e-eea4fa10c4e2")
//!     .with_region(Region::Us)
//!     .with_webhook_token("webhook-token")
//!     .build()?;
//! let request = SessionRequest::new(ClientId::new("user-8841")?)
//!     .with_person(Person::default().with_first_name("Jane").with_last_name("Doe"))
//!     .with_locale(Locale::De)
//!     .with_tag("signup");
//! let now = "2025-03-04T10:00:00Z".parse().unwrap();
//! let (url, body) = onfido.encode_workflow_run(&request, "6b0d1e3a-3c2f-4d6e-9d34-1f2a7c9b5e10", now)?;
//! assert_eq!(url.as_str(), "https://api.us.onfido.com/v3.6/workflow_runs");
//! assert_eq!(
//!     String::from_utf8(body).unwrap(),
//!     r#"{"workflow_id":"b42cf165-031f-4792-a57e-eea4fa10c4e2","applicant_id":"6b0d1e3a-3c2f-4d6e-9d34-1f2a7c9b5e10","customer_user_id":"user-8841","tags":["signup"],"link":{"expires_at":"2025-03-11T10:00:00Z","language":"de_DE"}}"#
//! );
//! # Ok::<(), kyc_core::Error>(())
//! ```
//!
//! # The session
//!
//! [`Session::id`](kyc_core::Session::id) is the workflow run's `id`; the URL is its
//! `link.url` (the hosted page, `https://eu.onfido.app/l/<id>`), the expiry its
//! `link.expires_at` (else the one sent), the token its `sdk_token` (for Onfido's SDKs);
//! `vendor_fields` hold `applicantId`, `workflowId` and `dashboardUrl`. The link expires after the request's
//! link validity, [`DEFAULT_LINK_VALIDITY`] unless it sets one; Onfido documents neither a
//! default nor bounds, so [`LINK_VALIDITY`] is this adapter's choice.
//!
//! The UI language is one of Onfido's seven (`en_US`, `de_DE`, `es_ES`, `fr_FR`, `it_IT`,
//! `pt_PT`, `nl_NL`). Onfido requires both names (declared as
//! [`KindCapabilities::required`](kyc_core::KindCapabilities::required)) and refuses
//! `! # $ % * = < > ; { } "` in them: a request without a name, or with such a character, is
//! refused before the first call as [`Unsupported`](kyc_core::ErrorKind::Unsupported) naming
//! the field ([`Feature::Required`](kyc_core::Feature::Required), or
//! [`Feature::Rules`](kyc_core::Feature::Rules)), so another provider may serve it; no
//! placeholder name is ever sent: it would be a false statement about a person.
//! Also refused before sending: the one-line `person.address` (Onfido's is structured, with a
//! postcode and an alpha-3 country: [`OnfidoAddress`]), sex, nationality, personal number,
//! document types, country, number and dates, the flow (the Studio workflow decides), the
//! failure and cancel redirects (Onfido sends the person to one completed redirect whatever the
//! outcome), a per-session webhook (webhooks are registered per account), a session duration,
//! an external reference, languages outside the seven, and business sessions. Onfido takes 30
//! tags of up to 128 characters; the neutral limits (20 of 64) are inside them.
//!
//! # The half-done session
//!
//! The applicant can be created and the workflow run not. No session exists then, but an
//! applicant (the person's data) does, so the error says what became of it
//! ([`Error::leftover`](kyc_core::Error::leftover), the applicant's id, which is not personal
//! data), and the adapter cleans up what is safe to clean up:
//!
//! | the second call | the applicant | outcome |
//! |---|---|---|
//! | refused (4xx, 503) or never sent | deleted (`DELETE /applicants/{id}`); if that fails too, kept, and the error carries the deletion's error | rejected / not sent: no session |
//! | 500, 502, 504 | Onfido is asked (`GET /workflow_runs?applicant_id=`): no run, deleted as above; a run, or no answer, kept | rejected when no run; else unknown |
//! | timed out, connection lost after sending, success unreadable | kept: a run may exist, and deleting the applicant would delete it | unknown: a session may exist |
//!
//! Failover reads the outcome: after a refused second call nothing billable exists at Onfido
//! and the next provider may serve; after a timeout a session may exist, and the policy for an
//! unknown outcome decides. `docs/decisions/0006-a-session-in-two-calls.md` in the repository
//! explains the choice.
//!
//! # Errors
//!
//! Onfido answers `{"error": {"type", "message", "fields"}}`
//! (<https://github.com/onfido/onfido-openapi-spec/blob/master/responses/default_error.yaml>):
//!
//! | answer | neutral kind |
//! |---|---|
//! | 5xx, whatever the type | unavailable (503: nothing processed; others: outcome unknown) |
//! | `deletion_incomplete_checks` | conflict: the applicant's checks are still running |
//! | 422, or `validation_error` | unsupported ([`Feature::Rules`](kyc_core::Feature::Rules)), naming every field of `fields` under the request's paths (`first_name` is `person.firstName`), never quoting Onfido's messages (they are in `vendor_message`) |
//! | 401 | unauthenticated; the message names the region the client is for (a token of another region is refused as a wrong one) |
//! | 404 | rejected, saying which: an unknown or inactive workflow, or no such run or applicant |
//! | 402 | out of funds |
//! | 403 | forbidden |
//! | 429 (400 requests a minute in production, <https://developers.onfido.com/guide/get-started-integrating/>) | rate limited, with `Retry-After` when sent |
//! | anything else | rejected, with Onfido's `type` as the vendor code |
//! | a body that is not Onfido's JSON (HTML, empty) | by status, as above |
//!
//! A token whose prefix names a region (`api_sandbox_us.`, `api_live_ca.`) is refused by
//! [`OnfidoBuilder::build`] when the client is configured for another Onfido region, before
//! anything is sent.
//!
//! # Results
//!
//! [`OnfidoWebhooks`] verifies webhooks from the webhook tokens alone; [`Onfido`] also polls
//! ([`VerificationResults`](kyc_core::VerificationResults)) the workflow run. How run statuses
//! and webhook events become neutral statuses is the two tables of [`results`], each tested row
//! by row.
//!
//! # Erasure
//!
//! [`SessionErasure`](kyc_core::SessionErasure) deletes the session's applicant, found from the
//! workflow run, with every run and check of it ([`erasure`](crate#erasure) is declared in the
//! capabilities). Onfido keeps deleted data for the account's deletion delay, during which it
//! can be restored, then deletes it for good
//! (<https://documentation.onfido.com/guide/data-deletion/>).
//!
//! # KYB
//!
//! Not offered: Onfido's API v3.6 has no business verification (no company resource in the
//! specification, <https://github.com/onfido/onfido-openapi-spec>), so the capabilities offer
//! no business kind and a business request, poll or erasure is `Unsupported`, unsent.

mod client;
mod erasure;
mod error;
mod options;
pub mod results;
mod wire;

use std::ops::RangeInclusive;
use std::time::Duration;

use kyc_core::{Capabilities, Field, KindCapabilities, Locale};
use strum::IntoEnumIterator;

pub use client::{API_VERSION, Onfido, OnfidoBuilder, Region};
pub use error::{DELETION_INCOMPLETE_CHECKS, RESOURCE_NOT_FOUND, VALIDATION_ERROR};
pub use options::{
    ConsentName, OPTIONS_KEY, OnfidoAddress, OnfidoConsent, OnfidoLocation, OnfidoOptions,
};
pub use results::{OnfidoWebhookFormat, OnfidoWebhooks};

/// The provider's default name.
pub const PROVIDER: &str = "onfido";

/// The link validity sent when a request sets none (`link.expires_at` seven days on): Onfido
/// documents no default, and a person given a link by email may take days to use it.
pub const DEFAULT_LINK_VALIDITY: Duration = Duration::from_secs(7 * 24 * 3600);

/// The link validities this adapter sends: one minute to 30 days. Onfido documents no bounds;
/// its hosted link's SDK token has been seen to last 35 days, so 30 stays inside it.
pub const LINK_VALIDITY: RangeInclusive<Duration> =
    Duration::from_secs(60)..=Duration::from_secs(30 * 24 * 3600);

/// What an Onfido client can honour: identity sessions with names (required), date of birth,
/// email and phone, seven languages, a success redirect, tags, the link validity, and erasure.
/// The table a client declares, readable without one.
///
/// ```
/// use kyc_core::{Field, VerificationKind};
/// let caps = kyc_onfido::capabilities();
/// let identity = caps.for_kind(VerificationKind::Identity).unwrap();
/// assert!(identity.supports(Field::FirstName) && !identity.supports(Field::Address));
/// assert!(identity.erasure);
/// assert!(caps.for_kind(VerificationKind::Business).is_none());
/// ```
pub fn capabilities() -> Capabilities {
    let identity = KindCapabilities::new()
        .with_required([Field::FirstName, Field::LastName])
        .with_fields([
            Field::DateOfBirth,
            Field::Email,
            Field::Phone,
            Field::Locale,
            Field::SuccessUrl,
            Field::Tags,
        ])
        .with_locales(Locale::iter().filter(|locale| wire::language(*locale).is_some()))
        .with_link_validity(LINK_VALIDITY)
        .with_default_link_validity(DEFAULT_LINK_VALIDITY)
        .with_max_tags(30)
        .with_max_chars(Field::Tags, 128)
        .with_erasure();
    Capabilities::new().with_identity(identity)
}

//! Acme's results: webhooks verified by `Acme-Signature` (the lowercase hex HMAC-SHA256 of the
//! raw body under the account's signing key), and polling `GET /v2/checks/{id}`. Both carry the
//! same check state, normalized once into a [`Decision`].
//!
//! | Acme `status` | neutral | final |
//! |---|---|---|
//! | `pending` (link not opened yet) | created | no |
//! | `in_progress` (the person opened the link) | started | no |
//! | `passed` | approved | yes |
//! | `failed` | declined | yes |
//! | `expired` | expired | yes |
//! | anything else | unknown (the word kept in `vendor_status`) | no |

use async_trait::async_trait;
use http::HeaderMap;

use kyc::{
    Decision, Error, Feature, Reason, SessionRef, Status, VerificationKind, VerificationResults,
    WebhookEvent, WebhookVerifier,
};
use kyc_adapter::ErrorExt;
use kyc_adapter::decode::{undecodable, undecodable_webhook};
use kyc_adapter::webhook::{WebhookFormat, Webhooks};

use super::wire::CheckState;
use super::{Acme, PROVIDER};

/// The variable holding the webhook signing keys (several, comma-separated, for rotation), read
/// by `AcmeBuilder::from_vars` and `AcmeWebhooks::from_vars`.
pub(crate) const WEBHOOK_KEYS_VAR: &str = "ACME_WEBHOOK_KEYS";

/// Verifies Acme's signed webhooks, built from the signing key(s) alone (Acme dashboard →
/// Webhooks): an endpoint that only receives results needs no API key. The kit's verifier does
/// the size cap and the signature check, against every key added (so keys can be rotated),
/// before [`AcmeWebhookFormat`] reads a byte; `Debug` prints how many keys there are, never one.
pub type AcmeWebhooks = Webhooks<AcmeWebhookFormat>;

/// What is Acme's in a webhook: the `Acme-Signature` header, the keys variable, the payload.
#[derive(Debug)]
pub struct AcmeWebhookFormat;

impl WebhookFormat for AcmeWebhookFormat {
    const PROVIDER: &'static str = PROVIDER;
    const SIGNATURE_HEADER: &'static str = "acme-signature";
    const KEYS_VAR: &'static str = WEBHOOK_KEYS_VAR;

    /// Called only for a delivery whose signature matched. Acme sends one kind of event, a
    /// check's state; a vendor with others would return them as `WebhookEvent::Notice`.
    fn event(name: &str, _: &HeaderMap, body: &[u8]) -> Result<WebhookEvent, Error> {
        let state: CheckState =
            serde_json::from_slice(body).map_err(|e| undecodable_webhook(name, &e))?;
        if state.check_id.trim().is_empty() {
            return Err(Error::invalid_payload(name, "a webhook without check_id"));
        }
        Ok(decision_from(name, state).into())
    }
}

/// The neutral status, and whether it is final, of an Acme status word.
pub(crate) fn status_of(word: &str) -> (Status, bool) {
    match word {
        "pending" => (Status::Created, false),
        "in_progress" => (Status::Started, false),
        "passed" => (Status::Approved, true),
        "failed" => (Status::Declined, true),
        "expired" => (Status::Expired, true),
        _ => (Status::Unknown, false),
    }
}

/// The decision a webhook or a poll carries, from `name`.
fn decision_from(name: &str, state: CheckState) -> Decision {
    let (status, is_final) = status_of(&state.status);
    let mut decision = Decision::new(name, state.check_id, status, state.status, is_final);
    decision.event = state.event;
    decision.client_id = state.reference;
    decision.decided_at = state.decided_at;
    decision.reason = state.reason.map(|code| Reason::new(Some(code), None));
    decision
}

impl WebhookVerifier for Acme {
    fn verify_webhook(&self, headers: &HeaderMap, body: &[u8]) -> Result<WebhookEvent, Error> {
        self.inner.webhooks.verify_webhook(headers, body)
    }
}

#[async_trait]
impl VerificationResults for Acme {
    /// `GET {base}/v2/checks/{id}`. Acme always has a status to report, so this is `Some` for
    /// every check it knows; an unknown id is its `404 check_not_found`. Acme verifies people
    /// only: a business session is not its to poll.
    async fn poll_decision(&self, session: &SessionRef) -> Result<Option<Decision>, Error> {
        let name = self.inner.http.name();
        if session.kind != VerificationKind::Identity {
            return Err(Error::unsupported(name, Feature::Kind(session.kind)));
        }
        let mut url = self.inner.http.endpoint("/v2/checks");
        // Pushed as a segment, so an id with `/` or `?` cannot reach another endpoint.
        url.path_segments_mut()
            .map_err(|()| Error::config(name, "the base URL cannot take a path"))?
            .push(&session.id);
        let answer = self.exchange(self.inner.http.request(reqwest::Method::GET, url)).await?;
        let state: CheckState = serde_json::from_slice(&answer.body)
            .map_err(|e| undecodable(name, answer.status, &e))?;
        Ok(Some(decision_from(name, state)))
    }
}

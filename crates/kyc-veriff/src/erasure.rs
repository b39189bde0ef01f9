//! Deleting a session at Veriff: `DELETE {base}/v1/sessions/{id}`, with `X-AUTH-CLIENT` and
//! `X-HMAC-SIGNATURE` over the session id, as for reading a decision
//! (<https://devdocs.veriff.com/apidocs/v1sessionsid-3>). The session is gone from the API and
//! the Customer Portal at once, and its data within 12 hours.
//!
//! Veriff enables the endpoint per integration on request ("The endpoint is not available by
//! default") and limits it to 5 sessions per hour and 10 per 24 hours. How each refusal is
//! classified is in the crate's error table ([`crate`] docs).

use async_trait::async_trait;
use reqwest::Method;

use kyc_core::{Error, SessionErasure, SessionRef};

use crate::Veriff;
use crate::client::Signed;

#[async_trait]
impl SessionErasure for Veriff {
    /// One signed `DELETE`, never retried: a second one would count against Veriff's quota.
    /// Veriff's answer (`{status: "success", verification: {id}}`) is not read: the 2xx is the
    /// deletion.
    ///
    /// # Errors
    /// `Unsupported` for a business session; `InvalidRequest` naming `sessionId` for an id that
    /// cannot be Veriff's; `Config` without a shared secret (nothing sent for any of these);
    /// Veriff's refusals as the error table in the crate docs says.
    async fn erase_session(&self, session: &SessionRef) -> Result<(), Error> {
        let url = self.session_endpoint(session, &[])?;
        let request = self.inner.http.request(Method::DELETE, url);
        self.exchange(request, Signed::SessionId(&session.id)).await.map(drop)
    }
}

//! Erasing a session's personal data at iDenfy (the GDPR's right to erasure).
//!
//! - Identity sessions: `POST /api/v2/delete` with `{"scanRef": …}`, which "removes data from
//!   iDenfy's system including client photos of their document and face, parsed document
//!   information, names, surnames, and other personal data"; success is "no message body — just
//!   a response with a 200 status code", so the body of a success is never decoded. Until the
//!   session's token has expired iDenfy refuses with `PARTNER_ERROR` "Token has not expired
//!   yet." (<https://documentation.idenfy.com/kyc/deletion>), reported as
//!   [`Conflict`](kyc_core::ErrorKind::Conflict) with iDenfy's code and message attached: ask
//!   again once the link has expired.
//! - Business sessions: `DELETE /kyb/companies/{id}/`, answered `204` "No response body"
//!   (<https://documentation.idenfy.com/openapi/kyb.yaml>); a `COMPANY_DELETE` webhook follows.
//!
//! Every other refusal maps as any iDenfy error ([`crate::error`]). One request, never retried:
//! an erasure is not undone, and a repeat is the caller's decision.

use async_trait::async_trait;
use reqwest::Method;
use tracing::Instrument;

use kyc_adapter::ErrorExt;
use kyc_core::{Error, Feature, SessionErasure, SessionRef, VerificationKind, VerificationSession};

use crate::Idenfy;
use crate::client::checked_id;
use crate::error::Call;
use crate::wire::scan_ref_body;

#[async_trait]
impl SessionErasure for Idenfy {
    async fn erase_session(&self, session: &SessionRef) -> Result<(), Error> {
        let name = self.provider();
        let id = checked_id(session)?;
        let span = tracing::info_span!("kyc.erase_session", provider = %name, kind = %session.kind);
        async {
            let call = Call::Erase(session.kind);
            match session.kind {
                VerificationKind::Identity => {
                    let body = Some(scan_ref_body(id));
                    self.send(Method::POST, "/api/v2/delete", call, body).await?;
                }
                VerificationKind::Business => {
                    let path = format!("/kyb/companies/{id}/");
                    self.send(Method::DELETE, &path, call, None).await?;
                }
                other => return Err(Error::unsupported(name, Feature::Kind(other))),
            }
            Ok(())
        }
        .instrument(span)
        .await
    }
}

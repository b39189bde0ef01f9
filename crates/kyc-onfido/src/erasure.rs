//! Erasing a session at Onfido: its applicant's deletion, `DELETE /applicants/{id}`
//! (<https://documentation.onfido.com/api/latest/#delete-applicant>), the applicant found from
//! the workflow run (`GET /workflow_runs/{id}`, its `applicant_id`). Onfido deletes the
//! applicant "and all associated documents, photos, videos, checks, and reports" after the
//! account's deletion delay, during which `POST /applicants/{id}/restore` can undo it; an
//! applicant without checks goes at once
//! (<https://documentation.onfido.com/guide/data-deletion/>). Every run of the applicant goes
//! with it.

use async_trait::async_trait;

use kyc_adapter::ErrorExt;
use kyc_core::{Error, SessionErasure, SessionRef};

use crate::Onfido;

#[async_trait]
impl SessionErasure for Onfido {
    /// Two calls: the run, to learn its applicant, then the applicant's deletion (204; a 404
    /// there counts as done). Never retried on its own.
    ///
    /// # Errors
    /// `Unsupported` for a business session, `InvalidRequest` naming `sessionId` for an id that
    /// is no UUID (nothing sent); `Conflict` while the applicant's checks run
    /// (`deletion_incomplete_checks`); Onfido's other refusals as the crate's error table says
    /// (a run already erased reads as 404).
    async fn erase_session(&self, session: &SessionRef) -> Result<(), Error> {
        let name = self.inner.http.name();
        let (status, run) = self.workflow_run(session).await?;
        let applicant = run
            .applicant_id
            .filter(|id| kyc_adapter::is_uuid(id))
            .ok_or_else(|| Error::decode(name, status, "applicant_id is missing or not a UUID"))?;
        self.delete_applicant(&applicant).await?;
        tracing::info!(provider = %name, applicant_id = %applicant, "applicant deleted");
        Ok(())
    }
}

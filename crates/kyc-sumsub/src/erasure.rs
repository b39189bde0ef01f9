//! Erasure, declared unsupported: Sumsub's API can only deactivate an applicant
//! (<https://docs.sumsub.com/reference/deactivate-applicant-profile>), which is reversible and
//! deletes nothing (the crate documentation says more).

use async_trait::async_trait;
use kyc_adapter::ErrorExt;
use kyc_core::{Error, Feature, SessionErasure, SessionRef, VerificationSession};

use crate::Sumsub;

#[async_trait]
impl SessionErasure for Sumsub {
    /// Refuses, before sending: Sumsub offers no erasure through its API.
    async fn erase_session(&self, _: &SessionRef) -> Result<(), Error> {
        Err(Error::unsupported(self.provider(), Feature::Erasure))
    }
}

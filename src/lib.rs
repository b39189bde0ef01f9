#![doc = include_str!("../README.md")]

pub use kyc_core::*;

/// The iDenfy adapter (feature `idenfy`, on by default).
#[cfg(feature = "idenfy")]
pub mod idenfy {
    pub use kyc_idenfy::*;
}

#[cfg(feature = "idenfy")]
pub use kyc_idenfy::{Idenfy, IdenfyBuilder, IdenfyOptions};

/// The Veriff adapter (feature `veriff`, on by default).
#[cfg(feature = "veriff")]
pub mod veriff {
    pub use kyc_veriff::*;
}

#[cfg(feature = "veriff")]
pub use kyc_veriff::{Veriff, VeriffBuilder, VeriffOptions};

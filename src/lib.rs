#![doc = include_str!("../README.md")]

pub use kyc_core::*;

/// The iDenfy adapter (feature `idenfy`, on by default).
#[cfg(feature = "idenfy")]
pub mod idenfy {
    pub use kyc_idenfy::*;
}

#[cfg(feature = "idenfy")]
pub use kyc_idenfy::{Idenfy, IdenfyBuilder, IdenfyOptions};

#![doc = include_str!("../README.md")]

pub use kyc_core::*;

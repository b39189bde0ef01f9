//! One module per command. Each checks what it was given, does its work through the vendor
//! registry, prints through [`output`](crate::output), and returns a
//! [`Failure`](crate::exit::Failure) for the one exit-code mapping.

pub(crate) mod compare;
pub(crate) mod emulator;
pub(crate) mod providers;
pub(crate) mod session_create;
pub(crate) mod session_erase;
pub(crate) mod session_list;
pub(crate) mod session_show;
pub(crate) mod session_status;
pub(crate) mod webhook_verify;

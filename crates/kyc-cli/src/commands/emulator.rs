//! `kyc emulator`: every vendor's emulator in the foreground, with the variables that point a
//! client (or another `kyc`) at it, until Ctrl-C.

use std::net::SocketAddr;

use kyc_emulator::Emulator;

use crate::exit::Failure;
use crate::output;

/// Runs the command.
pub(crate) async fn run(listen: SocketAddr) -> Result<(), Failure> {
    let emulator = Emulator::builder()
        .with_listen(listen)
        .start()
        .await
        .map_err(|error| Failure::Config(format!("cannot listen on {listen}: {error}")))?;
    output::emulator_listening(emulator.address(), &emulator.vars());
    let _ = tokio::signal::ctrl_c().await;
    emulator.stop().await;
    Ok(())
}

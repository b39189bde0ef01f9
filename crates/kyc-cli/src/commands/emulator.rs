//! `kyc emulator`: every vendor's emulator in the foreground, with the variables that point a
//! client (or another `kyc`) at it, until Ctrl-C.

use kyc_emulator::Emulator;

use crate::args::EmulatorArgs;
use crate::exit::Failure;
use crate::output;

/// Runs the command.
pub(crate) async fn run(args: EmulatorArgs) -> Result<(), Failure> {
    let EmulatorArgs {
        listen,
        idenfy_webhook_url,
        veriff_webhook_url,
        sumsub_webhook_url,
        onfido_webhook_url,
    } = args;
    let mut builder = Emulator::builder().with_listen(listen);
    if let Some(url) = idenfy_webhook_url {
        builder = builder.with_idenfy_webhook_url(url.as_str());
    }
    if let Some(url) = veriff_webhook_url {
        builder = builder.with_veriff_webhook_url(url.as_str());
    }
    if let Some(url) = sumsub_webhook_url {
        builder = builder.with_sumsub_webhook_url(url.as_str());
    }
    if let Some(url) = onfido_webhook_url {
        builder = builder.with_onfido_webhook_url(url.as_str());
    }
    let emulator = builder
        .start()
        .await
        .map_err(|error| Failure::Config(format!("cannot listen on {listen}: {error}")))?;
    output::emulator_listening(emulator.address(), &emulator.vars());
    let _ = tokio::signal::ctrl_c().await;
    emulator.stop().await;
    Ok(())
}

//! The built-in emulator, for the examples that run offline: it hands out the environment a
//! deployment would have (`RunningEmulator::vars`), and the adapters are configured from it
//! exactly as from the process environment.

use kyc_emulator::RunningEmulator;

/// Both adapters, configured from `emulator`'s variables through the adapters' own
/// `from_vars`, as `from_env` configures them from the real environment.
pub(crate) fn adapters(
    emulator: &RunningEmulator,
) -> Result<(kyc::Idenfy, kyc::Veriff), kyc::Error> {
    let idenfy = kyc::IdenfyBuilder::from_vars(emulator.vars())?.build()?;
    let veriff = kyc::VeriffBuilder::from_vars(emulator.vars())?.build()?;
    Ok((idenfy, veriff))
}

/// Sumsub, configured from `emulator`'s variables as the other two.
#[allow(dead_code)] // each example uses the vendors it shows
pub(crate) fn sumsub(emulator: &RunningEmulator) -> Result<kyc::Sumsub, kyc::Error> {
    kyc::SumsubBuilder::from_vars(emulator.vars())?.build()
}

/// Onfido, configured from `emulator`'s variables as the others.
#[allow(dead_code)] // each example uses the vendors it shows
pub(crate) fn onfido(emulator: &RunningEmulator) -> Result<kyc::Onfido, kyc::Error> {
    kyc::OnfidoBuilder::from_vars(emulator.vars())?.build()
}

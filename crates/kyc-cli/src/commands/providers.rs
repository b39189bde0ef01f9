//! `kyc providers`: what each vendor can honour, side by side, from the adapters' published
//! capability tables (no client, so no credentials, needed).

use crate::args::MatrixOutput;
use crate::output::matrix;
use crate::vendors::VENDORS;

/// Runs the command.
pub(crate) fn run(output: MatrixOutput) {
    let columns: Vec<matrix::Column> =
        VENDORS.iter().map(|vendor| (vendor, (vendor.capabilities)())).collect();
    matrix::print(&columns, output);
}

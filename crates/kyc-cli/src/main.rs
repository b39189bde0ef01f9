//! `kyc`: a verification link from a terminal, on any vendor, with failover; emailed if asked;
//! vendors compared; webhooks verified and sessions polled. The job the vendors' dashboards do
//! by hand (iDenfy's, for one:
//! <https://documentation.idenfy.com/guides/dashboard/kyc/new-verification-via-dashboard>).
//!
//! Exit status: 0 created (`compare`: at least one vendor created); 2 invalid input or
//! unsupported (nothing sent); 3 authentication or configuration problem; 4 every provider
//! failed otherwise (`compare`: none created); 5 the session was created but the email was not
//! sent. `session erase` reads them its own way (2 refused for now, 3 not enabled or not
//! authorized). Each command's `--help` lists its own, from [`exit`].
//!
//! `kyc serve` ([`serve`]) does the same in a browser, for every vendor at once, and receives
//! their webhooks.
//!
//! This file parses and dispatches; each command is a module of [`commands`], the vendors are
//! the entries of [`vendors`], what is printed is [`output`]'s, and the exit status is
//! [`exit`]'s.

mod args;
mod commands;
mod email;
mod exit;
mod ledger;
mod output;
mod random;
mod serve;
mod vendors;

use std::process::ExitCode;

use clap::Parser;

use crate::args::{Cli, Command, SessionCommand, WebhookCommand};
use crate::commands::{
    compare, emulator, providers, session_create, session_erase, session_list, session_show,
    session_status, webhook_verify,
};

#[tokio::main]
async fn main() -> ExitCode {
    let outcome = match Cli::try_parse() {
        Ok(cli) => match cli.command {
            Command::Session(SessionCommand::Create(args)) => session_create::run(*args).await,
            Command::Session(SessionCommand::Status(at)) => {
                session_status::run(at.provider, &at.session(), at.output).await
            }
            Command::Session(SessionCommand::List(args)) => session_list::run(&args).await,
            Command::Session(SessionCommand::Show(args)) => session_show::run(&args).await,
            Command::Session(SessionCommand::Erase(at)) => {
                session_erase::run(at.provider, &at.session(), at.output).await
            }
            Command::Webhook(WebhookCommand::Verify { provider, headers, body, output }) => {
                webhook_verify::run(provider, &headers, body.as_deref(), output).await
            }
            Command::Providers { output } => {
                providers::run(output);
                Ok(())
            }
            Command::Compare { request, output } => compare::run(&request, output).await,
            Command::Emulator(args) => emulator::run(*args).await,
            Command::Serve(args) => serve::run(args).await,
        },
        Err(error) => args::refusal(&error),
    };
    match outcome {
        Ok(()) => ExitCode::SUCCESS,
        Err(failure) => {
            output::failure(&failure);
            ExitCode::from(exit::status(&failure))
        }
    }
}

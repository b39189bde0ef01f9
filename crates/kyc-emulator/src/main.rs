//! `kyc-emulator`: serve the iDenfy, Veriff, Sumsub and Onfido emulator until interrupted.
//!
//! ```sh
//! kyc-emulator --listen 127.0.0.1:8080
//! ```

use std::net::SocketAddr;
use std::process::ExitCode;

use clap::Parser;

/// A local stand-in for the iDenfy, Veriff, Sumsub and Onfido APIs.
#[derive(Debug, Parser)]
#[command(version, about)]
struct Args {
    /// The address to listen on.
    #[arg(long, env = "KYC_EMULATOR_LISTEN", default_value = "127.0.0.1:8080")]
    listen: SocketAddr,
    /// The iDenfy API key to accept.
    #[arg(long, env = "KYC_EMULATOR_IDENFY_KEY", default_value = kyc_emulator::DEFAULT_IDENFY_KEY)]
    idenfy_key: String,
    /// The iDenfy API secret to accept.
    #[arg(long, env = "KYC_EMULATOR_IDENFY_SECRET", default_value = kyc_emulator::DEFAULT_IDENFY_SECRET)]
    idenfy_secret: String,
    /// The Veriff API key to accept.
    #[arg(long, env = "KYC_EMULATOR_VERIFF_KEY", default_value = kyc_emulator::DEFAULT_VERIFF_KEY)]
    veriff_key: String,
    /// The Veriff shared secret.
    #[arg(long, env = "KYC_EMULATOR_VERIFF_SECRET", default_value = kyc_emulator::DEFAULT_VERIFF_SECRET)]
    veriff_secret: String,
    /// The Sumsub app token to accept (`sbx:` for a sandbox one).
    #[arg(long, env = "KYC_EMULATOR_SUMSUB_APP_TOKEN", default_value = kyc_emulator::DEFAULT_SUMSUB_APP_TOKEN)]
    sumsub_app_token: String,
    /// The Sumsub secret key requests are signed with.
    #[arg(long, env = "KYC_EMULATOR_SUMSUB_SECRET_KEY", default_value = kyc_emulator::DEFAULT_SUMSUB_SECRET_KEY)]
    sumsub_secret_key: String,
    /// The Sumsub individual (KYC) level links may ask for.
    #[arg(long, env = "KYC_EMULATOR_SUMSUB_LEVEL_NAME", default_value = kyc_emulator::DEFAULT_SUMSUB_LEVEL_NAME)]
    sumsub_level_name: String,
    /// The Sumsub company (KYB) level links may ask for.
    #[arg(long, env = "KYC_EMULATOR_SUMSUB_KYB_LEVEL_NAME", default_value = kyc_emulator::DEFAULT_SUMSUB_KYB_LEVEL_NAME)]
    sumsub_kyb_level_name: String,
    /// The secret Sumsub's webhooks are signed with.
    #[arg(long, env = "KYC_EMULATOR_SUMSUB_WEBHOOK_SECRET", default_value = kyc_emulator::DEFAULT_SUMSUB_WEBHOOK_SECRET)]
    sumsub_webhook_secret: String,
    /// The Onfido API token to accept (`api_sandbox…` for a sandbox one).
    #[arg(long, env = "KYC_EMULATOR_ONFIDO_API_TOKEN", default_value = kyc_emulator::DEFAULT_ONFIDO_API_TOKEN)]
    onfido_api_token: String,
    /// The id of the Onfido Studio workflow runs may be made of.
    #[arg(long, env = "KYC_EMULATOR_ONFIDO_WORKFLOW_ID", default_value = kyc_emulator::DEFAULT_ONFIDO_WORKFLOW_ID)]
    onfido_workflow_id: String,
    /// The token Onfido's webhooks are signed with.
    #[arg(long, env = "KYC_EMULATOR_ONFIDO_WEBHOOK_TOKEN", default_value = kyc_emulator::DEFAULT_ONFIDO_WEBHOOK_TOKEN)]
    onfido_webhook_token: String,
    /// Where iDenfy's webhooks go (KYC and KYB).
    #[arg(long, env = "KYC_EMULATOR_IDENFY_WEBHOOK_URL")]
    idenfy_webhook_url: Option<String>,
    /// Where Veriff's webhooks go.
    #[arg(long, env = "KYC_EMULATOR_VERIFF_WEBHOOK_URL")]
    veriff_webhook_url: Option<String>,
    /// Where Sumsub's webhooks go.
    #[arg(long, env = "KYC_EMULATOR_SUMSUB_WEBHOOK_URL")]
    sumsub_webhook_url: Option<String>,
    /// Where Onfido's webhooks go.
    #[arg(long, env = "KYC_EMULATOR_ONFIDO_WEBHOOK_URL")]
    onfido_webhook_url: Option<String>,
    /// How long a review takes, in milliseconds (`approve_after_review`,
    /// `decline_after_review`).
    #[arg(long, env = "KYC_EMULATOR_REVIEW_TIME_MS", default_value_t = 0)]
    review_time_ms: u64,
    /// Answer Veriff's session deletion with 403, as an integration without it enabled.
    #[arg(long, env = "KYC_EMULATOR_NO_VERIFF_DELETION")]
    no_veriff_deletion: bool,
}

#[tokio::main]
async fn main() -> ExitCode {
    let args = Args::parse();
    let mut builder = kyc_emulator::Emulator::builder()
        .with_listen(args.listen)
        .with_idenfy_credentials(&args.idenfy_key, &args.idenfy_secret)
        .with_veriff_credentials(&args.veriff_key, &args.veriff_secret)
        .with_sumsub_credentials(&args.sumsub_app_token, &args.sumsub_secret_key)
        .with_sumsub_level_name(&args.sumsub_level_name)
        .with_sumsub_kyb_level_name(&args.sumsub_kyb_level_name)
        .with_sumsub_webhook_secret(&args.sumsub_webhook_secret)
        .with_onfido_api_token(&args.onfido_api_token)
        .with_onfido_workflow_id(&args.onfido_workflow_id)
        .with_onfido_webhook_token(&args.onfido_webhook_token)
        .with_review_time(std::time::Duration::from_millis(args.review_time_ms))
        .with_veriff_deletion(!args.no_veriff_deletion);
    if let Some(url) = &args.idenfy_webhook_url {
        builder = builder.with_idenfy_webhook_url(url);
    }
    if let Some(url) = &args.veriff_webhook_url {
        builder = builder.with_veriff_webhook_url(url);
    }
    if let Some(url) = &args.sumsub_webhook_url {
        builder = builder.with_sumsub_webhook_url(url);
    }
    if let Some(url) = &args.onfido_webhook_url {
        builder = builder.with_onfido_webhook_url(url);
    }
    let started = builder.start().await;
    let emulator = match started {
        Ok(emulator) => emulator,
        Err(error) => {
            eprintln!("error: cannot listen on {}: {error}", args.listen);
            return ExitCode::from(2);
        }
    };
    // The emulator's credentials are made up for local use; printing them is its job.
    println!("kyc-emulator listening on http://{}", emulator.address());
    println!();
    // What the adapters' `from_env` read, ready to paste into a shell or an `.env` file.
    for (name, value) in emulator.vars() {
        println!("{name}={value}");
    }
    println!();
    println!(
        "faults: PUT http://{}/__emulator/faults/{{idenfy|veriff|sumsub|onfido}}",
        emulator.address()
    );
    if tokio::signal::ctrl_c().await.is_err() {
        eprintln!("error: cannot wait for Ctrl-C");
    }
    emulator.stop().await;
    ExitCode::SUCCESS
}

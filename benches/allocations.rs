//! Heap allocations per session, the library's against the hand-written call's (`common`), and
//! the ledger's over the in-memory store on top: each vendor's `create_session` on loopback,
//! one at a time. The server runs in a child process (this binary, `--serve`), so every
//! allocation counted is the client's: the call, reqwest and hyper under it.
//!
//! ```sh
//! cargo bench --bench allocations
//! ```
//!
//! `--profile SIDE VENDOR SECONDS` (SIDE `kyc`, `baseline` or `ledger`) only makes calls for
//! that long, 16 at a time, for a profiler to watch (see BENCHMARKS.md):
//!
//! ```sh
//! perf record -g -- target/release/deps/allocations-* --profile kyc veriff 10
//! ```

mod common;

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use common::{Call, Vendor};
use stats_alloc::{INSTRUMENTED_SYSTEM, Region, StatsAlloc};

#[global_allocator]
static GLOBAL: &StatsAlloc<std::alloc::System> = &INSTRUMENTED_SYSTEM;

const SESSIONS: usize = 2000;
/// Calls in flight under `--profile`: enough to keep the client busy, so the profile shows
/// the work of a loaded client, with warm caches.
const PROFILE_CONCURRENCY: usize = 16;

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("rt");
    if args.iter().any(|arg| arg == "--serve") {
        return runtime.block_on(serve());
    }
    let (mut server, base) = start_child();
    match args.iter().position(|arg| arg == "--profile") {
        Some(at) => {
            let side = args.get(at + 1).map(String::as_str).unwrap_or("kyc");
            let vendor = args.get(at + 2).and_then(|name| Vendor::parse(name));
            let seconds = args.get(at + 3).and_then(|s| s.parse().ok()).unwrap_or(10);
            let vendor = vendor.expect("--profile SIDE VENDOR SECONDS");
            let call = side_call(side, vendor, &base);
            runtime.block_on(async {
                let until = Instant::now() + Duration::from_secs(seconds);
                let mut loops = tokio::task::JoinSet::new();
                for _ in 0..PROFILE_CONCURRENCY {
                    let call = std::sync::Arc::clone(&call);
                    loops.spawn(async move {
                        let mut sessions = 0u64;
                        while Instant::now() < until {
                            call().await;
                            sessions += 1;
                        }
                        sessions
                    });
                }
                let sessions: u64 = loops.join_all().await.into_iter().sum();
                println!("{sessions} sessions through {side} {}", vendor.name());
            });
        }
        None => runtime.block_on(count(&base)),
    }
    let _ = server.kill();
}

fn side_call(side: &str, vendor: Vendor, base: &str) -> Call {
    match side {
        "baseline" => vendor.baseline(base),
        "ledger" => vendor.ledger(base),
        _ => vendor.library(base),
    }
}

async fn count(base: &str) {
    println!(
        "| vendor | hand-written reqwest | kyc | kyc + ledger | added by kyc | added by the ledger |"
    );
    println!("|---|---|---|---|---|---|");
    for vendor in Vendor::ALL {
        let mut per_session = [(0.0, 0.0); 3];
        for (slot, side) in ["baseline", "kyc", "ledger"].into_iter().enumerate() {
            let call = side_call(side, vendor, base);
            for _ in 0..200 {
                call().await;
            }
            let region = Region::new(GLOBAL);
            for _ in 0..SESSIONS {
                call().await;
            }
            let stats = region.change();
            let sessions = SESSIONS as f64;
            per_session[slot] = (
                (stats.allocations + stats.reallocations) as f64 / sessions,
                stats.bytes_allocated as f64 / sessions,
            );
        }
        let show = |(allocations, bytes): (f64, f64)| format!("{allocations:.1} ({bytes:.0} B)");
        let [baseline, library, ledger] = per_session;
        println!(
            "| {} | {} | {} | {} | {:+.1} | {:+.1} |",
            vendor.name(),
            show(baseline),
            show(library),
            show(ledger),
            library.0 - baseline.0,
            ledger.0 - library.0,
        );
    }
}

/// The bench server in its own process; its base URL on the first line of stdout.
async fn serve() {
    let base = common::start_server().await;
    println!("{base}");
    // Ends with the parent: its stdin closes.
    tokio::task::spawn_blocking(|| std::io::stdin().lines().count()).await.expect("stdin");
}

fn start_child() -> (std::process::Child, String) {
    let mut child = Command::new(std::env::current_exe().expect("this binary"))
        .arg("--serve")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("server process");
    let mut line = String::new();
    BufReader::new(child.stdout.take().expect("stdout")).read_line(&mut line).expect("base URL");
    (child, line.trim().to_owned())
}

//! What the library costs on top of a hand-written reqwest call: `create_session` through each
//! adapter against the same minimal local server as the vendor's minimum written by hand
//! (`common`), in the same run, and what the ledger over its in-memory store costs on top of
//! the adapter. Latency p50 and p99 one call at a time; throughput at 1, 16 and 64 concurrent
//! calls; each as a ratio, with a pass or miss line per target:
//!
//! - the library against the baseline: latency at most 1.05×, throughput at least 0.95×;
//! - the ledger against the library alone: the same bounds (another 5% at most).
//!
//! Client and server share the machine's cores, so a single measurement drifts with whatever
//! else runs: the sides alternate within each round (the order rotating), each round gives its
//! own ratios, and the median round is reported with the spread of the rounds.
//!
//! ```sh
//! cargo bench --bench overhead
//! cargo bench --bench overhead -- veriff onfido   # some vendors only
//! ```

mod common;

use std::time::{Duration, Instant};

use common::{Call, Vendor};

const SEQUENTIAL: usize = 1000;
const CONCURRENT_TOTAL: usize = 2048;
const ROUNDS: usize = 11;
const CONCURRENCY: [usize; 3] = [1, 16, 64];
const LATENCY_BOUND: f64 = 1.05;
const THROUGHPUT_BOUND: f64 = 0.95;

fn main() {
    let only: Vec<Vendor> = std::env::args()
        .skip(1)
        .filter(|arg| !arg.starts_with('-'))
        .filter_map(|arg| Vendor::parse(&arg))
        .collect();
    let vendors = match only.is_empty() {
        true => Vendor::ALL.to_vec(),
        false => only,
    };
    let runtime =
        tokio::runtime::Builder::new_multi_thread().enable_all().build().expect("runtime");
    // On a worker thread, as an application's handler would be: a future driven by
    // `block_on` on the main thread pays a cross-thread wakeup per I/O event.
    let misses = runtime.block_on(async { tokio::spawn(run(vendors)).await.expect("bench") });
    println!();
    match misses {
        0 => println!("every target met"),
        n => println!("{n} targets missed"),
    }
}

/// One side's measurements in one round.
#[derive(Clone, Copy, Default)]
struct Measures {
    p50: Duration,
    p99: Duration,
    rates: [f64; 3],
}

async fn run(vendors: Vec<Vendor>) -> usize {
    let base = common::start_server().await;
    let mut misses = 0;
    println!(
        "| vendor | measure | hand-written reqwest | kyc | ratio | target | kyc + ledger | ratio to kyc | target |"
    );
    println!("|---|---|---|---|---|---|---|---|---|");
    for vendor in vendors {
        let sides = [vendor.baseline(&base), vendor.library(&base), vendor.ledger(&base)];
        for side in &sides {
            sequential(side, 300).await; // warm the connection pools
        }
        let mut rounds: Vec<[Measures; 3]> = Vec::with_capacity(ROUNDS);
        for round in 0..ROUNDS {
            let mut measures = [Measures::default(); 3];
            for turn in 0..sides.len() {
                let side = (round + turn) % sides.len();
                let timings = sequential(&sides[side], SEQUENTIAL).await;
                measures[side].p50 = percentile(&timings, 0.50);
                measures[side].p99 = percentile(&timings, 0.99);
            }
            for (slot, concurrency) in CONCURRENCY.into_iter().enumerate() {
                for turn in 0..sides.len() {
                    let side = (round + turn) % sides.len();
                    measures[side].rates[slot] = throughput(&sides[side], concurrency).await;
                }
            }
            rounds.push(measures);
        }
        let latency = |pick: fn(&Measures) -> Duration| {
            move |m: &[Measures; 3], side: usize| pick(&m[side]).as_secs_f64()
        };
        let mut rows: Vec<(String, Row)> = vec![
            ("latency p50".into(), Row::latency(&rounds, latency(|m| m.p50))),
            ("latency p99".into(), Row::latency(&rounds, latency(|m| m.p99))),
        ];
        for (slot, concurrency) in CONCURRENCY.into_iter().enumerate() {
            let rate = move |m: &[Measures; 3], side: usize| m[side].rates[slot];
            rows.push((format!("throughput at {concurrency}"), Row::throughput(&rounds, rate)));
        }
        for (name, row) in rows {
            misses += usize::from(!row.library.met) + usize::from(!row.ledger.met);
            println!(
                "| {} | {name} | {} | {} | {} | {} | {} | {} | {} |",
                vendor.name(),
                row.show(row.values[0]),
                row.show(row.values[1]),
                row.library.ratio_with_spread(),
                row.library.verdict(),
                row.show(row.values[2]),
                row.ledger.ratio_with_spread(),
                row.ledger.verdict(),
            );
        }
    }
    misses
}

/// A measure's median values (baseline, library, ledger) and its two ratios.
struct Row {
    values: [f64; 3],
    latency: bool,
    library: Ratio,
    ledger: Ratio,
}

/// A ratio's median over the rounds, its spread, and whether the median meets its bound.
struct Ratio {
    median: f64,
    low: f64,
    high: f64,
    bound: f64,
    met: bool,
}

impl Row {
    fn latency(rounds: &[[Measures; 3]], value: impl Fn(&[Measures; 3], usize) -> f64) -> Row {
        Self::new(rounds, value, true)
    }

    fn throughput(rounds: &[[Measures; 3]], value: impl Fn(&[Measures; 3], usize) -> f64) -> Row {
        Self::new(rounds, value, false)
    }

    fn new(
        rounds: &[[Measures; 3]],
        value: impl Fn(&[Measures; 3], usize) -> f64,
        latency: bool,
    ) -> Row {
        let values = [0, 1, 2].map(|side| median(rounds.iter().map(|m| value(m, side)).collect()));
        let ratio = |over: usize, under: usize| {
            let ratios: Vec<f64> =
                rounds.iter().map(|m| value(m, over) / value(m, under)).collect();
            let (low, high) =
                ratios.iter().fold((f64::MAX, f64::MIN), |(lo, hi), &r| (lo.min(r), hi.max(r)));
            let median = median(ratios);
            let (bound, met) = match latency {
                true => (LATENCY_BOUND, median <= LATENCY_BOUND),
                false => (THROUGHPUT_BOUND, median >= THROUGHPUT_BOUND),
            };
            Ratio { median, low, high, bound, met }
        };
        Row { values, latency, library: ratio(1, 0), ledger: ratio(2, 1) }
    }

    fn show(&self, value: f64) -> String {
        match self.latency {
            true => format!("{:.1} µs", value * 1e6),
            false => format!("{value:.0}/s"),
        }
    }
}

impl Ratio {
    fn ratio_with_spread(&self) -> String {
        format!("{:.3} [{:.3}, {:.3}]", self.median, self.low, self.high)
    }

    fn verdict(&self) -> String {
        let sign = if self.bound > 1.0 { "≤" } else { "≥" };
        let word = if self.met { "pass" } else { "miss" };
        format!("{sign} {:.2}: {word}", self.bound)
    }
}

fn median(mut values: Vec<f64>) -> f64 {
    values.sort_by(f64::total_cmp);
    values[values.len() / 2]
}

async fn sequential(call: &Call, count: usize) -> Vec<Duration> {
    let mut timings = Vec::with_capacity(count);
    for _ in 0..count {
        let started = Instant::now();
        call().await;
        timings.push(started.elapsed());
    }
    timings.sort();
    timings
}

fn percentile(sorted: &[Duration], pick: f64) -> Duration {
    sorted[((sorted.len() - 1) as f64 * pick).round() as usize]
}

async fn throughput(call: &Call, concurrency: usize) -> f64 {
    let started = Instant::now();
    let mut workers = tokio::task::JoinSet::new();
    for _ in 0..concurrency {
        let call = std::sync::Arc::clone(call);
        workers.spawn(async move {
            for _ in 0..CONCURRENT_TOTAL / concurrency {
                call().await;
            }
        });
    }
    while workers.join_next().await.is_some() {}
    (CONCURRENT_TOTAL / concurrency * concurrency) as f64 / started.elapsed().as_secs_f64()
}

//! What every benchmark binary shares: the criterion configuration, a
//! 64-byte user struct, the `#[syscall]` of the entry comparisons
//! ([`fstatx`]), and the table of ratios printed after a run.
//!
//! Each comparison of DESIGN.md's bars is one criterion group, so both
//! sides are measured in one run on the same machine, in [`ROUNDS`]
//! alternating rounds; [`report`] reads the medians criterion just wrote
//! and prints the median of the per-round `numerator / denominator` next
//! to the bar.
// Each benchmark binary uses a part of this module.
#![allow(dead_code)]

pub mod fstatx;

use std::{
    fmt::Display,
    path::PathBuf,
    time::{Duration, SystemTime},
};

use axptr::UserCopy;
use criterion::{BenchmarkGroup, BenchmarkId, Criterion, measurement::WallTime};

/// The page size of the user address spaces.
pub const PAGE: usize = 4096;

/// A 64-byte `stat`-like struct, the "small struct" of the validation and
/// syscall benchmarks.
#[derive(Clone, Copy, Debug, Default, UserCopy)]
#[repr(C)]
pub struct Stat64 {
    pub dev: u64,
    pub ino: u64,
    pub mode: u32,
    pub nlink: u32,
    pub uid: u32,
    pub gid: u32,
    pub size: i64,
    pub blocks: i64,
    pub atime: i64,
    pub mtime: i64,
}

const _: () = assert!(size_of::<Stat64>() == 64);

/// The configuration of every group: many short samples, since the other
/// core is shared with other work and medians need many of them.
pub fn criterion() -> Criterion {
    Criterion::default()
        .sample_size(200)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(4))
        .configure_from_args()
}

/// What a ratio must satisfy.
#[derive(Clone, Copy)]
pub enum Bar {
    /// `numerator / denominator <= x`.
    AtMost(f64),
    /// `numerator / denominator >= x`.
    AtLeast(f64),
    /// Reported, no bar.
    None,
}

/// How many alternating rounds each comparison runs. This machine's speed
/// shifts (by up to 2x, for seconds at a time: a shared VM), so the
/// contenders of a comparison are measured in turns (every other round in
/// reverse order), and the report takes the median of the per-round
/// ratios.
pub const ROUNDS: usize = 5;

/// Short measurements, since a group measures each contender [`ROUNDS`]
/// times.
pub fn rounds_config(group: &mut BenchmarkGroup<'_, WallTime>) {
    group
        .sample_size(100)
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_millis(1500));
}

/// The id of `function` in round `round` (from 1).
pub fn round_id(function: &str, round: usize) -> BenchmarkId {
    BenchmarkId::new(function, format!("round{round}"))
}

/// The id of `function` with `parameter` in round `round` (from 1).
pub fn round_param_id(function: &str, parameter: impl Display, round: usize) -> BenchmarkId {
    BenchmarkId::new(function, format!("{parameter}_round{round}"))
}

/// One row of the report: the medians of two benchmarks of one group, or
/// the median of their ratios over [`ROUNDS`] rounds.
pub struct Ratio {
    /// The criterion group.
    group: String,
    /// What the row shows.
    label: String,
    /// `function/parameter` of the numerator and denominator, per round.
    pairs: Vec<(String, String)>,
    /// The bar the ratio must meet.
    bar: Bar,
}

impl Ratio {
    /// `group/numerator` over `group/denominator` (ids as
    /// `function/parameter`).
    pub fn new(group: &str, numerator: &str, denominator: &str, bar: Bar) -> Self {
        Self {
            group: group.to_owned(),
            label: format!("{numerator} / {denominator}"),
            pairs: vec![(numerator.to_owned(), denominator.to_owned())],
            bar,
        }
    }

    /// `numerator` over `denominator`, each measured in [`ROUNDS`] rounds:
    /// a function measured with [`round_id`], or `function/parameter`
    /// measured with [`round_param_id`].
    pub fn rounds(group: &str, numerator: &str, denominator: &str, bar: Bar) -> Self {
        let id = |name: &str, round: usize| {
            if name.contains('/') {
                format!("{name}_round{round}")
            } else {
                format!("{name}/round{round}")
            }
        };
        Self {
            group: group.to_owned(),
            label: format!("{numerator} / {denominator}"),
            pairs: (1..=ROUNDS)
                .map(|round| (id(numerator, round), id(denominator, round)))
                .collect(),
            bar,
        }
    }
}

/// Where criterion writes its estimates (its own rules: `CRITERION_HOME`,
/// `CARGO_TARGET_DIR`, else the target directory this binary lives in).
fn criterion_dir() -> PathBuf {
    if let Some(home) = std::env::var_os("CRITERION_HOME") {
        return home.into();
    }
    if let Some(target) = std::env::var_os("CARGO_TARGET_DIR") {
        return PathBuf::from(target).join("criterion");
    }
    // target/<profile>/deps/<binary>
    std::env::current_exe()
        .ok()
        .and_then(|exe| Some(exe.parent()?.parent()?.parent()?.join("criterion")))
        .unwrap_or_else(|| PathBuf::from("target/criterion"))
}

/// The median time in ns of `group/id`, if criterion measured it since
/// `since` (a filtered or `--test` run leaves older estimates behind).
fn median_ns(group: &str, id: &str, since: SystemTime) -> Option<f64> {
    let path = criterion_dir()
        .join(group)
        .join(id)
        .join("new/estimates.json");
    if std::fs::metadata(&path).ok()?.modified().ok()? < since {
        return None;
    }
    let json: serde_json::Value = serde_json::from_slice(&std::fs::read(path).ok()?).ok()?;
    json["median"]["point_estimate"].as_f64()
}

fn fmt_ns(ns: f64) -> String {
    if ns < 1_000.0 {
        format!("{ns:.1} ns")
    } else {
        format!("{:.2} µs", ns / 1_000.0)
    }
}

fn median(values: &mut [f64]) -> f64 {
    values.sort_by(f64::total_cmp);
    let mid = values.len() / 2;
    if values.len() % 2 == 1 {
        values[mid]
    } else {
        (values[mid - 1] + values[mid]) / 2.0
    }
}

/// Prints the ratios of the benchmarks measured since `since` as a
/// Markdown table: medians of criterion's samples, and for rounds the
/// median of the per-round ratios (times: the medians over the rounds).
pub fn report(title: &str, ratios: &[Ratio], since: SystemTime) {
    let rows: Vec<String> = ratios
        .iter()
        .filter_map(|ratio| {
            let measured: Vec<(f64, f64)> = ratio
                .pairs
                .iter()
                .filter_map(|(num, den)| {
                    Some((
                        median_ns(&ratio.group, num, since)?,
                        median_ns(&ratio.group, den, since)?,
                    ))
                })
                .collect();
            if measured.is_empty() {
                return None;
            }
            let mut each: Vec<f64> = measured.iter().map(|(num, den)| num / den).collect();
            let rounds = if measured.len() > 1 {
                each.iter()
                    .map(|r| format!("{r:.2}"))
                    .collect::<Vec<_>>()
                    .join(" ")
            } else {
                String::new()
            };
            let value = median(&mut each);
            let num = median(&mut measured.iter().map(|m| m.0).collect::<Vec<_>>());
            let den = median(&mut measured.iter().map(|m| m.1).collect::<Vec<_>>());
            let (bar, verdict) = match ratio.bar {
                Bar::AtMost(x) => (format!("≤ {x}×"), if value <= x { "pass" } else { "FAIL" }),
                Bar::AtLeast(x) => (format!("≥ {x}×"), if value >= x { "pass" } else { "FAIL" }),
                Bar::None => ("—".to_owned(), ""),
            };
            Some(format!(
                "| {} | {} | {} / {} | {value:.2}× | {bar} | {verdict} | {rounds} |",
                ratio.group,
                ratio.label,
                fmt_ns(num),
                fmt_ns(den),
            ))
        })
        .collect();
    if rows.is_empty() {
        return;
    }
    println!("\n## {title} (medians)\n");
    println!("| group | ratio | times | measured | bar | | per round |");
    println!("|---|---|---|---|---|---|---|");
    for row in rows {
        println!("{row}");
    }
    println!();
}

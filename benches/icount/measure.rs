//! Running the operations under callgrind and reporting their counts.

use std::{
    hint::black_box,
    path::{Path, PathBuf},
    process::Command,
    sync::{
        Mutex,
        atomic::{AtomicUsize, Ordering},
    },
};

use crate::{
    callgrind::{self, Counts},
    ops::{self, Fixture, OPS},
};

/// The loop lengths of a measurement: the per-operation count is the
/// difference of their counts over `LONG - SHORT`.
const SHORT: usize = 100;
const LONG: usize = 1_100;

/// The name callgrind knows [`icount_drive`] by (`--toggle-collect`,
/// `--dump-after`; the latter takes no wildcards).
fn drive_name() -> &'static str {
    std::any::type_name_of_val(&icount_drive)
}

/// Runs `run` `n` times. Callgrind counts only inside this function (and
/// what it calls) and dumps its counts after each call.
#[inline(never)]
fn icount_drive(run: fn(&mut Fixture), fixture: &mut Fixture, n: usize) {
    for _ in 0..n {
        black_box(run)(black_box(&mut *fixture));
    }
}

/// A comparison of two operations' counts against a bar.
struct Row {
    /// What is compared.
    label: &'static str,
    /// The operation of the numerator.
    axptr: &'static str,
    /// The operation of the denominator.
    baseline: &'static str,
    /// The largest ratio that passes, if the design sets one.
    bar: Option<f64>,
}

const fn row(
    label: &'static str,
    axptr: &'static str,
    baseline: &'static str,
    bar: Option<f64>,
) -> Row {
    Row {
        label,
        axptr,
        baseline,
        bar,
    }
}

/// The bars of DESIGN.md that instruction counts decide.
const ROWS: &[Row] = &[
    row(
        "get 64 B / direct (heap)",
        "heap/get",
        "heap/direct_get",
        Some(1.1),
    ),
    row(
        "read 64 B / direct (heap)",
        "heap/read",
        "heap/direct_read",
        Some(1.1),
    ),
    row(
        "write 64 B / direct (heap)",
        "heap/write",
        "heap/direct_write",
        Some(1.1),
    ),
    row(
        "UserWriter transfer 64 B / direct (heap)",
        "heap/transfer",
        "heap/direct_transfer",
        Some(1.1),
    ),
    row(
        "get 64 B / direct (sim)",
        "sim/get",
        "sim/direct_get",
        Some(1.1),
    ),
    row(
        "read 64 B / direct (sim)",
        "sim/read",
        "sim/direct_read",
        Some(1.1),
    ),
    row(
        "write 64 B / direct (sim)",
        "sim/write",
        "sim/direct_write",
        Some(1.1),
    ),
    row(
        "UserWriter transfer 64 B / direct (sim)",
        "sim/transfer",
        "sim/direct_transfer",
        Some(1.1),
    ),
    row(
        "get, 1,000 areas / 10 areas (sim)",
        "areas1000/get",
        "areas10/get",
        Some(2.0),
    ),
    row(
        "#[syscall] entry / by hand (heap)",
        "syscall/entry",
        "syscall/by_hand",
        Some(1.1),
    ),
    row(
        "read_cstr 4 KiB / fallback memchr + copy (heap)",
        "heap/read_cstr_4096",
        "heap/fallback_cstr_4096",
        Some(1.5),
    ),
    row(
        "read_cstr 4 KiB / host memchr (heap)",
        "heap/read_cstr_4096",
        "heap/memchr_4096",
        Some(2.0),
    ),
    row(
        "read_cstr 64 B / fallback memchr + copy (heap)",
        "heap/read_cstr_64",
        "heap/fallback_cstr_64",
        None,
    ),
    row(
        "read_cstr 64 B / host memchr (heap)",
        "heap/read_cstr_64",
        "heap/memchr_64",
        None,
    ),
    row(
        "read_cstr 4 KiB / fallback memchr + copy (sim)",
        "sim/read_cstr_4096",
        "sim/fallback_cstr_4096",
        Some(1.5),
    ),
    row(
        "read_cstr 4 KiB / host memchr (sim)",
        "sim/read_cstr_4096",
        "sim/memchr_4096",
        Some(2.0),
    ),
    row(
        "read_cstr 64 B / fallback memchr + copy (sim)",
        "sim/read_cstr_64",
        "sim/fallback_cstr_64",
        None,
    ),
    row(
        "read_cstr 64 B / host memchr (sim)",
        "sim/read_cstr_64",
        "sim/memchr_64",
        None,
    ),
];

/// The options of `report`.
struct Options {
    report_only: bool,
    jobs: usize,
    only: Option<String>,
}

pub fn main(args: Vec<String>) -> i32 {
    // `cargo bench` runs every bench target with `--bench` (after any
    // filter); `cargo test --benches` runs them with no mode.
    if args.iter().any(|arg| arg == "--bench") {
        return cargo_bench(&args);
    }
    let rest = args.get(1..).unwrap_or_default();
    match args.first().map(String::as_str) {
        Some("report") => match parse_options(rest) {
            Ok(options) => report(&options),
            Err(message) => {
                eprintln!("icount: {message}");
                2
            }
        },
        Some("annotate") => annotate(rest),
        Some("measure") => measure_mode(rest),
        Some("list") => {
            for op in OPS {
                println!("{}", op.name);
            }
            0
        }
        Some("counts") => {
            for file in rest {
                match callgrind::counts(Path::new(file)) {
                    Ok(counts) => println!("{file}: {counts:?}"),
                    Err(err) => eprintln!("icount: {err}"),
                }
            }
            0
        }
        _ => {
            // Not run for counts: check that every operation works.
            drop(Fixture::new());
            println!(
                "icount: {} operations checked (modes: report, annotate, measure, list, counts)",
                OPS.len()
            );
            0
        }
    }
}

/// Under `cargo bench`: the report, never failing, if valgrind is there
/// and no filter excludes this target.
fn cargo_bench(args: &[String]) -> i32 {
    let filtered_out = args
        .iter()
        .filter(|arg| !arg.starts_with('-'))
        .any(|filter| !"icount".contains(filter.as_str()));
    if filtered_out {
        return 0;
    }
    if Command::new("valgrind").arg("--version").output().is_err() {
        println!("icount: valgrind is not installed; scripts/icount.sh installs it");
        return 0;
    }
    println!(
        "icount: report only; counts may differ by a few instructions from \
         scripts/icount.sh, which builds this crate with one codegen unit"
    );
    let options = Options {
        report_only: true,
        jobs: default_jobs(),
        only: None,
    };
    report(&options)
}

fn default_jobs() -> usize {
    std::thread::available_parallelism().map_or(1, usize::from)
}

fn parse_options(args: &[String]) -> Result<Options, String> {
    let mut options = Options {
        report_only: std::env::var_os("AXPTR_ICOUNT_REPORT_ONLY").is_some_and(|v| v != "0"),
        jobs: default_jobs(),
        only: None,
    };
    let mut args = args.iter();
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--report-only" => options.report_only = true,
            "--jobs" => {
                options.jobs = args
                    .next()
                    .and_then(|n| n.parse().ok())
                    .filter(|&n| n > 0)
                    .ok_or("--jobs takes a positive number")?;
            }
            "--only" => options.only = Some(args.next().ok_or("--only takes a substring")?.clone()),
            _ => return Err(format!("unknown option {arg:?}")),
        }
    }
    Ok(options)
}

/// `measure OP N...`: the fixture, then one loop of `N` per argument.
fn measure_mode(args: &[String]) -> i32 {
    let Some(op) = args.first().and_then(|name| ops::op(name)) else {
        eprintln!(
            "icount measure: unknown operation {:?} (see `list`)",
            args.first()
        );
        return 2;
    };
    let Ok(counts) = args[1..]
        .iter()
        .map(|n| n.parse())
        .collect::<Result<Vec<usize>, _>>()
    else {
        eprintln!("icount measure: loop lengths are numbers");
        return 2;
    };
    let mut fixture = Fixture::new();
    for n in counts {
        icount_drive(op.run, &mut fixture, n);
    }
    0
}

/// The running binary, to run under valgrind.
fn this_exe() -> PathBuf {
    std::env::current_exe()
        .unwrap_or_else(|_| PathBuf::from(std::env::args().next().unwrap_or_default()))
}

/// A directory for callgrind's files, removed when dropped.
struct TempDir(PathBuf);

impl TempDir {
    fn new() -> std::io::Result<Self> {
        let dir = std::env::temp_dir().join(format!("axptr-icount-{}", std::process::id()));
        std::fs::create_dir_all(&dir)?;
        Ok(Self(dir))
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// Runs `measure op lengths...` under callgrind, counting in
/// [`icount_drive`] and dumping after each loop; returns the file of each
/// dump.
fn callgrind(
    op: &str,
    lengths: &[usize],
    dir: &Path,
    extra: &[&str],
) -> Result<Vec<PathBuf>, String> {
    let out = dir.join(op.replace('/', "-"));
    let mut command = Command::new("valgrind");
    command
        .arg("--tool=callgrind")
        .arg(format!("--callgrind-out-file={}", out.display()))
        .arg("--collect-atstart=no")
        .arg(format!("--toggle-collect={}", drive_name()))
        .arg(format!("--dump-after={}", drive_name()))
        .args(extra)
        .arg(this_exe())
        .arg("measure")
        .arg(op)
        .args(lengths.iter().map(usize::to_string));
    let output = command
        .output()
        .map_err(|err| format!("cannot run valgrind: {err}"))?;
    if !output.status.success() {
        return Err(format!(
            "valgrind failed on {op}:\n{}",
            String::from_utf8_lossy(&output.stderr)
        ));
    }
    // Dumps are numbered from 1 in the order they happen.
    Ok((1..=lengths.len())
        .map(|dump| PathBuf::from(format!("{}.{dump}", out.display())))
        .collect())
}

/// The count of one operation, both ways (see [`callgrind`]):
/// instructions per iteration, and whether the difference divided evenly
/// (the same instructions every time).
#[derive(Clone, Copy)]
struct Count {
    valgrind: PerOp,
    architectural: PerOp,
}

#[derive(Clone, Copy)]
struct PerOp {
    count: f64,
    exact: bool,
}

impl PerOp {
    fn new(short: u64, long: u64) -> Option<Self> {
        let diff = long.checked_sub(short)?;
        let iterations = (LONG - SHORT) as u64;
        Some(Self {
            count: diff as f64 / iterations as f64,
            exact: diff % iterations == 0,
        })
    }

    /// Less the loop overhead `empty`.
    fn net(self, empty: Self) -> Self {
        Self {
            count: self.count - empty.count,
            exact: self.exact && empty.exact,
        }
    }
}

impl std::fmt::Display for PerOp {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.exact {
            write!(f, "{:.0}", self.count)
        } else {
            write!(f, "~{:.1}", self.count)
        }
    }
}

fn count(op: &str, dir: &Path) -> Result<Count, String> {
    let files = callgrind(
        op,
        &[SHORT, LONG],
        dir,
        &["--dump-instr=yes", "--dump-line=no"],
    )?;
    let short: Counts = callgrind::counts(&files[0])?;
    let long: Counts = callgrind::counts(&files[1])?;
    let less = || format!("{op}: the long loop counted less than the short one");
    Ok(Count {
        valgrind: PerOp::new(short.valgrind, long.valgrind).ok_or_else(less)?,
        architectural: PerOp::new(short.architectural, long.architectural).ok_or_else(less)?,
    })
}

/// Counts every operation `names`, `jobs` valgrind runs at a time.
fn count_all(names: &[&'static str], jobs: usize, dir: &Path) -> Result<Vec<Count>, String> {
    let next = AtomicUsize::new(0);
    let results = Mutex::new(vec![None; names.len()]);
    std::thread::scope(|scope| {
        for _ in 0..jobs.min(names.len()) {
            scope.spawn(|| {
                loop {
                    let index = next.fetch_add(1, Ordering::Relaxed);
                    let Some(name) = names.get(index) else { break };
                    let result = count(name, dir);
                    results.lock().unwrap_or_else(|e| e.into_inner())[index] = Some(result);
                }
            });
        }
    });
    results
        .into_inner()
        .unwrap_or_else(|e| e.into_inner())
        .into_iter()
        .map(|result| result.unwrap_or_else(|| Err("not measured".to_owned())))
        .collect()
}

fn report(options: &Options) -> i32 {
    let rows: Vec<&Row> = ROWS
        .iter()
        .filter(|row| {
            options
                .only
                .as_deref()
                .is_none_or(|only| row.label.contains(only))
        })
        .collect();
    let mut names = vec!["empty"];
    for row in &rows {
        for name in [row.axptr, row.baseline] {
            if !names.contains(&name) {
                names.push(name);
            }
        }
    }
    let dir = match TempDir::new() {
        Ok(dir) => dir,
        Err(err) => {
            eprintln!("icount: cannot make a temporary directory: {err}");
            return 2;
        }
    };
    let counts = match count_all(&names, options.jobs, &dir.0) {
        Ok(counts) => counts,
        Err(err) => {
            eprintln!("icount: {err}");
            return 2;
        }
    };
    let empty = counts[0];
    let net = |name: &str| {
        let index = names.iter().position(|n| *n == name).unwrap_or(0);
        let count = counts[index];
        (
            count.architectural.net(empty.architectural),
            count.valgrind.net(empty.valgrind),
        )
    };

    println!(
        "\n## Instructions per operation (callgrind; loop overhead of {} subtracted)\n",
        empty.architectural
    );
    println!(
        "| comparison | axptr | baseline | ratio | bar | result | valgrind's count (rep per iteration) |"
    );
    println!("|---|---|---|---|---|---|---|");
    let mut failed = Vec::new();
    for row in &rows {
        let (axptr, axptr_valgrind) = net(row.axptr);
        let (baseline, baseline_valgrind) = net(row.baseline);
        let ratio = axptr.count / baseline.count;
        let ratio_valgrind = axptr_valgrind.count / baseline_valgrind.count;
        let (bar, result) = match row.bar {
            Some(bar) if ratio <= bar => (format!("≤ {bar}×"), "pass"),
            Some(bar) => {
                failed.push(row.label);
                (format!("≤ {bar}×"), "**FAIL**")
            }
            None => ("—".to_owned(), ""),
        };
        let valgrind =
            if axptr_valgrind.count == axptr.count && baseline_valgrind.count == baseline.count {
                "same".to_owned()
            } else {
                format!("{axptr_valgrind} / {baseline_valgrind} = {ratio_valgrind:.2}×")
            };
        println!(
            "| {} | {axptr} | {baseline} | {ratio:.2}× | {bar} | {result} | {valgrind} |",
            row.label
        );
    }
    println!();
    if failed.is_empty() {
        println!("icount: every bar met");
        0
    } else if options.report_only {
        println!(
            "icount: {} bar(s) missed (report-only mode: not failing)",
            failed.len()
        );
        0
    } else {
        println!(
            "icount: {} bar(s) missed: {}",
            failed.len(),
            failed.join("; ")
        );
        1
    }
}

/// `annotate OP [options]`: callgrind_annotate of one operation's loop.
fn annotate(args: &[String]) -> i32 {
    let Some(name) = args.first().filter(|name| ops::op(name).is_some()) else {
        eprintln!(
            "icount annotate: unknown operation {:?} (see `list`)",
            args.first()
        );
        return 2;
    };
    let dir = match TempDir::new() {
        Ok(dir) => dir,
        Err(err) => {
            eprintln!("icount: cannot make a temporary directory: {err}");
            return 2;
        }
    };
    let files = match callgrind(name, &[LONG - SHORT], &dir.0, &["--dump-instr=yes"]) {
        Ok(files) => files,
        Err(err) => {
            eprintln!("icount: {err}");
            return 2;
        }
    };
    match Command::new("callgrind_annotate")
        .args(&args[1..])
        .arg(&files[0])
        .status()
    {
        Ok(status) if status.success() => 0,
        Ok(_) => 1,
        Err(err) => {
            eprintln!("icount: cannot run callgrind_annotate: {err}");
            2
        }
    }
}

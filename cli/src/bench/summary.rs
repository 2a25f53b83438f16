//! The closing table of `dockhand bench`: every figure the run measured, each beside its
//! baseline measured in the same run, the ratio, the goal and whether it is met.

/// One row.
struct Row {
    figure: String,
    value: String,
    baseline: String,
    ratio: Option<f64>,
    goal: &'static str,
    met: Option<bool>,
}

/// The rows gathered as the bench runs.
#[derive(Default)]
pub(super) struct Summary {
    rows: Vec<Row>,
}

impl Summary {
    /// A figure, its baseline (what it is compared with, measured in this run), their ratio, the
    /// goal in words and whether the figure meets it (`None`: no goal, or none this run can say).
    pub(super) fn add(
        &mut self,
        figure: impl Into<String>,
        value: impl Into<String>,
        baseline: impl Into<String>,
        ratio: Option<f64>,
        goal: &'static str,
        met: Option<bool>,
    ) {
        self.rows.push(Row {
            figure: figure.into(),
            value: value.into(),
            baseline: baseline.into(),
            ratio,
            goal,
            met,
        });
    }

    /// Prints the table (Markdown, so that it pastes into docs/performance.md as it is).
    pub(super) fn print(&self) {
        if self.rows.is_empty() {
            return;
        }
        println!(
            "\nsummary (every figure of this run beside its baseline measured in the same run):\n"
        );
        println!("| figure | value | baseline (same run) | ratio | goal | met |");
        println!("|---|---|---|---|---|---|");
        for r in &self.rows {
            println!(
                "| {} | {} | {} | {} | {} | {} |",
                r.figure,
                r.value,
                r.baseline,
                r.ratio.map_or("".to_string(), |x| format!("{x:.2}x")),
                r.goal,
                match r.met {
                    Some(true) => "yes",
                    Some(false) => "no",
                    None => "",
                }
            );
        }
        let missed = self.rows.iter().filter(|r| r.met == Some(false)).count();
        let judged = self.rows.iter().filter(|r| r.met.is_some()).count();
        println!("\n{} of {judged} goals met", judged - missed);
    }
}

/// The process's resident set now and at its peak since the last [`reset_peak_rss`], in bytes
/// (Linux; `None` elsewhere).
pub(super) fn rss() -> Option<(u64, u64)> {
    memory(["VmRSS:", "VmHWM:"])
}

/// Anonymous and file-backed resident bytes now.
pub(super) fn resident() -> Option<(u64, u64)> {
    memory(["RssAnon:", "RssFile:"])
}

/// Major page faults of the calling thread so far: pages the system read from disk for it
/// (Linux: `/proc/thread-self/stat`; `None` elsewhere).
pub(super) fn major_faults() -> Option<u64> {
    let stat = std::fs::read_to_string("/proc/thread-self/stat").ok()?;
    // After the command name in parentheses: state is field 3, majflt field 12.
    stat.rsplit_once(')')?
        .1
        .split_whitespace()
        .nth(9)?
        .parse()
        .ok()
}

/// Two memory fields of `/proc/self/status` (kB there), in bytes.
fn memory(names: [&str; 2]) -> Option<(u64, u64)> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let field = |name: &str| -> Option<u64> {
        let line = status.lines().find(|l| l.starts_with(name))?;
        Some(line.split_whitespace().nth(1)?.parse::<u64>().ok()? * 1024)
    };
    Some((field(names[0])?, field(names[1])?))
}

/// Starts a new peak of the resident set (Linux: `5` to `/proc/self/clear_refs`); whether it
/// could.
pub(super) fn reset_peak_rss() -> bool {
    std::fs::write("/proc/self/clear_refs", "5").is_ok()
}

/// Samples the process's anonymous and file-backed resident memory every 25 ms until
/// stopped: the peak of each (the kernel keeps only the peak of their sum). File-backed pages
/// here are the database's, mapped by SQLite (`mmap_size`): the system takes them back under
/// pressure, unlike the heap.
pub(super) struct RssSampler {
    stop: std::sync::Arc<std::sync::atomic::AtomicBool>,
    thread: std::thread::JoinHandle<(u64, u64)>,
}

impl RssSampler {
    /// Starts sampling (`None` where /proc is not readable).
    pub(super) fn start() -> Option<Self> {
        resident()?;
        let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
        let stopping = stop.clone();
        let thread = std::thread::spawn(move || {
            let mut peak = (0, 0);
            while !stopping.load(std::sync::atomic::Ordering::Acquire) {
                if let Some((anon, file)) = resident() {
                    peak = (peak.0.max(anon), peak.1.max(file));
                }
                std::thread::sleep(std::time::Duration::from_millis(25));
            }
            peak
        });
        Some(Self { stop, thread })
    }

    /// The peaks (anonymous, file-backed) in bytes.
    pub(super) fn stop(self) -> (u64, u64) {
        self.stop.store(true, std::sync::atomic::Ordering::Release);
        self.thread.join().unwrap_or((0, 0))
    }
}

//! What /proc says about a process: its parent, children, CPU time and memory.

use std::process::Command;
use std::time::Duration;

/// The fields of `/proc/<pid>/stat` after `(comm)`, and `comm` itself.
/// `comm` may hold spaces and parentheses, so the line is cut at the last `)`.
fn stat(pid: u32) -> Option<(String, Vec<String>)> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    let (head, rest) = stat.rsplit_once(')')?;
    let comm = head.split_once('(')?.1.to_owned();
    Some((comm, rest.split_whitespace().map(str::to_owned).collect()))
}

/// The processes whose parent is `parent`, with their `comm`.
pub fn children(parent: u32) -> Vec<(u32, String)> {
    let Ok(entries) = std::fs::read_dir("/proc") else {
        return Vec::new();
    };
    entries
        .filter_map(|entry| {
            let pid: u32 = entry.ok()?.file_name().to_str()?.parse().ok()?;
            let (comm, fields) = stat(pid)?;
            // After `comm`: state is field 0, ppid 1.
            let ppid: u32 = fields.get(1)?.parse().ok()?;
            (ppid == parent).then_some((pid, comm))
        })
        .collect()
}

/// CPU time (user + system) a process has used so far.
pub fn cpu_time(pid: u32) -> Duration {
    let fields = stat(pid).map(|(_, f)| f).unwrap_or_default();
    let field = |i: usize| fields.get(i).and_then(|f| f.parse::<u64>().ok());
    // After `comm`: utime is field 11, stime 12, in clock ticks.
    let ticks = field(11).unwrap_or(0) + field(12).unwrap_or(0);
    let hz = Command::new("getconf")
        .arg("CLK_TCK")
        .output()
        .ok()
        .and_then(|o| String::from_utf8_lossy(&o.stdout).trim().parse().ok())
        .unwrap_or(100);
    Duration::from_millis(ticks * 1000 / hz)
}

/// A memory figure of `/proc/<pid>/status` (`VmRSS`, `VmHWM`) in MiB.
fn status_mib(pid: u32, field: &str) -> f64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status"));
    let status = status.expect("read /proc/PID/status");
    let line = status
        .lines()
        .find_map(|l| l.strip_prefix(field)?.strip_prefix(':'));
    let kib = line.and_then(|v| v.trim().trim_end_matches(" kB").parse::<f64>().ok());
    kib.unwrap_or_else(|| panic!("{field} in /proc/{pid}/status")) / 1024.0
}

/// Resident memory of process `pid` in MiB.
pub fn rss_mib(pid: u32) -> f64 {
    status_mib(pid, "VmRSS")
}

/// Peak resident memory of process `pid` in MiB.
pub fn peak_rss_mib(pid: u32) -> f64 {
    status_mib(pid, "VmHWM")
}

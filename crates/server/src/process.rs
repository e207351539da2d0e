//! Process memory and CPU for `/metrics`, read from `/proc/self` only (the systemd unit's
//! `ProcSubset=pid` hides the rest of `/proc`). Names follow Prometheus' process-collector
//! convention. Elsewhere than Linux nothing is recorded.

/// Linux reports CPU time in clock ticks of `USER_HZ`, 100 on every architecture it
/// exposes to user space.
const TICKS_PER_SECOND: f64 = 100.0;

/// Sets `process_resident_memory_bytes`, `process_virtual_memory_bytes`, `process_threads`,
/// `process_open_fds` and `process_cpu_seconds_total` (user + system, a gauge: the `metrics`
/// crate's counters are integers) from `/proc/self/{status,stat,fd}`.
pub fn record() {
    if let Ok(status) = std::fs::read_to_string("/proc/self/status") {
        for (key, name, scale) in [
            ("VmRSS:", "process_resident_memory_bytes", 1024.0),
            ("VmSize:", "process_virtual_memory_bytes", 1024.0),
            ("Threads:", "process_threads", 1.0),
        ] {
            if let Some(value) = status_value(&status, key) {
                ::metrics::gauge!(name).set(value * scale);
            }
        }
    }
    if let Ok(stat) = std::fs::read_to_string("/proc/self/stat") {
        if let Some(ticks) = cpu_ticks(&stat) {
            ::metrics::gauge!("process_cpu_seconds_total").set(ticks / TICKS_PER_SECOND);
        }
    }
    if let Ok(fds) = std::fs::read_dir("/proc/self/fd") {
        ::metrics::gauge!("process_open_fds").set(fds.count() as f64);
    }
}

/// The number after `key` in `/proc/self/status` (`VmRSS:   1234 kB` → 1234).
fn status_value(status: &str, key: &str) -> Option<f64> {
    let line = status.lines().find(|l| l.starts_with(key))?;
    line[key.len()..].split_whitespace().next()?.parse().ok()
}

/// utime + stime (fields 14 and 15 of `/proc/self/stat`), counted after the `)` that ends
/// the command name (which may hold spaces).
fn cpu_ticks(stat: &str) -> Option<f64> {
    let rest = &stat[stat.rfind(')')? + 1..];
    let mut fields = rest.split_whitespace().skip(11);
    let user: f64 = fields.next()?.parse().ok()?;
    let system: f64 = fields.next()?.parse().ok()?;
    Some(user + system)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_kernel_formats() {
        let stat = "42 (a (b) c) S 1 42 42 0 -1 4194560 100 0 0 0 250 50 0 0 20 0 3 0 1 2 3";
        assert_eq!(cpu_ticks(stat), Some(300.0));
        let status = "Name:\tx\nVmSize:\t  2048 kB\nVmRSS:\t  1024 kB\nThreads:\t3\n";
        assert_eq!(status_value(status, "VmRSS:"), Some(1024.0));
        assert_eq!(status_value(status, "Threads:"), Some(3.0));
        assert_eq!(status_value(status, "VmSwap:"), None);
    }
}

//! What the unit's seccomp filter and address-family list would refuse, found without systemd:
//! the server runs under `strace -f`, and every system call and socket family it used is
//! compared with `SystemCallFilter=` (groups expanded by `systemd-analyze syscall-filter`)
//! and `RestrictAddressFamilies=`. A refused call would only show on a real systemd host, as
//! EPERM (`SystemCallErrorNumber=`) in the middle of serving.

use std::collections::BTreeSet;
use std::path::Path;
use std::process::Command;

use super::unit::Unit;

pub const STRACE: &str = "strace";

/// Wraps `command` (the service command after setpriv) in `strace -f -o trace`.
pub fn traced(trace: &Path, command: &[String]) -> Vec<String> {
    let mut args = vec![
        STRACE.to_owned(),
        "-f".into(),
        "-qq".into(),
        "-o".into(),
        trace.display().to_string(),
    ];
    args.extend(command.iter().cloned());
    args
}

/// The system calls the unit's `SystemCallFilter=` lines allow: the first allow list, minus
/// every `~` deny list (systemd's reading when the first line is an allow list).
pub fn allowed(unit: &Unit) -> Result<BTreeSet<String>, String> {
    let mut allowed: Option<BTreeSet<String>> = None;
    for line in &unit.system_call_filter {
        let (deny, items) = match line.strip_prefix('~') {
            Some(rest) => (true, rest),
            None => (false, line.as_str()),
        };
        let mut names = BTreeSet::new();
        for item in items.split_whitespace() {
            expand(item, &mut names)?;
        }
        match (&mut allowed, deny) {
            (None, false) => allowed = Some(names),
            (Some(set), false) => set.extend(names),
            (Some(set), true) => set.retain(|n| !names.contains(n)),
            (None, true) => return Err(
                "SystemCallFilter= starts with a deny list; the check expects an allow list first"
                    .into(),
            ),
        }
    }
    allowed.ok_or_else(|| "the unit has no SystemCallFilter=".into())
}

/// Adds a system call, or every call of a `@group` (recursively), to `into`.
fn expand(item: &str, into: &mut BTreeSet<String>) -> Result<(), String> {
    if !item.starts_with('@') {
        into.insert(item.to_owned());
        return Ok(());
    }
    let out = Command::new("systemd-analyze")
        .args(["syscall-filter", item])
        .output()
        .map_err(|e| format!("cannot run systemd-analyze: {e}"))?;
    if !out.status.success() {
        return Err(format!("systemd-analyze syscall-filter {item} failed"));
    }
    let text = String::from_utf8_lossy(&out.stdout);
    for line in text.lines().skip(1).map(str::trim) {
        if line.is_empty() || line.starts_with('#') || line == item {
            continue;
        }
        expand(line, into)?;
    }
    Ok(())
}

/// The system calls and socket families (`socket(AF_INET, …)`) in an `strace -f` log.
pub fn used(trace: &str) -> (BTreeSet<String>, BTreeSet<String>) {
    let mut calls = BTreeSet::new();
    let mut families = BTreeSet::new();
    for line in trace.lines() {
        // "1234  name(args…" or "1234  <... name resumed>…"; signals and exits start otherwise.
        let rest = line
            .trim_start_matches(|c: char| c.is_ascii_digit())
            .trim_start();
        let Some((name, args)) = rest.split_once('(') else {
            continue;
        };
        if name.is_empty() || !name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
            continue;
        }
        calls.insert(name.to_owned());
        if name == "socket" {
            if let Some(family) = args.split([',', ')']).next() {
                families.insert(family.trim().to_owned());
            }
        }
    }
    (calls, families)
}

/// `Err` naming every call or family the unit would refuse.
pub fn compare(unit: &Unit, trace: &str) -> Result<(usize, usize), String> {
    let allowed = allowed(unit)?;
    let (calls, families) = used(trace);
    if calls.is_empty() {
        return Err("the strace log shows no system calls".into());
    }
    let refused: Vec<&String> = calls.difference(&allowed).collect();
    let foreign: Vec<&String> = families
        .iter()
        .filter(|f| !unit.address_families.contains(f))
        .collect();
    if refused.is_empty() && foreign.is_empty() {
        Ok((calls.len(), allowed.len()))
    } else {
        Err(format!(
            "under the unit's sandbox the server would be refused system calls {refused:?} \
             (SystemCallFilter=) and socket families {foreign:?} (RestrictAddressFamilies=)"
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_strace_lines() {
        let log = "12  execve(\"/bin/x\", [\"x\"], 0x7ff /* 2 vars */) = 0\n\
                   13  socket(AF_INET6, SOCK_STREAM|SOCK_CLOEXEC, IPPROTO_TCP) = 9\n\
                   13  epoll_wait(3,  <unfinished ...>\n\
                   13  <... epoll_wait resumed>[], 1024, 5) = 0\n\
                   13  --- SIGTERM {si_signo=SIGTERM} ---\n\
                   12  +++ exited with 0 +++\n";
        let (calls, families) = used(log);
        assert_eq!(
            calls.into_iter().collect::<Vec<_>>(),
            ["epoll_wait", "execve", "socket"]
        );
        assert_eq!(families.into_iter().collect::<Vec<_>>(), ["AF_INET6"]);
    }
}

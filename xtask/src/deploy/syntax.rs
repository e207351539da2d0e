//! Syntax checks of the deployment examples in deploy/ (the README points people at them).

use std::process::Command;

use crate::process::workspace_root;

/// `nginx -t` on a minimal nginx.conf that includes deploy/nginx-location.conf in a server.
pub fn check_nginx() -> Result<(), String> {
    let root = workspace_root();
    let dir = root.join("target/deploy-check/nginx");
    std::fs::create_dir_all(dir.join("logs")).map_err(|e| e.to_string())?;
    let conf = dir.join("nginx.conf");
    let text = format!(
        "pid {dir}/nginx.pid;\nerror_log {dir}/logs/error.log;\nevents {{}}\nhttp {{\n  access_log off;\n  server {{\n    listen 127.0.0.1:18080;\n    server_name study.example.edu;\n    include {location};\n  }}\n}}\n",
        dir = dir.display(),
        location = root.join("deploy/nginx-location.conf").display()
    );
    std::fs::write(&conf, text).map_err(|e| e.to_string())?;
    let out = Command::new(crate::tools::NGINX)
        .arg("-t")
        .arg("-p")
        .arg(&dir)
        .arg("-c")
        .arg(&conf)
        .output()
        .map_err(|e| format!("cannot run nginx (cargo xtask setup installs it): {e}"))?;
    let said = String::from_utf8_lossy(&out.stderr).into_owned();
    eprintln!("{}", said.trim());
    if out.status.success() && said.contains("syntax is ok") {
        Ok(())
    } else {
        Err(format!(
            "nginx -t rejected deploy/nginx-location.conf: {said}"
        ))
    }
}

/// The highest `systemd-analyze security` exposure the unit may have (0 = fully confined,
/// 10 = unconfined; the tool counts in tenths for `--threshold`). The unit scores 1.2 today.
const MAX_EXPOSURE_TENTHS: u32 = 20;

/// `systemd-analyze verify` on deploy/redcap-resume.service (ExecStart pointed at the built
/// binary), where any warning counts as a failure; then `systemd-analyze security`, which must
/// rate the unit's exposure at most [`MAX_EXPOSURE_TENTHS`].
pub fn check_systemd(binary: &std::path::Path) -> Result<(), String> {
    let root = workspace_root();
    let unit = std::fs::read_to_string(root.join("deploy/redcap-resume.service"))
        .map_err(|e| e.to_string())?;
    let dir = root.join("target/deploy-check/systemd");
    std::fs::create_dir_all(&dir).map_err(|e| e.to_string())?;
    let path = dir.join("redcap-resume.service");
    std::fs::write(
        &path,
        unit.replace(
            "/usr/local/bin/redcap-resume",
            &binary.display().to_string(),
        ),
    )
    .map_err(|e| e.to_string())?;
    let out = Command::new("systemd-analyze")
        .arg("verify")
        .arg(&path)
        .output()
        .map_err(|e| format!("cannot run systemd-analyze: {e}"))?;
    let said =
        String::from_utf8_lossy(&out.stderr).into_owned() + &String::from_utf8_lossy(&out.stdout);
    let complaints: Vec<&str> = said
        .lines()
        .filter(|l| l.contains("redcap-resume.service"))
        .collect();
    if !(out.status.success() && complaints.is_empty()) {
        return Err(format!("systemd-analyze verify: {}", said.trim()));
    }
    eprintln!("systemd-analyze verify: deploy/redcap-resume.service is valid");
    let out = Command::new("systemd-analyze")
        .args(["security", "--offline=yes"])
        .arg(format!("--threshold={MAX_EXPOSURE_TENTHS}"))
        .arg(&path)
        .output()
        .map_err(|e| format!("cannot run systemd-analyze security: {e}"))?;
    let text = String::from_utf8_lossy(&out.stdout);
    let overall = text
        .lines()
        .find(|l| l.contains("Overall exposure level"))
        .unwrap_or("no overall exposure level printed")
        .trim_start_matches(['→', ' '])
        .to_owned();
    if out.status.success() {
        eprintln!("systemd-analyze security: {overall}");
        Ok(())
    } else {
        Err(format!(
            "systemd-analyze security: {overall} (at most {}.{} allowed); its ✗ lines say what to add",
            MAX_EXPOSURE_TENTHS / 10,
            MAX_EXPOSURE_TENTHS % 10
        ))
    }
}

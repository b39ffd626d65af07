//! What people can see under Helm 4, which discards a post-renderer's stderr: as a Helm plugin
//! (`HELM_PLUGIN_NAME` set) the report also goes to the controlling terminal; `--report FILE` /
//! `KUBECTL_DAGU_REPORT` writes it to a file in any mode.

use std::path::{Path, PathBuf};
use std::process::Command;

fn bad_case(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/post_render/bad")
        .join(name)
}

#[test]
fn as_a_helm_plugin_the_violation_reaches_the_terminal_with_stderr_discarded() {
    let script = Command::new("script").arg("--version").output();
    assert!(
        script.is_ok_and(|o| o.status.success()),
        "this test needs `script` (util-linux) to provide a pseudo-terminal: apt-get install util-linux"
    );
    let case = bad_case("pvc-read-write-once");
    let cmd = format!(
        "{} < input.yaml 2>/dev/null",
        env!("CARGO_BIN_EXE_kubectl-dagu")
    );
    let run = |plugin: bool| {
        let mut c = Command::new("script");
        c.args(["-qec", &cmd, "/dev/null"])
            .current_dir(&case)
            .stdin(std::process::Stdio::null());
        if plugin {
            c.env("HELM_PLUGIN_NAME", "dagu");
        } else {
            c.env_remove("HELM_PLUGIN_NAME");
        }
        String::from_utf8_lossy(&c.output().unwrap().stdout).to_string()
    };
    let terminal = run(true);
    assert!(
        terminal.contains("[pvc-read-write-many] document 2 PersistentVolumeClaim/dagu-data"),
        "{terminal}"
    );
    assert!(
        terminal.contains("skipValidation"),
        "the fix is on the terminal too: {terminal}"
    );
    let plain = run(false);
    assert!(
        !plain.contains("pvc-read-write-many"),
        "outside helm, stderr is the only channel: {plain}"
    );
}

#[test]
fn report_file_holds_the_report_in_every_mode() {
    let dir = tempfile::tempdir().unwrap();
    let case = bad_case("pvc-read-write-once");
    let input = std::fs::read(case.join("input.yaml")).unwrap();
    let report = dir.path().join("report.txt");
    let out = assert_cmd::Command::cargo_bin("kubectl-dagu")
        .unwrap()
        .args(["--report", report.to_str().unwrap()])
        .write_stdin(input.clone())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let text = std::fs::read_to_string(&report).unwrap();
    assert!(text.starts_with("error: 1 invariant violated"), "{text}");

    let env_report = dir.path().join("env.txt");
    let fixed = input.clone();
    let out = assert_cmd::Command::cargo_bin("kubectl-dagu")
        .unwrap()
        .args(["--check", "--skip-validation"])
        .env("KUBECTL_DAGU_REPORT", &env_report)
        .write_stdin(fixed)
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(
        std::fs::read_to_string(&env_report).unwrap(),
        "ok: every invariant holds, nothing to change\n"
    );
}

#[test]
fn a_terminal_on_stdin_is_a_usage_error_not_a_hang() {
    let cmd = format!("{}; echo exit=$?", env!("CARGO_BIN_EXE_kubectl-dagu"));
    let out = Command::new("script")
        .args(["-qec", &cmd, "/dev/null"])
        .stdin(std::process::Stdio::null())
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("reads rendered manifests on stdin"), "{text}");
    assert!(text.contains("exit=2"), "{text}");
}

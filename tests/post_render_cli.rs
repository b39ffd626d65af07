//! The post-render command line: modes (`--check`, `-o json`, `--diff`, `--list-rules`), the top-level form
//! without a subcommand, and what reaches stdout and stderr.

use std::path::{Path, PathBuf};

use assert_cmd::Command;
use serde_json::Value;

fn fixture(case: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/post_render/good")
        .join(case)
}

fn run(case: &str, args: &[&str]) -> std::process::Output {
    let dir = fixture(case);
    Command::cargo_bin("kubectl-dagu")
        .unwrap()
        .current_dir(&dir)
        .args(args)
        .env("NO_COLOR", "1")
        .write_stdin(std::fs::read(dir.join("input.yaml")).unwrap())
        .output()
        .unwrap()
}

const BROKEN: &str = "helm3-broken-variants";
const VALUES: [&str; 4] = ["-f", "values.yaml", "--namespace", "team"];

fn with(extra: &[&'static str]) -> Vec<&'static str> {
    let mut v = VALUES.to_vec();
    v.extend(extra);
    v
}

#[test]
fn check_lists_each_finding_and_exits_1_without_stdout() {
    let out = run(BROKEN, &with(&["--check"]));
    assert_eq!(out.status.code(), Some(1));
    assert!(out.stdout.is_empty());
    let stderr = String::from_utf8(out.stderr).unwrap();
    let line = stderr
        .lines()
        .find(|l| {
            l.starts_with("[service-links-disabled] document 6 Deployment/prod-dagu-coordinator")
        })
        .unwrap_or_else(|| panic!("{stderr}"));
    assert!(line.contains(
        "(dagu/templates/coordinator-deployment.yaml) /spec/template/spec/enableServiceLinks"
    ));
    assert!(line.ends_with("(expected false, found nothing)"), "{line}");
    assert!(
        stderr.contains("[worker-labels] document 10 Deployment/prod-dagu-worker-gpu"),
        "{stderr}"
    );
    assert!(
        stderr.contains("found [\"gpu=true,cuda=12.0,arch=amd64\"]"),
        "{stderr}"
    );
}

#[test]
fn check_on_a_correct_stream_exits_0() {
    let out = run(
        "helm3-two-pools",
        &["-f", "values.yaml", "--namespace", "dagu", "--check"],
    );
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stderr).contains("ok: every invariant holds"));
}

#[test]
fn json_output_carries_rfc6902_operations_and_context() {
    let out = run(BROKEN, &with(&["-o", "json"]));
    assert_eq!(out.status.code(), Some(1));
    let report: Value = serde_json::from_slice(&out.stdout).expect("JSON on stdout");
    assert_eq!(report["release"], "prod");
    assert_eq!(report["fullname"], "prod-dagu");
    assert_eq!(report["namespace"], "team");
    assert_eq!(report["errors"], 0);
    let findings = report["findings"].as_array().unwrap();
    let links = findings
        .iter()
        .find(|f| f["rule"] == "service-links-disabled")
        .unwrap();
    assert_eq!(links["action"], "fix");
    assert_eq!(links["document"]["index"], 6);
    assert_eq!(
        links["operations"],
        serde_json::json!([{"op": "add", "path": "/spec/template/spec/enableServiceLinks", "value": false}])
    );
    let labels = findings
        .iter()
        .find(|f| f["rule"] == "worker-labels")
        .unwrap();
    assert_eq!(
        labels["operations"][0]["op"], "test",
        "replacing a list is guarded by a test op"
    );
    let warning = findings
        .iter()
        .find(|f| f["rule"] == "insecure-config")
        .unwrap();
    assert_eq!(warning["action"], "warning");
}

#[test]
fn diff_shows_only_what_enforcement_changes() {
    let out = run(BROKEN, &with(&["--diff"]));
    assert_eq!(out.status.code(), Some(0));
    let diff = String::from_utf8(out.stdout).unwrap();
    assert!(
        diff.contains("--- a: document 6 Deployment/prod-dagu-coordinator"),
        "{diff}"
    );
    assert!(diff.contains("+      enableServiceLinks: false"), "{diff}");
    assert!(
        !diff.contains("ConfigMap/prod-dagu-config"),
        "unchanged documents are not in the diff"
    );
}

#[test]
fn enforcement_keeps_source_comments_and_positions() {
    let out = run(BROKEN, &VALUES);
    assert_eq!(out.status.code(), Some(0));
    let input = std::fs::read_to_string(fixture(BROKEN).join("input.yaml")).unwrap();
    let output = String::from_utf8(out.stdout).unwrap();
    let sources = |s: &str| {
        s.lines()
            .filter(|l| l.starts_with("# Source:"))
            .map(str::to_string)
            .collect::<Vec<_>>()
    };
    assert_eq!(sources(&input), sources(&output));
    let docs = |s: &str| s.split("\n---\n").map(str::to_string).collect::<Vec<_>>();
    let (before, after) = (docs(&input), docs(&output));
    assert_eq!(before.len(), after.len());
    for (b, a) in before.iter().zip(&after) {
        if b.contains("kind: Service\n") || b.contains("kind: PersistentVolumeClaim") {
            assert_eq!(b, a, "documents no rule changes come back byte for byte");
        }
    }
}

#[test]
fn replaced_extra_env_values_are_reported_on_stderr() {
    let dir = tempfile::tempdir().unwrap();
    let values = dir.path().join("v.yaml");
    std::fs::write(
        &values,
        "extraEnv:\n  - {name: DAGU_SCHEDULER_EXTRA, value: new}\n",
    )
    .unwrap();
    let input = std::fs::read_to_string(fixture("hand-minimal").join("input.yaml")).unwrap()
        .replace("- {name: DAGU_HOME, value: /data}", "- {name: DAGU_HOME, value: /data}\n            - {name: DAGU_SCHEDULER_EXTRA, value: old}");
    let out = Command::cargo_bin("kubectl-dagu")
        .unwrap()
        .args(["-f", values.to_str().unwrap()])
        .env("NO_COLOR", "1")
        .write_stdin(input)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(
        stderr.contains("warning: [extra-env] document 3 Deployment/dagu-scheduler"),
        "{stderr}"
    );
    assert!(
        stderr.contains("DAGU_SCHEDULER_EXTRA replaced by the extraEnv value"),
        "{stderr}"
    );
    assert!(String::from_utf8(out.stdout)
        .unwrap()
        .contains("value: new"));
}

#[test]
fn subcommand_and_top_level_forms_are_the_same() {
    let top = run(BROKEN, &VALUES);
    let mut sub_args = vec!["post-render"];
    sub_args.extend(VALUES);
    let sub = run(BROKEN, &sub_args);
    assert_eq!(top.status.code(), Some(0));
    assert_eq!(top.stdout, sub.stdout);
}

#[test]
fn list_rules_prints_the_registry() {
    let out = Command::cargo_bin("kubectl-dagu")
        .unwrap()
        .args(["post-render", "--list-rules"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let text = String::from_utf8(out.stdout).unwrap();
    for id in [
        "pvc-read-write-many",
        "pvc-exists",
        "service-links-disabled",
        "dagu-home",
        "data-mount",
        "config-mount",
        "extra-env",
        "component-env",
        "worker-pool-name",
        "worker-labels",
        "worker-pool-label",
        "env-passthrough",
    ] {
        assert!(
            text.lines().any(|l| l.starts_with(id)),
            "{id} missing from:\n{text}"
        );
    }
}

#[test]
fn conflicting_modes_are_a_usage_error() {
    let out = run(BROKEN, &with(&["--check", "-o", "json"]));
    assert_eq!(out.status.code(), Some(2));
    assert!(out.stdout.is_empty());
}

#[test]
fn help_says_how_release_namespace_and_fullname_are_resolved() {
    let out = Command::cargo_bin("kubectl-dagu")
        .unwrap()
        .args(["post-render", "--help"])
        .output()
        .unwrap();
    let help = String::from_utf8(out.stdout).unwrap();
    assert!(help.contains("app.kubernetes.io/instance"), "{help}");
    assert!(help.contains("metadata.namespace"), "{help}");
    assert!(help.contains("fullnameOverride"), "{help}");
}

#[test]
fn an_error_is_printed_once_with_its_exit_code() {
    let out = Command::cargo_bin("kubectl-dagu")
        .unwrap()
        .env("NO_COLOR", "1")
        .write_stdin("")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert_eq!(stderr.matches("the input is empty").count(), 1, "{stderr}");
    assert!(stderr.starts_with("error: "), "{stderr}");
}

#[test]
fn secret_values_never_reach_diffs_reports_or_errors() {
    let base = std::fs::read_to_string(fixture("crlf").join("input.yaml"))
        .unwrap()
        .replace("\r\n", "\n");
    let input = format!(
        "{base}---\napiVersion: v1\nkind: Secret\nmetadata: {{name: creds}}\nstringData:\n  password: hunter2\ndata:\n  token: aHVudGVyMg==\n"
    );
    for args in [
        vec!["--diff"],
        vec!["-o", "json"],
        vec!["--check"],
        vec!["--set", "extraEnv=oops"],
    ] {
        let out = Command::cargo_bin("kubectl-dagu")
            .unwrap()
            .args(&args)
            .write_stdin(input.clone())
            .output()
            .unwrap();
        let all = format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(
            !all.contains("hunter2") && !all.contains("aHVudGVyMg=="),
            "{args:?} printed a secret:\n{all}"
        );
        assert!(!all.is_empty(), "{args:?} printed nothing");
    }
}

//! `kubectl-dagu port-forward` as a user runs it, without a cluster: help, flag validation, and kubeconfig
//! failures that must end fast with exit 3 instead of waiting or falling back to another cluster.

use std::time::Duration;

use assert_cmd::Command;
use predicates::prelude::*;

fn cmd() -> Command {
    let mut cmd = Command::cargo_bin("kubectl-dagu").unwrap();
    // No ambient cluster: every test names its kubeconfig, or has none.
    cmd.env_remove("KUBECONFIG")
        .env("HOME", "/nonexistent")
        .arg("port-forward");
    cmd
}

/// A kubeconfig whose only cluster is 127.0.0.1:1, where nothing listens.
fn unreachable_kubeconfig(dir: &tempfile::TempDir) -> std::path::PathBuf {
    let path = dir.path().join("config");
    std::fs::write(
        &path,
        "apiVersion: v1\nkind: Config\n\
         clusters: [{name: c, cluster: {server: 'https://127.0.0.1:1', insecure-skip-tls-verify: true}}]\n\
         users: [{name: u, user: {token: t}}]\n\
         contexts: [{name: ok, context: {cluster: c, user: u, namespace: dagu}}]\ncurrent-context: ok\n",
    )
    .unwrap();
    path
}

#[test]
fn help_documents_flags_examples_and_exit_codes() {
    let assert = cmd().arg("--help").assert().success();
    let out = String::from_utf8(assert.get_output().stdout.clone()).unwrap();
    for needle in [
        "[RELEASE]",
        "[default: dagu]",
        "--component",
        "--address",
        "--port <LOCAL[:REMOTE]>",
        "--name-override",
        "--fullname-override",
        "--kubeconfig",
        "--context",
        "--namespace",
        "kubectl dagu port-forward prod -n dagu",
        "Forwarding from http://127.0.0.1:PORT",
        "Exit codes: 0 stopped by Ctrl-C",
        "create pods/portforward",
    ] {
        assert!(out.contains(needle), "--help lacks {needle:?}:\n{out}");
    }
}

#[test]
fn bad_port_is_a_usage_error() {
    for bad in ["http", "70000", "8080:0", "1:2:3"] {
        cmd()
            .args(["--port", bad])
            .assert()
            .code(2)
            .stderr(predicate::str::contains("--port"));
    }
}

#[test]
fn bad_address_and_component_are_usage_errors() {
    cmd()
        .args(["--address", "example.com"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("is not an IP address"));
    cmd()
        .args(["--component", "worker"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "possible values: ui, coordinator, scheduler",
        ));
}

#[test]
fn a_context_that_does_not_exist_fails_with_exit_3() {
    let dir = tempfile::tempdir().unwrap();
    let kubeconfig = unreachable_kubeconfig(&dir);
    cmd()
        .arg("--kubeconfig")
        .arg(&kubeconfig)
        .args(["--context", "nope"])
        .assert()
        .code(3)
        .stderr(predicate::str::contains("nope"))
        .stdout(predicate::str::is_empty());
}

#[test]
fn an_unreachable_cluster_fails_fast_with_exit_3() {
    let dir = tempfile::tempdir().unwrap();
    let kubeconfig = unreachable_kubeconfig(&dir);
    cmd()
        .arg("--kubeconfig")
        .arg(&kubeconfig)
        // A hang (retrying forever) is killed and fails the exit-code assertion.
        .timeout(Duration::from_secs(60))
        .assert()
        .code(3)
        .stderr(predicate::str::contains(
            "failed to list services in namespace \"dagu\"",
        ))
        .stdout(predicate::str::is_empty());
}

#[test]
fn a_missing_explicit_kubeconfig_fails_with_exit_3() {
    cmd()
        .args(["--kubeconfig", "/nonexistent/kubeconfig"])
        .assert()
        .code(3)
        .stderr(predicate::str::contains("/nonexistent/kubeconfig"));
}

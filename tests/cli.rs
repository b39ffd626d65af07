//! The binary as users meet it: version, help, shell completion and kubectl plugin discovery.
//! (Post-render, run-step and port-forward have their own test binaries.)

use std::path::Path;
use std::process::Command;

use assert_cmd::cargo::cargo_bin;
use predicates::prelude::*;

fn bin() -> assert_cmd::Command {
    assert_cmd::Command::cargo_bin("kubectl-dagu").unwrap()
}

/// A directory holding `kubectl-dagu` and `kubectl_complete-dagu`, as `cargo install` + the README set it up.
fn plugin_path_dir() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::os::unix::fs::symlink(cargo_bin("kubectl-dagu"), dir.path().join("kubectl-dagu")).unwrap();
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("scripts/kubectl_complete-dagu");
    std::os::unix::fs::symlink(script, dir.path().join("kubectl_complete-dagu")).unwrap();
    dir
}

fn path_with(dir: &Path) -> String {
    format!(
        "{}:{}",
        dir.display(),
        std::env::var("PATH").unwrap_or_default()
    )
}

#[test]
fn version_prints_version_commit_and_kubernetes_api() {
    bin()
        .arg("version")
        .assert()
        .success()
        .stdout(predicate::str::contains(concat!(
            "kubectl-dagu ",
            env!("CARGO_PKG_VERSION")
        )))
        .stdout(predicate::str::contains("git commit: "))
        .stdout(predicate::str::contains("kubernetes API: 1."));
}

#[test]
fn help_lists_the_three_uses_and_exit_codes() {
    bin()
        .arg("--help")
        .assert()
        .success()
        .stdout(predicate::str::contains("post-render"))
        .stdout(predicate::str::contains("port-forward"))
        .stdout(predicate::str::contains("run-step"))
        .stdout(predicate::str::contains("Exit codes"));
}

#[test]
fn every_subcommand_has_help_with_examples() {
    for sub in [
        "post-render",
        "port-forward",
        "run-step",
        "completion",
        "version",
    ] {
        bin()
            .args([sub, "--help"])
            .assert()
            .success()
            .stdout(predicate::str::contains("Usage:"))
            .stdout(predicate::str::contains("Example"));
    }
}

#[test]
fn unknown_flag_is_a_usage_error_with_exit_2() {
    bin()
        .args(["version", "--no-such-flag"])
        .assert()
        .code(2)
        .stdout("");
}

#[test]
fn bash_completion_script_completes_subcommands() {
    let script = bin().args(["completion", "bash"]).output().unwrap();
    assert!(script.status.success());
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("kubectl-dagu.bash");
    std::fs::write(&file, &script.stdout).unwrap();
    let check = format!(
        "source '{}'; spec=$(complete -p kubectl-dagu) || exit 9; fn=${{spec#*-F }}; fn=${{fn%% *}}; \
         COMP_WORDS=(kubectl-dagu ru); COMP_CWORD=1; COMP_LINE='kubectl-dagu ru'; COMP_POINT=15; \
         \"$fn\" kubectl-dagu ru kubectl-dagu; printf '%s\\n' \"${{COMPREPLY[@]}}\"",
        file.display()
    );
    let out = Command::new("bash")
        .args(["--norc", "-c", &check])
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "bash failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(stdout.trim(), "run-step", "COMPREPLY was: {stdout}");
}

#[test]
fn zsh_and_fish_scripts_are_generated() {
    for shell in ["zsh", "fish"] {
        bin()
            .args(["completion", shell])
            .assert()
            .success()
            .stdout(predicate::str::contains("kubectl-dagu"));
    }
}

/// kubectl from PATH; scripts/test makes sure there is one, so its absence fails the test.
fn kubectl() -> std::path::PathBuf {
    std::env::var("PATH")
        .unwrap_or_default()
        .split(':')
        .map(|d| Path::new(d).join("kubectl"))
        .find(|p| p.is_file())
        .expect("no kubectl on PATH: install one (`apt-get install kubernetes-client`) or run scripts/test")
}

#[test]
fn kubectl_finds_the_plugin_on_path() {
    let kubectl = kubectl();
    let dir = plugin_path_dir();
    let out = Command::new(kubectl)
        .args(["dagu", "--help"])
        .env("PATH", path_with(dir.path()))
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "kubectl dagu --help: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains("run-step"));
}

#[test]
fn kubectl_plugin_completion_offers_subcommands() {
    let kubectl = kubectl();
    let dir = plugin_path_dir();
    let out = Command::new(kubectl)
        .args(["__complete", "dagu", "run"])
        .env("PATH", path_with(dir.path()))
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stdout.lines().any(|l| l.starts_with("run-step")),
        "kubectl __complete dagu run: {stdout}"
    );
}

#[test]
fn krew_manifest_is_a_plugin_with_documented_placeholders_that_release_krew_fills() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(root.join("deploy/krew/dagu.yaml")).unwrap();
    let manifest: serde_json::Value = serde_saphyr::from_str(&text).unwrap();
    assert_eq!(
        manifest["apiVersion"],
        "krew.googlecontainertools.github.com/v1alpha2"
    );
    assert_eq!(manifest["kind"], "Plugin");
    assert_eq!(manifest["metadata"]["name"], "dagu");
    let platforms = manifest["spec"]["platforms"].as_array().unwrap();
    assert!(!platforms.is_empty());
    for p in platforms {
        assert_eq!(p["bin"], "kubectl-dagu");
        for key in ["uri", "sha256"] {
            let placeholder = p[key].as_str().unwrap();
            assert!(
                placeholder.starts_with("{{"),
                "{key} should be a placeholder: {placeholder}"
            );
            assert!(
                text.lines()
                    .any(|l| l.starts_with('#') && l.contains(placeholder)),
                "placeholder {placeholder} is not documented in the manifest header"
            );
        }
    }

    let work = tempfile::tempdir().unwrap();
    let release = work.path().join("target/x86_64-unknown-linux-musl/release");
    std::fs::create_dir_all(&release).unwrap();
    std::fs::copy(cargo_bin("kubectl-dagu"), release.join("kubectl-dagu")).unwrap();
    let dist = work.path().join("dist");
    let out = Command::new(root.join("scripts/release-krew"))
        .args([
            "https://example.invalid/v1",
            "x86_64-unknown-linux-musl=LINUX_AMD64",
        ])
        .env("TARGET_DIR", work.path().join("target"))
        .env("DIST_DIR", &dist)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let filled: serde_json::Value =
        serde_saphyr::from_str(&std::fs::read_to_string(dist.join("dagu.yaml")).unwrap()).unwrap();
    assert_eq!(
        filled["spec"]["version"],
        concat!("v", env!("CARGO_PKG_VERSION"))
    );
    let amd64 = &filled["spec"]["platforms"][0];
    let archive = format!(
        "kubectl-dagu-v{}-x86_64-unknown-linux-musl.tar.gz",
        env!("CARGO_PKG_VERSION")
    );
    assert_eq!(
        amd64["uri"],
        format!("https://example.invalid/v1/{archive}")
    );
    let sum = Command::new("sha256sum")
        .arg(dist.join(&archive))
        .output()
        .unwrap();
    assert_eq!(
        amd64["sha256"].as_str().unwrap(),
        String::from_utf8_lossy(&sum.stdout)
            .split(' ')
            .next()
            .unwrap()
    );
}

/// The Role printed in each use's page is the one the e2e tests prove (`docs/rbac/<role>.yaml`).
#[test]
fn rbac_roles_in_the_docs_match_the_proven_files() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    for (page, role) in [
        ("run-step", "run-step"),
        ("port-forward", "port-forward"),
        ("doctor", "doctor"),
        ("doctor", "upgrade-check"),
    ] {
        let file = std::fs::read_to_string(root.join(format!("docs/rbac/{role}.yaml"))).unwrap();
        let proven: serde_json::Value = serde_saphyr::from_str(&file).unwrap();
        let md = std::fs::read_to_string(root.join(format!("docs/{page}.md"))).unwrap();
        let shown: serde_json::Value = md
            .split("```yaml")
            .skip(1)
            .filter_map(|rest| rest.split("```").next())
            .filter(|b| b.contains("kind: Role"))
            .map(|b| serde_saphyr::from_str::<serde_json::Value>(b).unwrap())
            .find(|v| v["metadata"]["name"] == proven["metadata"]["name"])
            .unwrap_or_else(|| {
                panic!(
                    "docs/{page}.md shows no Role {} in a ```yaml block",
                    proven["metadata"]["name"]
                )
            });
        assert_eq!(
            shown, proven,
            "docs/{page}.md shows a different Role than docs/rbac/{role}.yaml"
        );
    }
}

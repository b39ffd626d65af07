//! Workspace base configs from the command line: which files are found, merged and logged with `-v`.

use assert_cmd::Command;
use predicates::prelude::*;

/// A DAG labelled workspace=ops gets DAGS_DIR/workspaces/ops/base.yaml over the global base; DAGS_DIR is
/// `--dags-dir`, else `paths.dags_dir` of `--dagu-config` / $DAGU_HOME/config.yaml, else $DAGU_HOME/dags.
#[test]
fn workspace_base_is_merged_after_the_global_one_and_logged_in_order() {
    let home = tempfile::tempdir().unwrap();
    let h = home.path();
    let write = |rel: &str, text: &str| {
        let path = h.join(rel);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, text).unwrap();
        path.to_str().unwrap().to_string()
    };
    let global = write(
        "base.yaml",
        "kubernetes: {image: 'busybox:1.36', labels: {from: global}}\n",
    );
    let dag = write("etl.yaml", "labels: {workspace: ops}\nsteps:\n  - {id: s, action: k8s.run, with: {command: echo hi}}\n");
    let run = |extra: &[&str]| {
        Command::cargo_bin("kubectl-dagu")
            .unwrap()
            .args(["run-step", &dag, "s", "--dry-run", "-v"])
            .args(extra)
            .env("DAGU_HOME", h)
            .env("NO_COLOR", "1")
            .assert()
            .success()
    };
    let in_home = write(
        "dags/workspaces/ops/base.yaml",
        "kubernetes: {labels: {ws: home}}\n",
    );
    let out = run(&[])
        .stdout(predicate::str::contains("from: global").and(predicate::str::contains("ws: home")));
    let err = String::from_utf8(out.get_output().stderr.clone()).unwrap();
    assert!(
        err.contains(&format!("base files merged, in order: {global}, {in_home}")),
        "{err}"
    );
    write(
        "config.yaml",
        &format!("paths:\n  dags_dir: {}\n", h.join("cfg").display()),
    );
    write(
        "cfg/workspaces/ops/base.yaml",
        "kubernetes: {labels: {ws: config}}\n",
    );
    run(&[]).stdout(predicate::str::contains("ws: config"));
    let flag = h.join("flag");
    write(
        "flag/workspaces/ops/base.yaml",
        "kubernetes: {labels: {ws: flag}}\n",
    );
    run(&["--dags-dir", flag.to_str().unwrap()]).stdout(predicate::str::contains("ws: flag"));
    let other = write(
        "other.yaml",
        &format!("paths: {{dags_dir: {}}}\n", h.join("dags").display()),
    );
    run(&["--dagu-config", &other]).stdout(predicate::str::contains("ws: home"));
}

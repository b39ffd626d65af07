//! `kubectl-dagu run-step` from the command line, without a cluster: dry-run output, usage errors, exit codes.
//! The Job goldens themselves live beside the code (`src/run_step/plan/snapshots/`).

use assert_cmd::Command;
use predicates::prelude::*;

#[path = "run_step/workspace.rs"]
mod workspace;

const FIXTURES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/run_step");

fn run_step(args: &[&str]) -> assert_cmd::assert::Assert {
    Command::cargo_bin("kubectl-dagu")
        .unwrap()
        .arg("run-step")
        .args(args)
        .env_remove("DAGU_HOME")
        .env_remove("KUBECONFIG")
        .env("NO_COLOR", "1")
        .assert()
}

fn fixture(name: &str) -> String {
    format!("{FIXTURES}/{name}")
}

mod dry_run {
    use super::*;

    #[test]
    fn prints_the_job_as_yaml_by_default() {
        let out = run_step(&[&fixture("complete.yaml"), "migrate", "--dry-run"]).success();
        let text = String::from_utf8(out.get_output().stdout.clone()).unwrap();
        let snapshot = std::fs::read_to_string(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/src/run_step/plan/snapshots/kubectl_dagu__run_step__plan__tests__complete_example_migrate.snap"
        ))
        .unwrap();
        let golden = snapshot.splitn(3, "---\n").nth(2).unwrap();
        assert_eq!(
            text.trim_end(),
            golden.trim_end(),
            "dry-run output differs from the golden Job"
        );
    }

    #[test]
    fn prints_json_with_o_json() {
        let out = run_step(&[
            &fixture("complete.yaml"),
            "report",
            "--dry-run",
            "-o",
            "json",
            "-p",
            "DATE=2026-03-31",
        ])
        .success();
        let job: serde_json::Value = serde_json::from_slice(&out.get_output().stdout).unwrap();
        assert_eq!(job["kind"], "Job");
        assert_eq!(job["metadata"]["generateName"], "report-");
        let container = &job["spec"]["template"]["spec"]["containers"][0];
        assert_eq!(
            container["command"],
            serde_json::json!(["app", "report", "--date", "2026-03-31"])
        );
        assert_eq!(
            job["spec"]["podFailurePolicy"]["rules"][0]["onExitCodes"]["values"],
            serde_json::json!([42])
        );
    }

    #[test]
    fn namespace_flag_wins_over_the_config() {
        run_step(&[
            &fixture("complete.yaml"),
            "migrate",
            "--dry-run",
            "-n",
            "other",
        ])
        .success()
        .stdout(predicate::str::contains("namespace: other"));
    }

    #[test]
    fn base_yaml_from_dagu_home_is_used_and_logged_with_v() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join("base.yaml"),
            "kubernetes:\n  image: busybox:1.36\n  labels: {from: base}\n",
        )
        .unwrap();
        let dag = dir.path().join("dag.yaml");
        std::fs::write(&dag, "steps:\n  - {id: s, type: k8s, command: echo hi}\n").unwrap();
        Command::cargo_bin("kubectl-dagu")
            .unwrap()
            .args(["run-step", dag.to_str().unwrap(), "s", "--dry-run", "-v"])
            .env("DAGU_HOME", dir.path())
            .env("NO_COLOR", "1")
            .assert()
            .success()
            .stdout(
                predicate::str::contains("image: busybox:1.36")
                    .and(predicate::str::contains("from: base")),
            )
            .stderr(predicate::str::contains(
                dir.path().join("base.yaml").to_str().unwrap(),
            ));
    }
}

mod errors {
    use super::*;

    #[test]
    fn unknown_step_lists_the_available_steps() {
        run_step(&[&fixture("complete.yaml"), "nope", "--dry-run"])
            .code(2)
            .stderr(
                predicate::str::contains("no step \"nope\"")
                    .and(predicate::str::contains("migrate [type: k8s]"))
                    .and(predicate::str::contains("report [type: kubernetes]")),
            );
    }

    #[test]
    fn all_errors_are_listed_with_exit_2() {
        let fixed = std::fs::read_to_string(fixture("invalid.yaml"))
            .unwrap()
            .replace("imag:", "image:")
            .replace("    script: echo hi\n", "");
        let dir = tempfile::tempdir().unwrap();
        let dag = dir.path().join("broken.yaml");
        std::fs::write(&dag, fixed).unwrap();
        run_step(&[dag.to_str().unwrap(), "migrate", "--dry-run"])
            .code(2)
            .stderr(
                predicate::str::contains("invalid config for step migrate (6 errors)")
                    .and(predicate::str::contains(
                        "kubernetes.security_context.run_as_user: must be >= 0, found -1",
                    ))
                    .and(predicate::str::contains(
                        "steps[migrate].config.env[0].name: is required",
                    ))
                    .and(predicate::str::contains(
                        "[resources] kubernetes.resources.requests.cpu",
                    )),
            );
    }

    #[test]
    fn unknown_fields_get_a_hint() {
        run_step(&[&fixture("invalid.yaml"), "migrate", "--dry-run"])
            .code(2)
            .stderr(predicate::str::contains(
                "steps[migrate].config.imag: unknown field; did you mean `image`?",
            ));
    }

    #[test]
    fn unresolved_parameter_is_named() {
        run_step(&[&fixture("complete.yaml"), "report", "--dry-run"])
            .code(2)
            .stderr(
                predicate::str::contains("${DATE} is not set")
                    .and(predicate::str::contains("-p DATE=VALUE")),
            );
    }

    #[test]
    fn non_kubernetes_step_is_refused() {
        run_step(&[&fixture("invalid.yaml"), "plain", "--dry-run"])
            .code(2)
            .stderr(predicate::str::contains(
                "step plain has type \"command\" (the default); run-step runs only Kubernetes steps: `action: k8s.run`",
            ));
    }

    #[test]
    fn missing_dag_file_is_a_usage_error() {
        run_step(&["/nonexistent/dag.yaml", "x", "--dry-run"])
            .code(2)
            .stderr(predicate::str::contains("/nonexistent/dag.yaml"));
    }

    #[test]
    fn output_format_needs_dry_run() {
        run_step(&[&fixture("complete.yaml"), "migrate", "-o", "json"]).code(2);
    }

    #[test]
    fn bad_parameter_syntax_is_a_usage_error() {
        run_step(&[
            &fixture("complete.yaml"),
            "report",
            "--dry-run",
            "-p",
            "DATE",
        ])
        .code(2)
        .stderr(predicate::str::contains("NAME=VALUE"));
    }

    #[test]
    fn a_kubeconfig_context_that_does_not_exist_fails_fast_with_3() {
        let dir = tempfile::tempdir().unwrap();
        let kc = dir.path().join("config");
        std::fs::write(
            &kc,
            "apiVersion: v1\nkind: Config\nclusters: [{name: c, cluster: {server: 'https://127.0.0.1:1'}}]\n\
             users: [{name: u, user: {token: t}}]\ncontexts: [{name: ok, context: {cluster: c, user: u}}]\ncurrent-context: ok\n",
        )
        .unwrap();
        let dag = dir.path().join("dag.yaml");
        std::fs::write(
            &dag,
            "steps:\n  - {id: s, type: k8s, config: {image: 'busybox:1.36'}, command: echo hi}\n",
        )
        .unwrap();
        run_step(&[
            dag.to_str().unwrap(),
            "s",
            "--kubeconfig",
            kc.to_str().unwrap(),
            "--context",
            "nope",
        ])
        .code(3)
        .stderr(predicate::str::contains("nope"));
    }
}

mod list {
    use super::*;

    #[test]
    fn lists_steps_without_a_step_argument() {
        run_step(&["--list", &fixture("complete.yaml")])
            .success()
            .stdout(predicate::str::contains(
                "migrate  -     k8s         ghcr.io/example/migrator:2026-03-31",
            ));
    }

    #[test]
    fn a_step_argument_is_required_without_list() {
        run_step(&[&fixture("complete.yaml")]).code(2);
    }
}

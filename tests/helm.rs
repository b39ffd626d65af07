//! Real helm (3.10.1, `scripts/install-helm`) rendering the project's test chart through the built binary.
//! Invariants are checked here on the parsed output, independently of the rule code.

#[path = "helm/invariants.rs"]
mod invariants;
mod support;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use invariants::{assert_invariants, Expect};
use serde_json::Value;

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn charts() -> PathBuf {
    root().join("tests/charts")
}

fn bin() -> &'static str {
    env!("CARGO_BIN_EXE_kubectl-dagu")
}

use support::helm::helm;

fn helm_template(args: &[&str]) -> Output {
    Command::new(helm())
        .current_dir(charts())
        .args(["template", "dagu", "dagu"])
        .args(args)
        .output()
        .unwrap()
}

fn post_render_args(values: &[&str]) -> Vec<String> {
    let mut args = vec!["--post-renderer".to_string(), bin().to_string()];
    for v in values {
        args.push(format!("--post-renderer-args={v}"));
    }
    args
}

fn ok(out: &Output) -> String {
    assert!(
        out.status.success(),
        "failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout.clone()).unwrap()
}

fn run_bin(args: &[&str], stdin: &str) -> Output {
    assert_cmd::Command::new(bin())
        .current_dir(charts())
        .args(args)
        .write_stdin(stdin.to_string())
        .output()
        .unwrap()
}

#[test]
fn acceptance_two_pools_through_post_renderer() {
    let mut args = vec!["-f", "values-with-two-pools.yaml"];
    let pr = post_render_args(&["-f", "values-with-two-pools.yaml"]);
    args.extend(pr.iter().map(String::as_str));
    let out = ok(&helm_template(&args));
    assert_invariants(&out, &Expect::two_pools("dagu", "default"));
    let check = run_bin(&["-f", "values-with-two-pools.yaml", "--check"], &out);
    assert_eq!(
        check.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&check.stderr)
    );
}

#[test]
fn post_renderer_and_pipe_give_the_same_stream_and_the_chart_output_is_kept_byte_for_byte() {
    let rendered = ok(&helm_template(&[
        "-f",
        "values-with-two-pools.yaml",
        "--namespace",
        "team",
    ]));
    let piped = run_bin(&["-f", "values-with-two-pools.yaml"], &rendered);
    assert_eq!(
        ok(&piped),
        rendered,
        "a correct rendering must come back unchanged"
    );
    assert_invariants(&rendered, &Expect::two_pools("dagu", "team"));
}

#[test]
fn broken_variant_missing_service_links_extra_env_dagu_home_and_label_order_is_fixed() {
    let mut args = vec![
        "-f",
        "values-with-two-pools.yaml",
        "--namespace",
        "team",
        "--set",
        "testing.break={serviceLinks,workerExtraEnv,daguHome,labelOrder}",
    ];
    let broken = ok(&helm_template(&args));
    assert!(std::panic::catch_unwind(|| assert_invariants(
        &broken,
        &Expect::two_pools("dagu", "team")
    ))
    .is_err());
    let pr = post_render_args(&["-f", "values-with-two-pools.yaml"]);
    args.extend(pr.iter().map(String::as_str));
    let fixed = ok(&helm_template(&args));
    assert_invariants(&fixed, &Expect::two_pools("dagu", "team"));
    let check = run_bin(&["-f", "values-with-two-pools.yaml", "--check"], &fixed);
    assert_eq!(
        check.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&check.stderr)
    );
    let again = run_bin(&["-f", "values-with-two-pools.yaml"], &fixed);
    assert_eq!(ok(&again), fixed, "a second run must change nothing");
}

#[test]
fn broken_variant_rwo_pvc_is_rejected_unless_validation_is_skipped() {
    let chart_args = [
        "--set",
        "persistence.accessMode=ReadWriteOnce",
        "--set",
        "testing.break={pvcCheck}",
    ];
    let mut args = chart_args.to_vec();
    let pr = post_render_args(&[]);
    args.extend(pr.iter().map(String::as_str));
    let out = helm_template(&args);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success());
    assert!(out.stdout.is_empty(), "helm must not print a half stream");
    assert!(
        stderr.contains("[pvc-read-write-many]") && stderr.contains("dagu-data"),
        "{stderr}"
    );

    let mut args = chart_args.to_vec();
    let pr = post_render_args(&["--set", "persistence.skipValidation=true"]);
    args.extend(pr.iter().map(String::as_str));
    let out = ok(&helm_template(&args));
    assert!(out.contains("ReadWriteOnce"));
}

#[test]
fn broken_variant_bad_pool_name_is_rejected() {
    let set = ["--set", "workerPools.GPU_pool.replicas=1"];
    let chart = helm_template(&set);
    assert!(!chart.status.success(), "the chart itself rejects the name");
    let mut args = set.to_vec();
    args.extend(["--set", "testing.break={poolNameCheck}"]);
    let pr = post_render_args(&set);
    args.extend(pr.iter().map(String::as_str));
    let out = helm_template(&args);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success() && out.stdout.is_empty());
    assert!(
        stderr.contains("[worker-pool-name]") && stderr.contains("\"GPU_pool\""),
        "{stderr}"
    );
}

#[test]
fn release_name_and_overrides_drive_the_fullname() {
    let out = Command::new(helm())
        .current_dir(charts())
        .args([
            "template",
            "prod",
            "dagu",
            "--set",
            "nameOverride=wf",
            "--namespace",
            "ops",
        ])
        .args(post_render_args(&[
            "--set",
            "nameOverride=wf",
            "--namespace",
            "ops",
        ]))
        .output()
        .unwrap();
    let out = ok(&out);
    assert_invariants(&out, &Expect::default_pool("prod-wf", "ops"));
}

#[test]
fn example_rendering_is_current() {
    let rendered = ok(&Command::new(helm())
        .current_dir(root())
        .args([
            "template",
            "dagu",
            "tests/charts/dagu",
            "-f",
            "examples/values-two-pools.yaml",
        ])
        .output()
        .unwrap());
    let committed = std::fs::read_to_string(root().join("examples/rendered.yaml")).unwrap();
    assert_eq!(
        committed, rendered,
        "regenerate examples/rendered.yaml with helm template (see docs/post-render.md)"
    );
    let same = std::fs::read(root().join("tests/charts/values-with-two-pools.yaml")).unwrap();
    assert_eq!(
        same,
        std::fs::read(root().join("examples/values-two-pools.yaml")).unwrap()
    );
}

#[test]
fn plugin_yaml_names_a_command_that_post_renders() {
    let text = std::fs::read_to_string(root().join("plugin.yaml")).unwrap();
    let plugin: serde_json::Value = serde_saphyr::from_str(&text).unwrap();
    assert_eq!(plugin["apiVersion"], "v1");
    assert_eq!(
        plugin["name"], "dagu",
        "README and docs use --post-renderer dagu"
    );
    assert_eq!(plugin["type"], "postrenderer/v1");
    assert_eq!(plugin["runtime"], "subprocess");
    assert!(
        plugin
            .get("config")
            .is_none_or(|c| c.as_object().is_some_and(|m| m.is_empty())),
        "config must stay empty for a post-renderer"
    );
    for (event, hooks) in plugin["runtimeConfig"]["platformHooks"]
        .as_object()
        .into_iter()
        .flatten()
    {
        for hook in hooks.as_array().unwrap() {
            let hook_keys: Vec<_> = hook.as_object().unwrap().keys().collect();
            assert!(
                hook_keys
                    .iter()
                    .all(|k| ["os", "arch", "command", "args"].contains(&k.as_str())),
                "platformHooks.{event}: {hook_keys:?}"
            );
            let script = hook["command"]
                .as_str()
                .unwrap()
                .replace("${HELM_PLUGIN_DIR}", ".");
            assert!(
                root().join(&script).is_file(),
                "platformHooks.{event} names {script}, which is missing"
            );
        }
    }
    assert_eq!(
        plugin["version"],
        env!("CARGO_PKG_VERSION"),
        "plugin.yaml version follows the crate"
    );
    // Helm 4.1+ decodes plugin.yaml strictly and silently skips a plugin with any other key.
    let keys = |v: &Value| v.as_object().unwrap().keys().cloned().collect::<Vec<_>>();
    let allowed = [
        "apiVersion",
        "name",
        "type",
        "runtime",
        "version",
        "sourceURL",
        "config",
        "runtimeConfig",
    ];
    assert!(
        keys(&plugin).iter().all(|k| allowed.contains(&k.as_str())),
        "{:?}",
        keys(&plugin)
    );
    let runtime_keys = keys(&plugin["runtimeConfig"]);
    assert!(
        runtime_keys
            .iter()
            .all(|k| ["platformCommand", "platformHooks"].contains(&k.as_str())),
        "{runtime_keys:?}"
    );
    let entries = plugin["runtimeConfig"]["platformCommand"]
        .as_array()
        .expect("platformCommand list");
    for e in entries {
        assert!(
            keys(e)
                .iter()
                .all(|k| ["os", "arch", "command", "args"].contains(&k.as_str())),
            "{e}"
        );
    }
    let entry = entries
        .iter()
        .find(|e| e.get("os").is_none_or(|os| os == "linux"))
        .expect("a command for linux");
    let plugin_dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(plugin_dir.path().join("bin")).unwrap();
    std::fs::copy(bin(), plugin_dir.path().join("bin/kubectl-dagu")).unwrap();
    let dir = plugin_dir.path().to_str().unwrap();
    let expand = |s: &str| {
        s.replace("${HELM_PLUGIN_DIR}", dir)
            .replace("$HELM_PLUGIN_DIR", dir)
    };
    let mut argv: Vec<String> = entry["command"]
        .as_str()
        .unwrap()
        .split(' ')
        .map(expand)
        .collect();
    argv.extend(
        entry["args"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|a| a.as_str())
            .map(expand),
    );
    argv.extend(["-f".into(), "values-with-two-pools.yaml".into()]);
    let rendered = ok(&helm_template(&[
        "-f",
        "values-with-two-pools.yaml",
        "--set",
        "testing.break={serviceLinks}",
    ]));
    let out = assert_cmd::Command::new(&argv[0])
        .args(&argv[1..])
        .current_dir(charts())
        .env("HELM_PLUGIN_DIR", dir)
        .env("HELM_PLUGIN_NAME", plugin["name"].as_str().unwrap())
        .write_stdin(rendered)
        .output()
        .unwrap();
    assert_invariants(&ok(&out), &Expect::two_pools("dagu", "default"));
}

/// The test chart copied with another `version:` in Chart.yaml.
fn chart_at_version(dir: &Path, version: &str) -> PathBuf {
    let to = dir.join(format!("dagu-{version}"));
    let from = charts().join("dagu");
    let copy = Command::new("cp")
        .arg("-r")
        .arg(&from)
        .arg(&to)
        .status()
        .unwrap();
    assert!(copy.success());
    let chart = std::fs::read_to_string(to.join("Chart.yaml")).unwrap();
    let chart = chart.replace("version: 1.0.6", &format!("version: {version}"));
    std::fs::write(to.join("Chart.yaml"), chart).unwrap();
    to
}

fn selectors(stream: &str) -> Vec<(String, Value)> {
    serde_saphyr::from_multiple::<Value>(stream)
        .unwrap()
        .into_iter()
        .filter(|d| d["kind"] == "Deployment")
        .map(|d| {
            (
                d["metadata"]["name"].as_str().unwrap().to_string(),
                d["spec"]["selector"].clone(),
            )
        })
        .collect()
}

#[test]
fn upgrade_safety_version_bearing_selectors_warn_fail_with_strict_and_stable_selectors_make_versions_match(
) {
    let dir = tempfile::tempdir().unwrap();
    let render = |version: &str, flags: &[&str]| {
        let chart = chart_at_version(dir.path(), version);
        let out = Command::new(helm())
            .args(["template", "dagu"])
            .arg(&chart)
            .args(["--set", "testing.break={fullSelector}"])
            .args(post_render_args(flags))
            .output()
            .unwrap();
        std::fs::remove_dir_all(&chart).unwrap();
        out
    };
    let (old, new) = (ok(&render("1.0.6", &[])), ok(&render("1.0.7", &[])));
    assert_ne!(
        selectors(&old),
        selectors(&new),
        "without the flag the chart version is in the selectors"
    );

    let strict = render("1.0.6", &["--strict"]);
    let stderr = String::from_utf8_lossy(&strict.stderr);
    assert!(!strict.status.success() && strict.stdout.is_empty());
    assert!(
        stderr.contains("[stable-selectors]") && stderr.contains("field is immutable"),
        "{stderr}"
    );

    let (old, new) = (
        ok(&render("1.0.6", &["--stable-selectors"])),
        ok(&render("1.0.7", &["--stable-selectors"])),
    );
    assert_eq!(
        selectors(&old),
        selectors(&new),
        "with --stable-selectors two chart versions select alike"
    );
    assert_invariants(&old, &Expect::default_pool("dagu", "default"));
    let warned = run_bin(
        &[],
        &ok(&helm_template(&["--set", "testing.break={fullSelector}"])),
    );
    assert!(
        String::from_utf8_lossy(&warned.stderr).contains("warning: [stable-selectors] document")
    );
}

#[test]
fn helm4_shaped_streams_satisfy_every_invariant_after_post_render() {
    for (case, fullname, ns) in [
        ("helm4-broken-variants", "prod-dagu", "team"),
        ("helm4-shaped", "dagu", "dagu"),
    ] {
        let dir = root().join("tests/fixtures/post_render/good").join(case);
        let out = assert_cmd::Command::new(bin())
            .current_dir(&dir)
            .args(std::fs::read_to_string(dir.join("args")).unwrap().lines())
            .write_stdin(std::fs::read(dir.join("input.yaml")).unwrap())
            .output()
            .unwrap();
        let stream = ok(&out);
        assert!(
            !stream.contains("# Source:"),
            "helm 4 streams carry no comments"
        );
        assert_invariants(&stream, &Expect::two_pools(fullname, ns));
    }
}

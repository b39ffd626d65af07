//! Helpers of tests/post_render_generations.rs: helm, the test chart of a version, rendering, post-rendering,
//! and comparing streams by meaning.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::Value;

pub const TWO_POOLS: &str = "tests/charts/values-with-two-pools.yaml";
pub const DISTRIBUTED: &str = "tests/charts/values/distributed.yaml";
/// A chart version of each generation's test chart.
pub const ONE_PER_GENERATION: [&str; 4] = ["1.0.8", "1.0.9", "1.0.11", "2.0.3"];

/// The defects each generation's test chart can render (tests/charts/README.md).
pub fn defects(version: &str) -> &'static [&'static str] {
    match version {
        "1.0.8" => &["serviceLinks", "workerExtraEnv", "daguHome", "labelOrder"],
        _ => &[
            "serviceLinks",
            "workerExtraEnv",
            "daguHome",
            "labelOrder",
            "workerLabels",
            "poolLabel",
        ],
    }
}

/// The two-pool value set for `version` (2.x needs distributed mode for workers).
pub fn two_pools(version: &str) -> Vec<&'static str> {
    if version.starts_with("2.") {
        vec![DISTRIBUTED, TWO_POOLS]
    } else {
        vec![TWO_POOLS]
    }
}

pub fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

pub fn helm() -> PathBuf {
    if let Some(h) = std::env::var_os("HELM").filter(|h| !h.is_empty()) {
        return PathBuf::from(h);
    }
    let out = Command::new(root().join("scripts/install-helm"))
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "helm 3.10.1 is needed: run scripts/install-helm (or set HELM)"
    );
    PathBuf::from(String::from_utf8(out.stdout).unwrap().trim())
}

/// The test chart that stands for `version`, packaged as that version.
pub fn chart(version: &str, dir: &Path) -> PathBuf {
    let source = match version {
        "1.0.9" => "dagu-1.0.9",
        "1.0.10" | "1.0.11" => "dagu-1.0.10",
        v if v.starts_with("2.") => "dagu-2",
        _ => "dagu",
    };
    let out = Command::new(helm())
        .current_dir(root())
        .args(["package", "--version", version, "--destination"])
        .arg(dir)
        .arg(format!("tests/charts/{source}"))
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    dir.join(format!("dagu-{version}.tgz"))
}

pub fn template(chart: &Path, values: &[&str], set: &[&str]) -> Vec<u8> {
    let mut cmd = Command::new(helm());
    cmd.current_dir(root())
        .args(["template", "dagu"])
        .arg(chart)
        .args(["-n", "team"]);
    for v in values {
        cmd.args(["-f", v]);
    }
    for s in set {
        cmd.args(["--set", s]);
    }
    let out = cmd.output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    out.stdout
}

pub fn post_render(input: &[u8], values: &[&str], extra: &[&str]) -> Output {
    let mut args: Vec<&str> = values.iter().flat_map(|v| ["-f", *v]).collect();
    args.extend(extra);
    assert_cmd::Command::new(env!("CARGO_BIN_EXE_kubectl-dagu"))
        .current_dir(root())
        .args(args)
        .write_stdin(input.to_vec())
        .output()
        .unwrap()
}

/// The stream's objects, each container env sorted by name (a name-unique env means the same in any order;
/// key order never matters), so two renderings compare by meaning.
pub fn docs(stream: &[u8]) -> Vec<Value> {
    let text = String::from_utf8(stream.to_vec()).unwrap();
    let mut docs: Vec<Value> = serde_saphyr::from_multiple::<Value>(&text)
        .unwrap()
        .into_iter()
        .filter(|v| !v.is_null())
        .collect();
    docs.iter_mut().for_each(sort_env);
    docs
}

pub fn sort_env(v: &mut Value) {
    match v {
        Value::Object(map) => {
            for (k, child) in map.iter_mut() {
                if let (true, Value::Array(env)) = (k == "env", &mut *child) {
                    env.sort_by(|a, b| a["name"].as_str().cmp(&b["name"].as_str()));
                }
                sort_env(child);
            }
        }
        Value::Array(items) => items.iter_mut().for_each(sort_env),
        _ => {}
    }
}

/// Panics naming the first object that differs (whole streams are too long to print).
pub fn assert_same(actual: &[Value], expected: &[Value], what: &str) {
    assert_eq!(actual.len(), expected.len(), "{what}: number of objects");
    for (a, e) in actual.iter().zip(expected) {
        assert!(
            a == e,
            "{what}: {} differs:\n got      {a}\n expected {e}",
            e["metadata"]["name"]
        );
    }
}

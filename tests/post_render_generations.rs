//! Every published Dagu chart version, rendered by the real helm (3.10.1) from the project's own test chart of
//! its generation (tests/charts/README.md), through the built binary: clean renderings with every value set
//! come out unchanged (`--check` exits 0); each defect comes out as the clean rendering would; RWO storage in
//! 2.x distributed mode and invalid pool names are refused with advice for that chart version.

#[path = "generations/common.rs"]
mod common;

use std::process::Command;

use common::*;
use serde_json::Value;

fn value_sets(version: &str) -> Vec<Vec<&'static str>> {
    let mut sets = vec![vec![], vec!["tests/charts/values/fullname.yaml"]];
    if version.starts_with("2.") {
        sets.push(vec![DISTRIBUTED, TWO_POOLS]);
        sets.push(vec!["tests/charts/values/local-2.x.yaml"]);
        sets.push(vec![DISTRIBUTED, "tests/charts/values/existing-claim.yaml"]);
    } else {
        sets.push(vec![TWO_POOLS]);
        sets.push(vec!["tests/charts/values/local-1.x.yaml"]);
    }
    sets
}

const PUBLISHED: &[&str] = &[
    "1.0.0", "1.0.1", "1.0.2", "1.0.4", "1.0.5", "1.0.6", "1.0.7", "1.0.8", "1.0.9", "1.0.10",
    "1.0.11", "2.0.0", "2.0.1", "2.0.2", "2.0.3",
];

#[test]
fn clean_renderings_of_every_published_version_pass_unchanged() {
    let dir = tempfile::tempdir().unwrap();
    for version in PUBLISHED {
        let chart = chart(version, dir.path());
        for values in value_sets(version) {
            let input = template(&chart, &values, &[]);
            let out = post_render(&input, &values, &[]);
            let stderr = String::from_utf8_lossy(&out.stderr);
            assert_eq!(out.status.code(), Some(0), "{version} {values:?}: {stderr}");
            assert_eq!(
                out.stdout, input,
                "{version} {values:?}: the stream changed: {stderr}"
            );
            assert!(
                stderr.contains(&format!("helm.sh/chart: dagu-{version}")),
                "{version}: {stderr}"
            );
            let check = post_render(&input, &values, &["--check"]);
            assert_eq!(
                check.status.code(),
                Some(0),
                "{version} {values:?}: {}",
                String::from_utf8_lossy(&check.stderr)
            );
        }
    }
}

#[test]
fn each_defect_comes_out_as_the_clean_rendering() {
    let dir = tempfile::tempdir().unwrap();
    for version in ONE_PER_GENERATION {
        let chart = chart(version, dir.path());
        let values = two_pools(version);
        let clean = docs(&template(&chart, &values, &[]));
        for defect in defects(version) {
            let input = template(&chart, &values, &[&format!("testing.break={{{defect}}}")]);
            assert_ne!(
                docs(&input),
                clean,
                "{version} {defect}: the switch changes nothing"
            );
            let out = post_render(&input, &values, &[]);
            assert_eq!(
                out.status.code(),
                Some(0),
                "{version} {defect}: {}",
                String::from_utf8_lossy(&out.stderr)
            );
            assert_same(&docs(&out.stdout), &clean, &format!("{version} {defect}"));
        }
    }
}

#[test]
fn standalone_defects_come_out_as_the_clean_rendering() {
    let dir = tempfile::tempdir().unwrap();
    let chart = chart("2.0.3", dir.path());
    let clean = docs(&template(&chart, &[], &[]));
    for defect in ["serviceLinks", "daguHome", "strategy"] {
        let input = template(&chart, &[], &[&format!("testing.break={{{defect}}}")]);
        let out = post_render(&input, &[], &[]);
        assert_eq!(
            out.status.code(),
            Some(0),
            "{defect}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert_same(&docs(&out.stdout), &clean, defect);
    }
    let input = template(&chart, &[], &["testing.break={replicas}", "ui.replicas=2"]);
    let out = post_render(&input, &[], &[]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains("[standalone-single-replica]") && stderr.contains("ui.replicas=1"),
        "{stderr}"
    );
}

#[test]
fn refusals_name_what_to_set_in_that_chart_version() {
    let dir = tempfile::tempdir().unwrap();
    let chart2 = chart("2.0.3", dir.path());
    let rwo = ["deploymentMode=distributed", "testing.break={pvcCheck}"];
    let out = post_render(&template(&chart2, &[], &rwo), &[], &[]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains("[pvc-read-write-many]") && stderr.contains("deploymentMode=standalone"),
        "{stderr}"
    );
    assert!(
        !stderr.contains("set persistence.skipValidation"),
        "2.x has no skipValidation: {stderr}"
    );

    let chart1 = chart("1.0.11", dir.path());
    let rwo1 = [
        "persistence.accessMode=ReadWriteOnce",
        "testing.break={pvcCheck}",
    ];
    let stderr =
        String::from_utf8_lossy(&post_render(&template(&chart1, &[], &rwo1), &[], &[]).stderr)
            .to_string();
    assert!(
        stderr.contains("set persistence.skipValidation=true"),
        "{stderr}"
    );

    let bad_pool = [
        "deploymentMode=distributed",
        "persistence.accessMode=ReadWriteMany",
        "testing.break={poolNameCheck}",
        "workerPools.gpu-.replicas=1",
    ];
    let out = post_render(&template(&chart2, &[], &bad_pool), &[], &[]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains("[worker-pool-dns-name]") && stderr.contains("\"gpu-\""),
        "{stderr}"
    );
}

#[test]
fn helm_template_post_renderer_for_each_generation() {
    let dir = tempfile::tempdir().unwrap();
    for (version, values) in [
        ("1.0.8", vec![TWO_POOLS]),
        ("1.0.9", vec![TWO_POOLS]),
        ("1.0.11", vec![TWO_POOLS]),
        ("2.0.3", vec![]),
        ("2.0.3", vec![DISTRIBUTED, TWO_POOLS]),
    ] {
        let chart = chart(version, dir.path());
        let mut cmd = Command::new(helm());
        cmd.current_dir(root())
            .args(["template", "dagu"])
            .arg(&chart)
            .args(["-n", "team"]);
        for v in &values {
            cmd.args(["-f", v]);
        }
        cmd.args([
            "--set",
            "testing.break={serviceLinks}",
            "--post-renderer",
            env!("CARGO_BIN_EXE_kubectl-dagu"),
        ]);
        for v in &values {
            cmd.arg("--post-renderer-args=-f")
                .arg(format!("--post-renderer-args={v}"));
        }
        let out = cmd.output().unwrap();
        assert!(
            out.status.success(),
            "{version}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let rendered = docs(&out.stdout);
        let deployments: Vec<&Value> = rendered
            .iter()
            .filter(|d| d["kind"] == "Deployment")
            .collect();
        assert!(!deployments.is_empty());
        for d in deployments {
            assert_eq!(
                d["spec"]["template"]["spec"]["enableServiceLinks"], false,
                "{version}"
            );
        }
    }
}

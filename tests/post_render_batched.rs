//! The large-stream path (`process_batched`: workers parsed, checked and dropped a batch at a time) must give
//! exactly the whole-stream outcome (`process_whole`) wherever it gives one: the same findings in the same
//! order, the same changed documents, the same stream bytes and the same context. Held here on real helm
//! renderings of every generation's test chart with many pools (more than one batch per core), clean and with
//! each defect, and on every fixture of the corpus; and it must decline where its premise fails.

#[path = "generations/common.rs"]
#[allow(dead_code)] // the helpers the generation tests share; this file uses some
mod common;

use std::path::Path;
use std::sync::Arc;

use common::*;
use kubectl_dagu::post_render::{self, context::Overrides, values, Options, Outcome};
use serde_json::{Map, Value};

/// Enough pools for several batches of 64 on every core.
const POOLS: usize = 150;

fn many_pools(dir: &Path) -> String {
    let mut text = String::from("workerPools:\n");
    for i in 0..POOLS {
        text += &format!(
            "  pool-{i}: {{replicas: 1, labels: {{zone: z{}, tier: t{i}}}}}\n",
            i % 3
        );
    }
    let path = dir.join("many-pools.yaml");
    std::fs::write(&path, text).unwrap();
    path.display().to_string()
}

fn load(files: &[&str], base: &Path) -> Value {
    try_load(files, base).unwrap()
}

/// The merged values files, or `None` when one is refused (the command stops before the pipeline).
fn try_load(files: &[&str], base: &Path) -> Option<Value> {
    let mut merged = Value::Object(Map::new());
    for file in files {
        let text = std::fs::read(base.join(file)).unwrap();
        values::merge(&mut merged, values::parse_file(file, &text).ok()?);
    }
    Some(merged)
}

fn assert_equal(batched: &Outcome, whole: &Outcome, what: &str) {
    assert_eq!(batched.findings, whole.findings, "{what}: findings");
    assert_eq!(batched.changed, whole.changed, "{what}: changed documents");
    assert_eq!(
        batched.changed_documents(),
        whole.changed_documents(),
        "{what}: changed bytes"
    );
    assert!(batched.stream() == whole.stream(), "{what}: stream bytes");
    assert_eq!(
        format!("{:?}", batched.context),
        format!("{:?}", whole.context),
        "{what}: context"
    );
}

/// Both paths on `input`; the batched one must apply when `must_apply`.
fn compare(input: &[u8], options: &Options, must_apply: bool, what: &str) {
    let batched = post_render::process_batched(input, options);
    match post_render::process_whole(input, options) {
        Err(e) => assert!(
            batched.is_none(),
            "{what}: the whole stream fails ({e}), batched does not"
        ),
        Ok(whole) => match batched {
            Some(batched) => assert_equal(&batched, &whole, what),
            None => assert!(!must_apply, "{what}: the batched path declined"),
        },
    }
}

#[test]
fn many_pools_clean_and_with_each_defect_give_the_whole_stream_outcome() {
    let dir = tempfile::tempdir().unwrap();
    let pools = many_pools(dir.path());
    for version in ONE_PER_GENERATION {
        let chart = chart(version, dir.path());
        let mut files: Vec<&str> = if version.starts_with("2.") {
            vec![DISTRIBUTED]
        } else {
            vec![]
        };
        files.push(&pools);
        let options = Options {
            values: Arc::new(load(&files, root())),
            overrides: Overrides::default(),
        };
        let all = defects(version).join(",");
        let mut breaks = vec![""];
        breaks.extend(defects(version));
        breaks.push(&all);
        for defect in breaks {
            let set = format!("testing.break={{{defect}}}");
            let input = template(&chart, &files, &[&set]);
            compare(&input, &options, true, &format!("{version} break={defect}"));
        }
        let input = template(&chart, &files, &[]);
        let outcome = post_render::process_batched(&input, &options).unwrap();
        assert!(
            outcome.context.components.len() > POOLS,
            "{version}: the workers are components"
        );
    }
}

#[test]
fn every_fixture_gives_the_whole_stream_outcome() {
    let base = root().join("tests/fixtures/post_render");
    for kind in ["good", "bad"] {
        for case in std::fs::read_dir(base.join(kind)).unwrap() {
            let case = case.unwrap().path();
            let Ok(input) = std::fs::read(case.join("input.yaml")) else {
                continue;
            };
            let args = std::fs::read_to_string(case.join("args")).unwrap_or_default();
            let args: Vec<&str> = args.lines().collect();
            let mut files = vec![];
            let mut overrides = Overrides::default();
            for pair in args.windows(2) {
                match pair[0] {
                    "-f" if case.join(pair[1]).is_file() => files.push(pair[1]),
                    "--namespace" | "-n" => overrides.namespace = Some(pair[1].to_string()),
                    "--release" => overrides.release = Some(pair[1].to_string()),
                    _ => {}
                }
            }
            overrides.skip_validation = args.contains(&"--skip-validation");
            let Some(values) = try_load(&files, &case) else {
                continue;
            };
            let options = Options {
                values: Arc::new(values),
                overrides,
            };
            compare(&input, &options, false, &case.display().to_string());
        }
    }
}

#[test]
fn it_declines_where_its_premise_fails() {
    let dir = tempfile::tempdir().unwrap();
    let pools = many_pools(dir.path());
    let chart = chart("1.0.11", dir.path());
    let input = template(&chart, &[&pools], &[]);
    let values = Arc::new(load(&[&pools], root()));

    // --stable-selectors reads every pod's labels when it fixes Services.
    let stable = Options {
        values: values.clone(),
        overrides: Overrides {
            stable_selectors: true,
            ..Overrides::default()
        },
    };
    assert!(post_render::process_batched(&input, &stable).is_none());

    // A worker of another release: the context resolved from every document differs from the provisional one.
    let text = String::from_utf8(input).unwrap();
    let at = text.rfind("kind: Deployment").unwrap();
    let start = text[..at].rfind("---").unwrap();
    let tail = text[start..].replace(
        "app.kubernetes.io/instance: dagu\n",
        "app.kubernetes.io/instance: other\n",
    );
    assert_ne!(
        tail,
        text[start..],
        "the last Deployment has an instance label"
    );
    let other = format!("{}{tail}", &text[..start]);
    let options = Options {
        values,
        overrides: Overrides::default(),
    };
    assert!(post_render::process_batched(other.as_bytes(), &options).is_none());
    compare(
        other.as_bytes(),
        &options,
        false,
        "another release's worker",
    );
}

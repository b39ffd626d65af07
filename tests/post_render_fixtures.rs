//! Fixture-driven tests: every folder under `tests/fixtures/post_render/` is a case.
//!
//! - `bad/<case>/`: `input.yaml` (stdin), optional `args` (one per line, run in the case folder), `expected`
//!   with `exit: N`, `message: substring of stderr` and optionally `absent: text stderr must not contain`.
//!   Every case must leave stdout empty.
//! - `good/<case>/`: `input.yaml`, optional `args`; exit 0, a second run on the output changes nothing,
//!   `--check` on the output exits 0; with an `unchanged` marker the output is the input byte for byte.

use std::path::{Path, PathBuf};

use assert_cmd::Command;

fn cases(kind: &str) -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/post_render")
        .join(kind);
    let mut cases: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_dir())
        .collect();
    cases.sort();
    cases
}

fn args(case: &Path) -> Vec<String> {
    std::fs::read_to_string(case.join("args"))
        .map(|s| s.lines().map(str::to_string).collect())
        .unwrap_or_default()
}

fn run(case: &Path, extra: &[&str], stdin: Vec<u8>) -> std::process::Output {
    Command::cargo_bin("kubectl-dagu")
        .unwrap()
        .current_dir(case)
        .args(args(case))
        .args(extra)
        .env("NO_COLOR", "1")
        .write_stdin(stdin)
        .output()
        .unwrap()
}

fn field<'a>(expected: &'a str, key: &str) -> Option<&'a str> {
    expected
        .lines()
        .find_map(|l| l.strip_prefix(key)?.strip_prefix(": "))
}

#[test]
fn bad_input_corpus() {
    let cases = cases("bad");
    assert!(
        cases.len() >= 30,
        "the corpus must hold at least 30 cases, has {}",
        cases.len()
    );
    let mut failures = vec![];
    for case in &cases {
        let name = case.file_name().unwrap().to_string_lossy();
        let expected = std::fs::read_to_string(case.join("expected")).expect("expected file");
        let code: i32 = field(&expected, "exit").expect("exit:").parse().unwrap();
        let message = field(&expected, "message").expect("message:");
        let out = run(case, &[], std::fs::read(case.join("input.yaml")).unwrap());
        let stderr = String::from_utf8_lossy(&out.stderr);
        let mut problems = vec![];
        if out.status.code() != Some(code) {
            problems.push(format!("exit {:?}, expected {code}", out.status.code()));
        }
        if !out.stdout.is_empty() {
            problems.push(format!("stdout is not empty ({} bytes)", out.stdout.len()));
        }
        if !stderr.contains(message) {
            problems.push(format!("stderr lacks {message:?}"));
        }
        if let Some(absent) = field(&expected, "absent") {
            if stderr.contains(absent) {
                problems.push(format!("stderr contains {absent:?}"));
            }
        }
        if !problems.is_empty() {
            failures.push(format!(
                "--- {name}: {}\nstderr:\n{stderr}",
                problems.join("; ")
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "{} case(s) failed:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[test]
fn a_50_mib_document_is_refused_without_output() {
    let mut input =
        b"apiVersion: v1\nkind: ConfigMap\nmetadata: {name: big}\ndata:\n  big: \"".to_vec();
    input.resize(input.len() + 50 * 1024 * 1024, b'x');
    input.extend_from_slice(b"\"\n");
    let case = Path::new(env!("CARGO_MANIFEST_DIR"));
    let out = run(case, &[], input);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(out.stdout.is_empty());
    assert!(
        stderr.contains("document 1 ConfigMap")
            || stderr.contains("document 1 starting at line 1 is 52428"),
        "{stderr}"
    );
    assert!(stderr.contains("the limit is 8388608 bytes"), "{stderr}");
}

#[test]
fn good_fixtures_are_enforced_idempotently() {
    let cases = cases("good");
    assert!(cases.len() >= 5);
    for case in &cases {
        let name = case.file_name().unwrap().to_string_lossy();
        let input = std::fs::read(case.join("input.yaml")).unwrap();
        let first = run(case, &[], input.clone());
        assert_eq!(
            first.status.code(),
            Some(0),
            "{name}: {}",
            String::from_utf8_lossy(&first.stderr)
        );
        if case.join("unchanged").exists() {
            assert!(
                first.stdout == input,
                "{name}: output differs from the input"
            );
        } else {
            assert!(
                first.stdout != input,
                "{name}: expected enforcement to change something"
            );
        }
        let second = run(case, &[], first.stdout.clone());
        assert_eq!(second.status.code(), Some(0), "{name}");
        assert!(
            second.stdout == first.stdout,
            "{name}: a second run changed the output"
        );
        let check = run(case, &["--check"], first.stdout.clone());
        assert_eq!(
            check.status.code(),
            Some(0),
            "{name}: {}",
            String::from_utf8_lossy(&check.stderr)
        );
        assert!(check.stdout.is_empty(), "{name}: --check wrote to stdout");
    }
}

#[test]
fn helm4_annotations_and_the_hook_pod_come_back_byte_for_byte() {
    let case = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/post_render/good/helm4-broken-variants");
    let input = std::fs::read_to_string(case.join("input.yaml")).unwrap();
    let out = run(&case, &[], input.clone().into_bytes());
    assert_eq!(out.status.code(), Some(0));
    let output = String::from_utf8(out.stdout).unwrap();
    let annotations = |s: &str| -> Vec<String> {
        s.lines()
            .filter(|l| l.contains("postrenderer.helm.sh/postrender-filename"))
            .map(|l| l.trim().to_string())
            .collect()
    };
    assert_eq!(annotations(&input), annotations(&output));
    assert_eq!(
        annotations(&input).len(),
        input.matches("\nkind: ").count() + usize::from(input.starts_with("kind: "))
    );
    let hook = |s: &str| {
        s.split("---\n")
            .find(|d| d.contains("helm.sh/hook"))
            .map(str::to_string)
    };
    assert!(hook(&input).is_some());
    assert_eq!(
        hook(&input),
        hook(&output),
        "the hook Pod must pass through unchanged"
    );
}

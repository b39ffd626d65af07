//! Fidelity (issue 16, item 4): a changed document differs from its input only where a fix applies. Each
//! generation's test chart, rendered by the real helm with one defect, comes out with every comment and every
//! untouched line as it went in; the only removed lines are the ones that held the wrong value.

#[path = "generations/common.rs"]
#[allow(dead_code)] // shared with post_render_generations, which uses the rest
mod common;

use common::*;

/// Lines the fix for `defect` may take out (the wrong value's own line); every other line must stay.
fn may_remove(defect: &str, line: &str) -> bool {
    match defect {
        "daguHome" => line.trim_start().starts_with("value:"),
        "labelOrder" => line.contains("=true"),
        _ => false,
    }
}

#[test]
fn fixes_change_only_the_lines_they_patch_in_every_generation() {
    let dir = tempfile::tempdir().unwrap();
    for version in ONE_PER_GENERATION {
        let chart = chart(version, dir.path());
        let values = two_pools(version);
        for defect in defects(version) {
            let input = template(&chart, &values, &[&format!("testing.break={{{defect}}}")]);
            let out = post_render(&input, &values, &[]);
            assert_eq!(out.status.code(), Some(0), "{version} {defect}");
            let (before, after) = (
                String::from_utf8(input).unwrap(),
                String::from_utf8(out.stdout).unwrap(),
            );
            let diff = similar::TextDiff::from_lines(&before, &after);
            let removed: Vec<&str> = diff
                .iter_all_changes()
                .filter(|c| c.tag() == similar::ChangeTag::Delete)
                .map(|c| c.value())
                .collect();
            assert!(
                removed.iter().all(|l| may_remove(defect, l)),
                "{version} {defect}: lines changed that no fix patches:\n{}",
                diff.unified_diff()
            );
        }
    }
}

/// The hand-written minimal stream with a comment where `enableServiceLinks` was, and quoting and a trailing
/// comment a re-serialiser would drop.
fn commented() -> String {
    let path = root().join("tests/fixtures/post_render/good/hand-minimal/input.yaml");
    let text = std::fs::read_to_string(path).unwrap();
    let edited = text
        .replace(
            "      enableServiceLinks: false\n",
            "      # Dagu reads DAGU_* variables: no service links (this comment stays)\n",
        )
        .replace(
            "  name: dagu-scheduler\n",
            "  name: \"dagu-scheduler\"   # quoted on purpose\n",
        );
    assert_ne!(edited, text);
    edited
}

#[test]
fn a_fixed_document_keeps_its_comments_quoting_and_flow_style() {
    let input = commented();
    let out = post_render(input.as_bytes(), &[], &[]);
    let stdout = String::from_utf8(out.stdout).unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let diff = similar::TextDiff::from_lines(&input, &stdout);
    let changes: Vec<String> = diff
        .iter_all_changes()
        .filter(|c| c.tag() != similar::ChangeTag::Equal)
        .map(|c| format!("{}{}", c.tag(), c.value()))
        .collect();
    assert_eq!(
        changes,
        ["+      enableServiceLinks: false\n"],
        "{}",
        diff.unified_diff()
    );
}

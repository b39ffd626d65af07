//! Running the registry on a release, and showing the results: text grouped by category (one line per check,
//! its problems and its hint under a failure), or `-o json` with the same ids. Pure: no I/O.

use serde_json::{json, Value};

use super::checks::{Category, Check, Problem, Severity, Verdict, CHECKS};
use super::release::Release;

/// One check's result.
#[derive(Clone)]
pub struct Result {
    pub check: &'static Check,
    pub verdict: Verdict,
}

impl Result {
    pub fn status(&self) -> &'static str {
        match (&self.verdict, self.verdict.worst()) {
            (Verdict::Pass, _) => "pass",
            (Verdict::Skip(_), _) => "skip",
            (_, Some(Severity::Error)) => "fail",
            _ => "warn",
        }
    }
}

/// Runs every check in order; after a fatal failure the rest are skipped.
pub fn evaluate(release: &Release) -> Vec<Result> {
    let mut out = Vec::new();
    let mut fatal: Option<&str> = None;
    for check in CHECKS {
        let verdict = match fatal {
            Some(id) => Verdict::Skip(format!("{id} failed")),
            None => (check.run)(release),
        };
        if check.fatal && verdict.worst() == Some(Severity::Error) {
            fatal = Some(check.id);
        }
        out.push(Result { check, verdict });
    }
    out
}

/// Whether the results fail the run (errors; warnings too when `strict`).
pub fn failed(results: &[Result], strict: bool) -> bool {
    results.iter().any(|r| match r.verdict.worst() {
        Some(Severity::Error) => true,
        Some(Severity::Warning) => strict,
        None => false,
    })
}

/// Whether a `--wait` re-run could change the outcome: a retryable check has an error and no check that
/// cannot become true by waiting has one (that failure stands whatever the others do).
pub fn worth_retrying(results: &[Result]) -> bool {
    let failing = |retry: bool| {
        results
            .iter()
            .any(|r| r.check.retry == retry && r.verdict.worst() == Some(Severity::Error))
    };
    failing(true) && !failing(false)
}

fn problem_line(p: &Problem) -> String {
    match &p.object {
        Some(o) => format!("{o}: {}", p.message),
        None => p.message.clone(),
    }
}

/// The text report.
pub fn text(release: &Release, results: &[Result], color: bool) -> String {
    let paint = |code: &str, s: &str| {
        if color {
            format!("\x1b[{code}m{s}\x1b[0m")
        } else {
            s.to_string()
        }
    };
    let mut out = format!(
        "kubectl dagu doctor: release {:?} in namespace {:?}, {} components\nprofile: {}\n",
        release.name,
        release.namespace,
        release.components.len(),
        release.profile
    );
    let mut category: Option<Category> = None;
    for r in results {
        if category != Some(r.check.category) {
            category = Some(r.check.category);
            out.push_str(&format!(
                "\n{}\n{}\n",
                r.check.category.title(),
                "-".repeat(r.check.category.title().len())
            ));
        }
        let mark = match r.status() {
            "pass" => paint("32", "√"),
            "fail" => paint("31", "×"),
            "warn" => paint("33", "‼"),
            _ => paint("2", "-"),
        };
        out.push_str(&format!("{mark} [{}] {}", r.check.id, r.check.description));
        match &r.verdict {
            Verdict::Skip(why) => out.push_str(&format!(" (skipped: {why})\n")),
            Verdict::Pass => out.push('\n'),
            Verdict::Problems(problems) => {
                out.push('\n');
                for p in problems {
                    out.push_str(&format!("    {}\n", problem_line(p)));
                }
                out.push_str(&format!("    hint: {}\n", r.check.hint));
            }
        }
    }
    let count = |s: &str| results.iter().filter(|r| r.status() == s).count();
    out.push_str(&format!(
        "\n{} passed, {} failed, {} warnings, {} skipped\n",
        count("pass"),
        count("fail"),
        count("warn"),
        count("skip")
    ));
    out
}

/// The `-o json` report: the same ids, statuses, problems and hints.
pub fn json(release: &Release, results: &[Result], strict: bool) -> Value {
    let checks: Vec<Value> = results
        .iter()
        .map(|r| {
            let mut v = json!({
                "id": r.check.id,
                "category": r.check.category,
                "description": r.check.description,
                "status": r.status(),
            });
            match &r.verdict {
                Verdict::Skip(why) => v["skipped"] = json!(why),
                Verdict::Problems(p) => {
                    v["problems"] = json!(p);
                    v["hint"] = json!(r.check.hint);
                }
                Verdict::Pass => {}
            }
            v
        })
        .collect();
    json!({
        "release": release.name,
        "namespace": release.namespace,
        "mode": release.mode,
        "profile": release.profile,
        "ok": !failed(results, strict),
        "checks": checks,
    })
}

/// The registry as a table (`--list-checks`): id, category, description.
pub fn list() -> String {
    let width = CHECKS.iter().map(|c| c.id.len()).max().unwrap_or(0);
    CHECKS
        .iter()
        .map(|c| {
            format!(
                "{:width$}  {:<12} {}\n",
                c.id,
                format!("{:?}", c.category).to_lowercase(),
                c.description
            )
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::doctor::checks::testing::{find, healthy, objects};
    use serde_json::json;

    #[test]
    fn healthy_release_passes_and_a_broken_one_names_the_check_with_its_hint() {
        let release = Release::new("dagu", "ns", objects(&healthy()));
        let results = evaluate(&release);
        let shown = text(&release, &results, false);
        assert!(!failed(&results, true), "{shown}");
        assert!(shown.contains("√ [coordinator-endpoints]"), "{shown}");

        let mut broken = healthy();
        find(&mut broken, "Deployment", "dagu-coordinator")["spec"]["replicas"] = json!(0);
        let release = Release::new("dagu", "ns", objects(&broken));
        let results = evaluate(&release);
        assert!(failed(&results, false));
        assert!(worth_retrying(&results));
        // A failure waiting cannot change ends the wait.
        let mut both = broken.clone();
        both.retain(|o| o["kind"] != "Service");
        let release = Release::new("dagu", "ns", objects(&both));
        assert!(!worth_retrying(&evaluate(&release)));
        let shown = text(&release, &results, false);
        assert!(shown.contains("× [components-available]"), "{shown}");
        assert!(
            shown.contains("hint: kubectl describe deployment"),
            "{shown}"
        );
        let json = json(&release, &results, false);
        assert_eq!(json["ok"], false);
        assert!(json["checks"]
            .as_array()
            .unwrap()
            .iter()
            .any(|c| c["id"] == "components-available" && c["status"] == "fail"));
    }

    #[test]
    fn a_missing_release_skips_everything_after_the_fatal_check() {
        let release = Release::new("dagu", "ns", Default::default());
        let results = evaluate(&release);
        assert_eq!(results[0].status(), "fail");
        assert!(results[1..].iter().all(|r| r.status() == "skip"));
    }
}

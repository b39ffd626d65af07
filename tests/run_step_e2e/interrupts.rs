//! SIGINT while the Job is being created, while its pod cannot be scheduled, and while the step runs:
//! exit 130 and nothing left. 20 runs in all by default (7 + 7 + 6); `RUN_STEP_INTERRUPT_RUNS=N` runs N per
//! phase (issue 9 asks for 20 each).

use super::*;

fn count(default: usize) -> usize {
    std::env::var("RUN_STEP_INTERRUPT_RUNS")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(default)
}

async fn runs(test: &str, count: usize, config: &str, command: &str, marker: &str) {
    let ns = Ns::new(test).await;
    let dir = tempfile::tempdir().unwrap();
    let dag = ns.dag(&dir, config, command);
    for run in 1..=count {
        let (code, seen) = interrupt_at(ns.run_step(&dag, &[]), marker).await;
        assert_eq!(code, 130, "run {run}: {seen}");
        ns.assert_nothing_left(&format!("SIGINT run {run} at {marker:?}"))
            .await;
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn at_creation() {
    runs(
        "int-create",
        count(7),
        "",
        "[sh, -c, 'sleep 300']",
        "status: creating the Job",
    )
    .await;
}

#[tokio::test(flavor = "multi_thread")]
async fn while_scheduling() {
    runs(
        "int-sched",
        count(7),
        ", node_selector: {no-such-label: x}",
        "'true'",
        "unschedulable",
    )
    .await;
}

#[tokio::test(flavor = "multi_thread")]
async fn while_running() {
    runs(
        "int-run",
        count(6),
        "",
        "[sh, -c, 'echo started; sleep 300']",
        "started",
    )
    .await;
}

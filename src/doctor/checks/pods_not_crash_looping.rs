//! No Dagu pod's container is crash-looping or failing to start, and each failure carries its last termination
//! reason, exit code and message (or, when the container wrote none, the last lines of its previous log): a
//! worker of a 1.0.x chart on a newer Dagu says `worker.coordinators is required` there. Earlier restarts of a
//! container that now runs are a warning. Retried by `--wait` (a replaced pod may still be starting).

use k8s_openapi::api::core::v1::ContainerStatus;

use super::{object, Category, Check, Problem, Verdict};
use crate::doctor::release::Release;

pub const CHECK: Check = Check {
    id: "pods-not-crash-looping",
    category: Category::Components,
    description: "no Dagu container is crash-looping or failing to start",
    hint: "read the reason above and kubectl logs POD --previous; `worker.coordinators is required` means the \
           worker runs a Dagu >= 2.9 without --worker.coordinators: upgrade to a chart that renders it (1.0.10+) \
           or pin image.tag to the Dagu version the chart was made for",
    fatal: false,
    retry: true,
    run,
};

/// Waiting reasons that mean the container cannot run as it is.
const FAILING: &[&str] = &[
    "CrashLoopBackOff",
    "ErrImagePull",
    "ImagePullBackOff",
    "CreateContainerConfigError",
    "CreateContainerError",
    "InvalidImageName",
    "RunContainerError",
];

fn run(release: &Release) -> Verdict {
    let mut problems = Vec::new();
    for c in &release.components {
        for pod in c.pods(&release.objects.pods) {
            let pod_name = pod.metadata.name.clone().unwrap_or_default();
            let statuses = pod
                .status
                .as_ref()
                .and_then(|s| s.container_statuses.clone());
            for s in statuses.unwrap_or_default() {
                let log = release
                    .objects
                    .previous_logs
                    .get(&(pod_name.clone(), s.name.clone()));
                if let Some(p) = judge(&s, log.map(String::as_str)) {
                    problems.push(Problem {
                        object: object("Pod", &pod_name),
                        ..p
                    });
                }
            }
        }
    }
    Verdict::from(problems)
}

/// The problem with one container, if any.
fn judge(s: &ContainerStatus, previous_log: Option<&str>) -> Option<Problem> {
    let state = s.state.clone().unwrap_or_default();
    let waiting = state.waiting.and_then(|w| w.reason.map(|r| (r, w.message)));
    let last = s
        .last_state
        .as_ref()
        .and_then(|l| l.terminated.clone())
        .or(state.terminated);
    let last_words = last.map(|t| {
        let message = t
            .message
            .filter(|m| !m.trim().is_empty())
            .or_else(|| previous_log.map(|l| format!("log: {}", l.trim())))
            .unwrap_or_default();
        format!(
            "last exit {} ({}){}",
            t.exit_code,
            t.reason.unwrap_or_else(|| "no reason".into()),
            if message.is_empty() {
                String::new()
            } else {
                format!(": {}", message.trim())
            }
        )
    });
    let container = &s.name;
    match waiting {
        Some((reason, message)) if FAILING.contains(&reason.as_str()) => {
            let detail = last_words.or(message).unwrap_or_default();
            Some(Problem::error(
                None,
                format!(
                    "container {container} is {reason} after {} restarts; {detail}",
                    s.restart_count
                ),
            ))
        }
        _ if !s.ready && s.restart_count > 0 => Some(Problem::error(
            None,
            format!(
                "container {container} is not ready after {} restarts; {}",
                s.restart_count,
                last_words.unwrap_or_default()
            ),
        )),
        _ if s.restart_count > 0 => Some(Problem::warning(
            None,
            format!(
                "container {container} restarted {} times; {}",
                s.restart_count,
                last_words.unwrap_or_default()
            ),
        )),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::doctor::checks::testing::{healthy, messages, run as check};
    use crate::doctor::checks::Severity;
    use serde_json::json;

    #[test]
    fn crash_loop_names_the_last_termination() {
        assert_eq!(check(&CHECK, &healthy()), Verdict::Pass);
        let mut objects = healthy();
        let pod = objects
            .iter_mut()
            .find(|o| o["metadata"]["name"] == "dagu-worker-general-abc12")
            .unwrap();
        pod["status"]["containerStatuses"][0] = json!({"name": "worker", "ready": false, "restartCount": 4,
            "image": "x", "imageID": "",
            "state": {"waiting": {"reason": "CrashLoopBackOff", "message": "back-off 40s"}},
            "lastState": {"terminated": {"exitCode": 1, "reason": "Error",
                "message": "Error: worker.coordinators is required"}}});
        let verdict = check(&CHECK, &objects);
        let found = messages(&verdict);
        assert!(found.contains("Pod/dagu-worker-general-abc12: container worker is CrashLoopBackOff after 4 \
                                restarts; last exit 1 (Error): Error: worker.coordinators is required"), "{found}");
        assert_eq!(verdict.worst(), Some(Severity::Error));
    }

    #[test]
    fn past_restarts_of_a_running_container_warn_and_logs_stand_in_for_a_message() {
        let s: ContainerStatus =
            serde_json::from_value(json!({"name": "ui", "ready": true, "restartCount": 1,
            "image": "x", "imageID": "", "state": {"running": {}},
            "lastState": {"terminated": {"exitCode": 137, "reason": "OOMKilled"}}}))
            .unwrap();
        let p = judge(&s, Some("out of memory\n")).unwrap();
        assert_eq!(p.severity, Severity::Warning);
        assert!(
            p.message
                .ends_with("last exit 137 (OOMKilled): log: out of memory"),
            "{}",
            p.message
        );
    }
}

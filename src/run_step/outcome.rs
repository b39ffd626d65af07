//! Job + Pod → what is happening and, once decided, the exit code and reason. Pure: the async loop feeds it
//! the latest objects from its watches and acts on the [`Decision`].
//!
//! Failure reasons that cannot fix themselves fail fast (image pull errors, a missing Secret or ConfigMap);
//! Unschedulable is reported as such and the caller decides when to give up (`--schedule-timeout`), because a
//! cluster autoscaler may still add a node.

use k8s_openapi::api::batch::v1::Job;
use k8s_openapi::api::core::v1::{ContainerStatus, Pod};

use super::job::CONTAINER;
use crate::exit;

/// Container waiting reasons that will not resolve by waiting (with `restartPolicy: Never` a container that
/// cannot start is not retried in the same pod).
pub const FAIL_FAST: [&str; 8] = [
    "ErrImagePull",
    "ImagePullBackOff",
    "InvalidImageName",
    "CreateContainerConfigError",
    "CreateContainerError",
    "ErrImageNeverPull",
    "RunContainerError",
    "CrashLoopBackOff",
];

/// Where a run stands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Decision {
    /// Keep watching; the text is the phase for the status line.
    Wait(String),
    /// The pod cannot be scheduled (yet); the message is the scheduler's.
    Unschedulable(String),
    /// Done: exit with `code`; `reason` is printed on stderr when set.
    Finish { code: u8, reason: Option<String> },
}

fn finish(code: u8, reason: impl Into<Option<String>>) -> Decision {
    Decision::Finish {
        code,
        reason: reason.into(),
    }
}

/// The exit code for a container's exit status (0-255 pass through; others map to 1 unless 0).
pub fn exit_code(code: i32) -> u8 {
    match u8::try_from(code) {
        Ok(c) => c,
        Err(_) if code == 0 => 0,
        Err(_) => exit::FAILURE,
    }
}

/// The Job's terminal condition: `Some(Ok(()))` complete, `Some(Err((reason, message)))` failed.
pub fn job_end(job: &Job) -> Option<Result<(), (String, String)>> {
    let conditions = job.status.as_ref()?.conditions.as_ref()?;
    for c in conditions.iter().filter(|c| c.status == "True") {
        match c.type_.as_str() {
            "Complete" => return Some(Ok(())),
            "Failed" => {
                let reason = c.reason.clone().unwrap_or_else(|| "Failed".into());
                return Some(Err((reason, c.message.clone().unwrap_or_default())));
            }
            _ => {}
        }
    }
    None
}

fn step_status(pod: &Pod) -> Option<&ContainerStatus> {
    pod.status
        .as_ref()?
        .container_statuses
        .as_ref()?
        .iter()
        .find(|c| c.name == CONTAINER)
}

/// The step container's exit code and termination reason (with its message), once it terminated.
pub fn terminated(pod: &Pod) -> Option<(i32, Option<String>)> {
    let t = step_status(pod)?.state.as_ref()?.terminated.as_ref()?;
    let reason = t
        .reason
        .clone()
        .map(|r| match t.message.as_deref().map(str::trim) {
            Some(m) if !m.is_empty() => format!("{r}: {m}"),
            _ => r,
        });
    Some((t.exit_code, reason))
}

/// A pod that failed as a whole without its container terminating (Evicted, lost with its node, ...).
fn pod_failed(pod: &Pod) -> Option<String> {
    let status = pod.status.as_ref()?;
    (status.phase.as_deref() == Some("Failed")).then(|| {
        let reason = status.reason.clone().unwrap_or_else(|| "Failed".into());
        format!("{reason}{}", sep(status.message.as_deref().unwrap_or("")))
    })
}

/// Whether the step container is running or has run (its log can be read).
pub fn started(pod: &Pod) -> bool {
    let state = step_status(pod).and_then(|c| c.state.as_ref());
    state.is_some_and(|s| s.running.is_some() || s.terminated.is_some())
}

/// Decides from the Job and its newest pod. `retries`: whether a failed pod may be replaced (backoff_limit > 0
/// or a pod failure policy), in which case a failed container alone does not end the run.
pub fn decide(job: Option<&Job>, pod: Option<&Pod>, retries: bool) -> Decision {
    let exited = pod.and_then(terminated);
    match job.and_then(job_end) {
        Some(Ok(())) => return finish(exited.map_or(0, |(c, _)| exit_code(c)), None),
        Some(Err((reason, message))) => {
            let why = format!("Job failed: {reason}{}", sep(&message));
            return match exited {
                Some((code, r)) if code != 0 && reason != "DeadlineExceeded" => {
                    finish(exit_code(code), with_container_reason(why, r))
                }
                _ => finish(exit::FAILURE, why),
            };
        }
        None => {}
    }
    let Some(pod) = pod else {
        return Decision::Wait(if job.is_some() {
            "waiting for the pod".into()
        } else {
            "creating the Job".into()
        });
    };
    let name = pod.metadata.name.as_deref().unwrap_or("?");
    if let Some((code, reason)) = exited {
        if code == 0 {
            return finish(0, None);
        }
        if !retries {
            return finish(
                exit_code(code),
                reason
                    .filter(|r| r != "Error")
                    .map(|r| format!("container terminated: {r}")),
            );
        }
        return Decision::Wait(format!(
            "pod {name} failed with exit code {code}; waiting for the Job to retry or fail"
        ));
    }
    if let Some(why) = pod_failed(pod) {
        if !retries {
            return finish(exit::FAILURE, format!("pod {name} failed: {why}"));
        }
        return Decision::Wait(format!(
            "pod {name} failed ({why}); waiting for the Job to retry or fail"
        ));
    }
    let waiting = step_status(pod).and_then(|c| c.state.as_ref()?.waiting.as_ref());
    if let Some(w) = waiting {
        let reason = w.reason.as_deref().unwrap_or("");
        if FAIL_FAST.contains(&reason) {
            let msg = w.message.as_deref().unwrap_or("");
            return finish(exit::FAILURE, format!("pod {name}: {reason}{}", sep(msg)));
        }
        return Decision::Wait(match reason {
            "ContainerCreating" | "" => "starting the container (pulling the image)".into(),
            other => format!("waiting: {other}"),
        });
    }
    if started(pod) {
        return Decision::Wait("running".into());
    }
    let status = pod.status.as_ref();
    let scheduled = status
        .and_then(|s| s.conditions.as_ref())
        .and_then(|cs| cs.iter().find(|c| c.type_ == "PodScheduled"));
    match scheduled {
        Some(c) if c.status == "False" && c.reason.as_deref() == Some("Unschedulable") => {
            Decision::Unschedulable(format!(
                "pod {name} is unschedulable{}",
                sep(c.message.as_deref().unwrap_or(""))
            ))
        }
        Some(c) if c.status == "True" => {
            Decision::Wait("starting the container (pulling the image)".into())
        }
        _ => Decision::Wait("scheduling".into()),
    }
}

fn sep(message: &str) -> String {
    if message.is_empty() {
        String::new()
    } else {
        format!(": {message}")
    }
}

fn with_container_reason(why: String, reason: Option<String>) -> String {
    match reason.filter(|r| r != "Error") {
        Some(r) => format!("{why} (container terminated: {r})"),
        None => why,
    }
}

#[cfg(test)]
mod tests;

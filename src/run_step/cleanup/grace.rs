//! How long a deleted pod of the run may take to stop: its own grace period when a container may be running,
//! none at all when no container of the step ever ran (issue 13).
//!
//! A pod whose container never started (the image cannot be pulled, a referenced Secret or ConfigMap key is
//! missing, it was never scheduled) has nothing to stop. Deleted with its default grace period it still waits
//! for the kubelet to confirm the stop, and a kubelet in an image-pull back-off does that only when its next
//! sync of the pod comes round: on the 1.20 test cluster the pod stayed `Terminating` for 55-60 s. Deleting it
//! with `gracePeriodSeconds: 0` removes it from the API at once; the kubelet then tears down the sandbox on
//! its own. A container that is running, or that ran and may be restarted, keeps its grace period so the step
//! can shut down cleanly.

use k8s_openapi::api::core::v1::{ContainerStatus, Pod};

/// Waiting reasons that mean the container has not run and cannot start without outside help.
const NEVER_RAN: &[&str] = &[
    "ErrImagePull",
    "ImagePullBackOff",
    "ErrImageNeverPull",
    "InvalidImageName",
    "CreateContainerConfigError",
];

/// The grace period to delete a pod with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Grace {
    /// The pod's own `terminationGracePeriodSeconds` (the server's default for a delete without one).
    PodDefault,
    /// `gracePeriodSeconds: 0`: nothing ran, nothing to stop.
    None,
}

impl Grace {
    /// The `gracePeriodSeconds` of the delete request.
    pub fn seconds(self) -> Option<u32> {
        match self {
            Grace::PodDefault => None,
            Grace::None => Some(0),
        }
    }
}

/// Decides the grace period for one pod of the run from its status.
pub fn for_pod(pod: &Pod) -> Grace {
    let Some(status) = &pod.status else {
        return Grace::PodDefault;
    };
    let unschedulable = status.conditions.iter().flatten().any(|c| {
        c.type_ == "PodScheduled"
            && c.status == "False"
            && c.reason.as_deref() == Some("Unschedulable")
    });
    let unassigned = pod.spec.as_ref().is_none_or(|s| s.node_name.is_none());
    if unschedulable && unassigned {
        return Grace::None;
    }
    let containers: Vec<&ContainerStatus> = status
        .init_container_statuses
        .iter()
        .flatten()
        .chain(status.container_statuses.iter().flatten())
        .collect();
    let stuck = containers
        .iter()
        .any(|c| waiting_reason(c).is_some_and(|r| NEVER_RAN.contains(&r)));
    let ran = containers.iter().any(|c| has_run(c));
    if stuck && !ran {
        Grace::None
    } else {
        Grace::PodDefault
    }
}

fn waiting_reason(c: &ContainerStatus) -> Option<&str> {
    c.state.as_ref()?.waiting.as_ref()?.reason.as_deref()
}

/// Running now, or started before (a terminated state now or last time).
fn has_run(c: &ContainerStatus) -> bool {
    let now = c.state.as_ref();
    now.is_some_and(|s| s.running.is_some() || s.terminated.is_some())
        || c.last_state
            .as_ref()
            .is_some_and(|s| s.running.is_some() || s.terminated.is_some())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pod(yaml: &str) -> Pod {
        serde_saphyr::from_str(yaml).unwrap()
    }

    fn waiting(reason: &str) -> Pod {
        pod(&format!(
            "spec: {{nodeName: localhost, containers: [{{name: step}}]}}\n\
             status:\n  phase: Pending\n  containerStatuses:\n  - {{name: step, ready: false, restartCount: 0, image: x, imageID: '', \
             state: {{waiting: {{reason: {reason}, message: m}}}}}}\n"
        ))
    }

    #[test]
    fn a_container_that_never_ran_gets_no_grace() {
        for reason in NEVER_RAN {
            assert_eq!(for_pod(&waiting(reason)), Grace::None, "{reason}");
        }
        assert_eq!(Grace::None.seconds(), Some(0));
    }

    #[test]
    fn an_unschedulable_pod_gets_no_grace() {
        let p = pod(
            "spec: {containers: [{name: step}]}\nstatus:\n  phase: Pending\n  conditions:\n  \
                     - {type: PodScheduled, status: 'False', reason: Unschedulable}\n",
        );
        assert_eq!(for_pod(&p), Grace::None);
    }

    #[test]
    fn a_running_container_keeps_its_grace_period() {
        let p = pod("spec: {nodeName: localhost, containers: [{name: step}]}\nstatus:\n  phase: Running\n  \
                     containerStatuses:\n  - {name: step, ready: true, restartCount: 0, image: x, imageID: '', \
                     state: {running: {startedAt: '2026-12-02T00:00:00Z'}}}\n");
        assert_eq!(for_pod(&p), Grace::PodDefault);
        assert_eq!(Grace::PodDefault.seconds(), None);
    }

    #[test]
    fn a_container_that_ran_before_keeps_its_grace_period() {
        let p = pod("spec: {nodeName: localhost, containers: [{name: step}]}\nstatus:\n  phase: Running\n  \
                     containerStatuses:\n  - {name: step, ready: false, restartCount: 1, image: x, imageID: '', \
                     state: {waiting: {reason: ImagePullBackOff}}, lastState: {terminated: {exitCode: 1}}}\n");
        assert_eq!(for_pod(&p), Grace::PodDefault);
    }

    #[test]
    fn a_running_sidecar_or_init_container_keeps_the_grace_period() {
        let p = pod("spec: {nodeName: localhost, containers: [{name: step}]}\nstatus:\n  phase: Pending\n  \
                     initContainerStatuses:\n  - {name: init, ready: false, restartCount: 0, image: x, imageID: '', \
                     state: {running: {}}}\n  containerStatuses:\n  - {name: step, ready: false, restartCount: 0, \
                     image: x, imageID: '', state: {waiting: {reason: CreateContainerConfigError}}}\n");
        assert_eq!(for_pod(&p), Grace::PodDefault);
    }

    #[test]
    fn a_pod_still_starting_keeps_its_grace_period() {
        for p in [
            pod("spec: {nodeName: localhost, containers: [{name: step}]}\nstatus: {phase: Pending}\n"),
            waiting("ContainerCreating"),
            pod("spec: {containers: [{name: step}]}\n"),
        ] {
            assert_eq!(for_pod(&p), Grace::PodDefault, "{p:?}");
        }
    }
}

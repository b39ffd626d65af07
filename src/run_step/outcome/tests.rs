//! Outcome classification on recorded Pod and Job objects (trimmed to the fields that matter).

use super::*;

fn pod(yaml: &str) -> Pod {
    serde_saphyr::from_str(&format!("metadata: {{name: step-abcde}}\n{yaml}")).unwrap()
}

fn job(yaml: &str) -> Job {
    serde_saphyr::from_str(yaml).unwrap()
}

fn container(state: &str) -> Pod {
    pod(&format!(
        "status:\n  phase: Pending\n  containerStatuses:\n  - name: step\n    image: i\n    imageID: ''\n    ready: false\n    restartCount: 0\n    state:\n{state}"
    ))
}

const UNSCHEDULABLE: &str = "
status:
  phase: Pending
  conditions:
  - type: PodScheduled
    status: 'False'
    reason: Unschedulable
    message: '0/1 nodes are available: 1 node(s) didn''t match node selector.'
";

#[test]
fn pending_pods_wait_with_their_phase() {
    assert_eq!(
        decide(None, None, false),
        Decision::Wait("creating the Job".into())
    );
    assert_eq!(
        decide(Some(&job("{}")), None, false),
        Decision::Wait("waiting for the pod".into())
    );
    assert_eq!(
        decide(None, Some(&pod("status: {phase: Pending}")), false),
        Decision::Wait("scheduling".into())
    );
    let pulling = container("      waiting: {reason: ContainerCreating}");
    assert_eq!(
        decide(None, Some(&pulling), false),
        Decision::Wait("starting the container (pulling the image)".into())
    );
    let running = container("      running: {startedAt: '2026-03-31T10:00:00Z'}");
    assert_eq!(
        decide(None, Some(&running), false),
        Decision::Wait("running".into())
    );
    assert!(started(&running));
}

#[test]
fn unschedulable_is_reported_not_decided() {
    match decide(None, Some(&pod(UNSCHEDULABLE)), false) {
        Decision::Unschedulable(m) => assert!(m.contains("didn't match node selector"), "{m}"),
        other => panic!("{other:?}"),
    }
}

#[test]
fn image_and_config_errors_fail_fast_with_the_pods_message() {
    for reason in [
        "ErrImagePull",
        "ImagePullBackOff",
        "InvalidImageName",
        "CreateContainerConfigError",
    ] {
        let p = container(&format!(
            "      waiting: {{reason: {reason}, message: 'secret \"nope\" not found'}}"
        ));
        assert_eq!(
            decide(None, Some(&p), false),
            Decision::Finish {
                code: 1,
                reason: Some(format!(
                    "pod step-abcde: {reason}: secret \"nope\" not found"
                ))
            }
        );
    }
}

#[test]
fn the_containers_exit_code_is_the_result() {
    let ok = container("      terminated: {exitCode: 0, reason: Completed}");
    assert_eq!(
        decide(None, Some(&ok), false),
        Decision::Finish {
            code: 0,
            reason: None
        }
    );
    let failed = container("      terminated: {exitCode: 42, reason: Error}");
    assert_eq!(
        decide(None, Some(&failed), false),
        Decision::Finish {
            code: 42,
            reason: None
        }
    );
    let oom = container("      terminated: {exitCode: 137, reason: OOMKilled}");
    assert_eq!(
        decide(None, Some(&oom), false),
        Decision::Finish {
            code: 137,
            reason: Some("container terminated: OOMKilled".into())
        }
    );
}

#[test]
fn with_retries_a_failed_pod_waits_for_the_job() {
    let failed = container("      terminated: {exitCode: 3, reason: Error}");
    assert!(matches!(
        decide(None, Some(&failed), true),
        Decision::Wait(_)
    ));
    let j = job("status:\n  conditions:\n  - {type: Failed, status: 'True', reason: BackoffLimitExceeded, message: Job has reached the specified backoff limit}");
    assert_eq!(
        decide(Some(&j), Some(&failed), true),
        Decision::Finish {
            code: 3,
            reason: Some(
                "Job failed: BackoffLimitExceeded: Job has reached the specified backoff limit"
                    .into()
            )
        }
    );
}

#[test]
fn a_job_failed_without_an_exit_code_exits_1_with_its_reason() {
    let j = job("status:\n  conditions:\n  - {type: Failed, status: 'True', reason: DeadlineExceeded, message: Job was active longer than specified deadline}");
    let killed = container("      terminated: {exitCode: 143, reason: Error}");
    let want = Decision::Finish {
        code: 1,
        reason: Some(
            "Job failed: DeadlineExceeded: Job was active longer than specified deadline".into(),
        ),
    };
    assert_eq!(decide(Some(&j), Some(&killed), false), want);
    assert_eq!(decide(Some(&j), None, false), want);
    let pfp = job("status:\n  conditions:\n  - {type: Failed, status: 'True', reason: PodFailurePolicy, message: matched rule 0}");
    assert_eq!(
        decide(Some(&pfp), Some(&pod(UNSCHEDULABLE)), false),
        Decision::Finish {
            code: 1,
            reason: Some("Job failed: PodFailurePolicy: matched rule 0".into())
        }
    );
}

#[test]
fn a_complete_job_is_success() {
    let j = job("status:\n  conditions:\n  - {type: Complete, status: 'True'}");
    assert_eq!(
        decide(Some(&j), None, false),
        Decision::Finish {
            code: 0,
            reason: None
        }
    );
    assert_eq!(
        job_end(&job(
            "status:\n  conditions:\n  - {type: Complete, status: 'False'}"
        )),
        None
    );
}

#[test]
fn exit_codes_outside_a_byte_are_failures() {
    assert_eq!(exit_code(42), 42);
    assert_eq!(exit_code(-1), 1);
    assert_eq!(exit_code(256), 1);
}

#[test]
fn evicted_or_lost_pods_fail_with_the_pods_reason() {
    let evicted = pod("status:\n  phase: Failed\n  reason: Evicted\n  message: 'The node was low on resource: memory.'\n");
    assert_eq!(
        decide(None, Some(&evicted), false),
        Decision::Finish {
            code: 1,
            reason: Some(
                "pod step-abcde failed: Evicted: The node was low on resource: memory.".into()
            )
        }
    );
    assert!(matches!(
        decide(None, Some(&evicted), true),
        Decision::Wait(_)
    ));
    let lost = pod("status:\n  phase: Failed\n  reason: NodeLost\n");
    assert_eq!(
        decide(None, Some(&lost), false),
        Decision::Finish {
            code: 1,
            reason: Some("pod step-abcde failed: NodeLost".into())
        }
    );
}

#[test]
fn a_container_that_cannot_start_is_reported_with_its_message() {
    for reason in ["RunContainerError", "CrashLoopBackOff"] {
        let p = container(&format!(
            "      waiting: {{reason: {reason}, message: 'exec: \"nope\": not found'}}"
        ));
        assert!(
            matches!(decide(None, Some(&p), false), Decision::Finish { code: 1, reason: Some(r) } if r.contains(reason) && r.contains("nope"))
        );
    }
    let start = container("      terminated: {exitCode: 128, reason: StartError, message: 'exec: \"nope\": executable file not found in $PATH'}");
    assert_eq!(
        decide(None, Some(&start), false),
        Decision::Finish {
            code: 128,
            reason: Some("container terminated: StartError: exec: \"nope\": executable file not found in $PATH".into())
        }
    );
}

#[test]
fn a_missing_configmap_key_fails_fast() {
    let p = container("      waiting: {reason: CreateContainerConfigError, message: 'couldn''t find key cfg in ConfigMap ns/app-config'}");
    assert_eq!(
        decide(None, Some(&p), false),
        Decision::Finish {
            code: 1,
            reason: Some("pod step-abcde: CreateContainerConfigError: couldn't find key cfg in ConfigMap ns/app-config".into())
        }
    );
}

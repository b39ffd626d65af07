//! The field table of the Kubernetes config block: exactly the fields the executor document lists. Adding a
//! supported field is adding a line here (and mapping it in `job.rs` when it is top-level).

use super::schema::Field;
use super::schema::Shape::{self, Bool, Dict, Int, List, Map as M, Quantity, Str};

const fn f(name: &'static str, shape: Shape) -> Field {
    Field {
        name,
        k8s: None,
        shape,
    }
}

const fn renamed(name: &'static str, k8s: &'static str, shape: Shape) -> Field {
    Field {
        name,
        k8s: Some(k8s),
        shape,
    }
}

const KEY_REF: Shape = M(&[f("name", Str), f("key", Str)]);
pub const ENV_VAR: Shape = M(&[
    f("name", Str),
    f("value", Str),
    f(
        "value_from",
        M(&[
            f("secret_key_ref", KEY_REF),
            f("config_map_key_ref", KEY_REF),
            f("field_ref", M(&[f("field_path", Str)])),
        ]),
    ),
]);
pub const ENV_FROM: Shape = M(&[
    f("config_map_ref", M(&[f("name", Str)])),
    f("secret_ref", M(&[f("name", Str)])),
    f("prefix", Str),
]);
pub const TOLERATION: Shape = M(&[
    f("key", Str),
    f("operator", Str),
    f("value", Str),
    f("effect", Str),
    f("toleration_seconds", Int),
]);
const REQUIREMENT: Shape = M(&[f("key", Str), f("operator", Str), f("values", List(&Str))]);
const NODE_SELECTOR_TERM: Shape = M(&[f("match_expressions", List(&REQUIREMENT))]);
const LABEL_SELECTOR: Shape = M(&[
    f("match_labels", Dict(&Str)),
    f("match_expressions", List(&REQUIREMENT)),
]);
const POD_AFFINITY_TERM: Shape = M(&[
    f("label_selector", LABEL_SELECTOR),
    f("namespace_selector", LABEL_SELECTOR),
    f("namespaces", List(&Str)),
    f("topology_key", Str),
]);
const POD_AFFINITY: Shape = M(&[
    f(
        "required_during_scheduling_ignored_during_execution",
        List(&POD_AFFINITY_TERM),
    ),
    f(
        "preferred_during_scheduling_ignored_during_execution",
        List(&M(&[
            f("weight", Int),
            f("pod_affinity_term", POD_AFFINITY_TERM),
        ])),
    ),
]);
pub const AFFINITY: Shape = M(&[
    f(
        "node_affinity",
        M(&[
            f(
                "required_during_scheduling_ignored_during_execution",
                M(&[f("node_selector_terms", List(&NODE_SELECTOR_TERM))]),
            ),
            f(
                "preferred_during_scheduling_ignored_during_execution",
                List(&M(&[f("weight", Int), f("preference", NODE_SELECTOR_TERM)])),
            ),
        ]),
    ),
    f("pod_affinity", POD_AFFINITY),
    f("pod_anti_affinity", POD_AFFINITY),
]);
const SECCOMP: Shape = M(&[f("type", Str), f("localhost_profile", Str)]);
pub const SECURITY_CONTEXT: Shape = M(&[
    f("run_as_user", Int),
    f("run_as_group", Int),
    f("run_as_non_root", Bool),
    f("privileged", Bool),
    f("read_only_root_filesystem", Bool),
    f("allow_privilege_escalation", Bool),
    f(
        "capabilities",
        M(&[f("add", List(&Str)), f("drop", List(&Str))]),
    ),
    f("seccomp_profile", SECCOMP),
]);
pub const POD_SECURITY_CONTEXT: Shape = M(&[
    f("run_as_user", Int),
    f("run_as_group", Int),
    f("run_as_non_root", Bool),
    f("fs_group", Int),
    f("fs_group_change_policy", Str),
    f("supplemental_groups", List(&Int)),
    f("sysctls", List(&M(&[f("name", Str), f("value", Str)]))),
    f("seccomp_profile", SECCOMP),
]);
pub const POD_FAILURE_POLICY: Shape = M(&[f(
    "rules",
    List(&M(&[
        f("action", Str),
        f(
            "on_exit_codes",
            M(&[
                f("container_name", Str),
                f("operator", Str),
                f("values", List(&Int)),
            ]),
        ),
        f(
            "on_pod_conditions",
            List(&M(&[f("type", Str), f("status", Str)])),
        ),
    ])),
)]);
pub const VOLUME: Shape = M(&[
    f("name", Str),
    f(
        "empty_dir",
        M(&[f("medium", Str), f("size_limit", Quantity)]),
    ),
    f("host_path", M(&[f("path", Str), f("type", Str)])),
    f("config_map", M(&[f("name", Str)])),
    f("secret", M(&[f("secret_name", Str)])),
    f(
        "persistent_volume_claim",
        M(&[f("claim_name", Str), f("read_only", Bool)]),
    ),
]);
pub const VOLUME_MOUNT: Shape = M(&[f("name", Str), f("mount_path", Str), f("read_only", Bool)]);
pub const RESOURCES: Shape = M(&[f("requests", Dict(&Quantity)), f("limits", Dict(&Quantity))]);

/// The whole config block.
pub const CONFIG: Shape = M(&[
    f("image", Str),
    f("namespace", Str),
    f("kubeconfig", Str),
    f("context", Str),
    f("working_dir", Str),
    f("service_account", Str),
    f("image_pull_policy", Str),
    f("image_pull_secrets", List(&Str)),
    f("priority_class_name", Str),
    f("termination_grace_period_seconds", Int),
    f("env", List(&ENV_VAR)),
    f("env_from", List(&ENV_FROM)),
    f("resources", RESOURCES),
    f("node_selector", Dict(&Str)),
    f("tolerations", List(&TOLERATION)),
    f("affinity", AFFINITY),
    f("labels", Dict(&Str)),
    f("annotations", Dict(&Str)),
    f("security_context", SECURITY_CONTEXT),
    f("pod_security_context", POD_SECURITY_CONTEXT),
    renamed("active_deadline", "activeDeadlineSeconds", Int),
    f("backoff_limit", Int),
    renamed("ttl_after_finished", "ttlSecondsAfterFinished", Int),
    f("cleanup_policy", Str),
    f("pod_failure_policy", POD_FAILURE_POLICY),
    f("volumes", List(&VOLUME)),
    f("volume_mounts", List(&VOLUME_MOUNT)),
]);

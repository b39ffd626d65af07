//! Job lifecycle numbers are non-negative: `active_deadline`, `backoff_limit`, `ttl_after_finished` and
//! `termination_grace_period_seconds` (executor document, "Job Lifecycle" and "Cluster and Runtime"). Error.

use serde_json::Value;

use super::{non_negative, Findings, Path};

pub const ID: &str = "job_lifecycle";
const FIELDS: [&str; 4] = [
    "active_deadline",
    "backoff_limit",
    "ttl_after_finished",
    "termination_grace_period_seconds",
];

pub fn check(config: &Value, out: &mut Findings) {
    for field in FIELDS {
        non_negative(ID, config, &Path::root(), field, out);
    }
}

#[cfg(test)]
mod tests {
    use super::super::run;
    use serde_json::json;

    #[test]
    fn zero_and_positive_are_fine() {
        let v = json!({"active_deadline": 0, "backoff_limit": 3, "ttl_after_finished": 60, "termination_grace_period_seconds": 0});
        assert!(run(super::check, v).is_empty());
    }

    #[test]
    fn negatives_are_reported_each() {
        let v = json!({"active_deadline": -1, "backoff_limit": -2, "ttl_after_finished": -3, "termination_grace_period_seconds": -4});
        assert_eq!(
            run(super::check, v),
            [
                "active_deadline: must be >= 0, found -1",
                "backoff_limit: must be >= 0, found -2",
                "ttl_after_finished: must be >= 0, found -3",
                "termination_grace_period_seconds: must be >= 0, found -4"
            ]
        );
    }
}

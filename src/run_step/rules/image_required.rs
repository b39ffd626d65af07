//! `image` must be set in the effective step config (it may come from the DAG or base.yaml); the executor
//! document: "image is optional in DAG-level or base.yaml defaults, but it must be present in the effective
//! step config after inheritance". Error.

use serde_json::Value;

use super::{required_str, Findings, Path};

pub const ID: &str = "image_required";

pub fn check(config: &Value, out: &mut Findings) {
    required_str(ID, config, &Path::root(), "image", out);
}

#[cfg(test)]
mod tests {
    use super::super::run;
    use serde_json::json;

    #[test]
    fn image_must_be_set() {
        assert!(run(super::check, json!({"image": "alpine:3.20"})).is_empty());
        assert_eq!(
            run(super::check, json!({"namespace": "x"})),
            ["image: is required and must not be empty"]
        );
        assert_eq!(
            run(super::check, json!({"image": " "})),
            ["image: is required and must not be empty"]
        );
    }
}

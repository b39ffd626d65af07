//! The shared PVC's access modes include `ReadWriteMany` unless skip-validation is set (chart docs,
//! "Persistence Rules"; README: every component on every node shares the volume). A violation is an error,
//! never "fixed": only the user knows whether their storage class can do RWX.

use serde_json::{json, Value};

use super::{Finding, Rule};
use crate::post_render::context::Context;
use crate::post_render::lookup::Lookup;
use crate::post_render::manifest::Doc;

pub const RULE: Rule = Rule {
    id: "pvc-read-write-many",
    description: "the PVC's accessModes include ReadWriteMany (unless persistence.skipValidation or --skip-validation)",
    check,
};

fn check(ctx: &Context, docs: &[Doc]) -> Vec<Finding> {
    if ctx.skip_validation {
        return vec![];
    }
    let name = ctx.pvc_name();
    docs.iter()
        .enumerate()
        .filter(|(_, d)| d.is("PersistentVolumeClaim", &name))
        .filter_map(|(i, d)| {
            let modes = d.value()?.at("/spec/accessModes");
            let rwx = modes
                .and_then(Value::as_array)
                .is_some_and(|m| m.iter().any(|m| m == "ReadWriteMany"));
            (!rwx).then(|| {
                Finding::error(
                    RULE.id,
                    Some(i),
                    "/spec/accessModes",
                    format!(
                        "PersistentVolumeClaim {name}: access modes lack ReadWriteMany, but the coordinator, \
                         scheduler, UI{} all mount it, usually from different nodes. Use an RWX storage class \
                         (persistence.accessMode=ReadWriteMany, persistence.storageClass=...), {} \
                         (or pass --skip-validation)",
                        if ctx.profile.generation.workers_share_pvc { " and workers" } else { "" },
                        match ctx.profile.generation.skip_validation_value {
                            Some(key) => format!("or for a single-node cluster set {key}=true"),
                            None => format!(
                                "or for a single-node cluster deploymentMode=standalone (chart {} has no \
                                 persistence.skipValidation)",
                                ctx.profile.chart
                            ),
                        }
                    ),
                )
                .expected(json!(["ReadWriteMany"]), modes.cloned())
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::post_render::context::Overrides;
    use crate::post_render::rules::testing::{run, run_with, valid, PVC};

    fn rwo() -> Vec<Value> {
        let mut docs = valid();
        docs[PVC]["spec"]["accessModes"] = json!(["ReadWriteOnce"]);
        docs
    }

    #[test]
    fn rwx_passes() {
        assert!(run(&RULE, json!({}), &valid()).0.is_empty());
    }

    #[test]
    fn rwo_is_an_error_not_a_fix() {
        let (findings, after) = run(&RULE, json!({}), &rwo());
        assert_eq!(findings.len(), 1);
        assert!(findings[0].is_error());
        assert_eq!(findings[0].found, Some(json!(["ReadWriteOnce"])));
        assert_eq!(after, rwo());
    }

    #[test]
    fn skip_validation_from_values_or_flag() {
        let values = json!({"persistence": {"skipValidation": true}});
        assert!(run(&RULE, values, &rwo()).0.is_empty());
        let flags = Overrides {
            skip_validation: true,
            ..Overrides::default()
        };
        assert!(run_with(&RULE, json!({}), &rwo(), &flags).0.is_empty());
    }
}

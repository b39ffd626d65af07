//! `auth.mode: none` or `peer.insecure: true` in the live `dagu.yaml`, reported exactly as post-render reports
//! it (the same `insecure-config` rule on the live ConfigMap): a warning, which fails only with `--strict`.

use super::post_render_rules::INSECURE_RULE;
use super::{Category, Check, Problem, Verdict};
use crate::doctor::release::Release;

pub const CHECK: Check = Check {
    id: "insecure-config",
    category: Category::Versions,
    description: "authentication is on and worker-coordinator gRPC is not plaintext",
    hint: "set auth.mode to builtin (or basic) and configure peer TLS in the chart values, then helm upgrade",
    fatal: false,
    retry: false,
    run,
};

fn run(release: &Release) -> Verdict {
    let Ok(findings) = &release.post_render else {
        return Verdict::Skip("the post-render rules could not read the live objects".into());
    };
    Verdict::from(
        findings
            .iter()
            .filter(|(_, f)| f.rule == INSECURE_RULE)
            .map(|(object, f)| Problem::warning(object.clone(), f.message.clone()))
            .collect(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::doctor::checks::testing::{find, healthy, messages, run as check};
    use crate::doctor::checks::Severity;

    #[test]
    fn auth_mode_none_is_a_warning() {
        assert_eq!(check(&CHECK, &healthy()), Verdict::Pass);
        let mut objects = healthy();
        let cm = find(&mut objects, "ConfigMap", "dagu-config");
        cm["data"]["dagu.yaml"] = serde_json::json!("auth:\n  mode: none\n");
        let verdict = check(&CHECK, &objects);
        assert_eq!(
            verdict.worst(),
            Some(Severity::Warning),
            "{}",
            messages(&verdict)
        );
        assert!(
            messages(&verdict).contains("none"),
            "{}",
            messages(&verdict)
        );
    }
}

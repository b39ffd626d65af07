//! The release has Dagu Deployments: objects labelled `app.kubernetes.io/instance=<release>` (every chart
//! template sets it) whose container runs `dagu <component>`. Fatal: without them nothing else can be checked.

use super::{Category, Check, Problem, Verdict};
use crate::doctor::release::{Release, INSTANCE_LABEL};

pub const CHECK: Check = Check {
    id: "release-found",
    category: Category::Release,
    description: "the release's Dagu Deployments exist",
    hint: "pass the release name as installed (helm list -A) and its namespace with -n",
    fatal: true,
    retry: false,
    run,
};

fn run(release: &Release) -> Verdict {
    if !release.components.is_empty() {
        return Verdict::Pass;
    }
    let others = release.objects.deployments.len();
    Verdict::from(vec![Problem::error(
        None,
        format!(
            "no Dagu Deployment labelled {INSTANCE_LABEL}={} in namespace {:?} ({others} Deployments with that \
             label run something else)",
            release.name, release.namespace
        ),
    )])
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::doctor::checks::testing::{healthy, messages, run as check};

    #[test]
    fn passes_with_components_and_fails_without() {
        assert_eq!(check(&CHECK, &healthy()), Verdict::Pass);
        let none: Vec<_> = healthy()
            .into_iter()
            .filter(|o| o["kind"] != "Deployment")
            .collect();
        assert!(messages(&check(&CHECK, &none)).contains("no Dagu Deployment labelled"));
    }
}

//! Every Dagu container of the release (Deployments and the pods running now) runs the same image: the
//! components share one data directory and one gRPC protocol, and mixed Dagu versions disagree on both.
//! Retried by `--wait` (during a rollout old pods still run the old image).

use std::collections::BTreeMap;

use super::{Category, Check, Problem, Verdict};
use crate::doctor::release::Release;

pub const CHECK: Check = Check {
    id: "same-image",
    category: Category::Versions,
    description: "all Dagu containers run the same image",
    hint: "set one image.tag for the whole release and helm upgrade; kubectl set image on one Deployment \
           leaves the others behind",
    fatal: false,
    retry: true,
    run,
};

fn run(release: &Release) -> Verdict {
    let mut by_image: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for c in &release.components {
        let container = c.dagu_container();
        let image = container.image.clone().unwrap_or_default();
        by_image
            .entry(image)
            .or_default()
            .push(format!("Deployment/{}", c.name));
        for pod in c.pods(&release.objects.pods) {
            let spec = pod.spec.as_ref();
            let image = spec
                .and_then(|s| s.containers.iter().find(|k| k.name == container.name))
                .and_then(|k| k.image.clone());
            if let Some(image) = image {
                by_image.entry(image).or_default().push(format!(
                    "Pod/{}",
                    pod.metadata.name.clone().unwrap_or_default()
                ));
            }
        }
    }
    if by_image.len() <= 1 {
        return Verdict::Pass;
    }
    let list = by_image
        .iter()
        .map(|(image, users)| format!("{image} ({})", users.join(", ")))
        .collect::<Vec<_>>()
        .join("; ");
    Verdict::from(vec![Problem::error(
        None,
        format!("{} images: {list}", by_image.len()),
    )])
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::doctor::checks::testing::{find, healthy, messages, run as check};
    use serde_json::json;

    #[test]
    fn two_images_fail_naming_who_runs_which() {
        assert_eq!(check(&CHECK, &healthy()), Verdict::Pass);
        let mut objects = healthy();
        find(&mut objects, "Deployment", "dagu-scheduler")["spec"]["template"]["spec"]
            ["containers"][0]["image"] = json!("ghcr.io/dagucloud/dagu:2.12.0");
        let found = messages(&check(&CHECK, &objects));
        assert!(
            found.contains("2 images: ghcr.io/dagucloud/dagu:2.11.1 (Deployment/dagu-coordinator"),
            "{found}"
        );
    }
}

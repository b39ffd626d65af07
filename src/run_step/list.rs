//! `run-step --list DAG_FILE`: the DAG's steps as a table, Kubernetes steps (`action: k8s.run` /
//! `kubernetes.run`, or `type: k8s` / `kubernetes`) with the image they would run (after merging the base
//! files, the DAG block and the step block), other steps marked as skipped. TYPE is the step's `action:` when
//! it has one (`k8s.run`), else its `type:`.

use serde_json::Value;

use super::dag;
use super::plan::{plan, Inputs, PlanError};

/// The table, one row per step; errors only when the DAG file itself cannot be read.
pub fn list(inputs: &Inputs) -> Result<String, PlanError> {
    let dag = dag::parse(inputs.dag_text, inputs.dag_stem).map_err(|e| PlanError::Input {
        what: "the DAG file".into(),
        message: format!("{e:#}"),
    })?;
    let mut rows = vec![[
        "STEP".to_string(),
        "NAME".into(),
        "TYPE".into(),
        "IMAGE".into(),
    ]];
    for step in &dag.steps {
        let kind = match (step.is_action(), step.action()) {
            (true, Some(action)) => action.to_string(),
            (true, None) => step.value["action"].to_string(),
            (false, _) => step.kind().unwrap_or("command").to_string(),
        };
        let image = match (&step.id, &step.name) {
            _ if !step.is_k8s() => "(skipped: not a Kubernetes step)".to_string(),
            (None, None) => "(no id or name: cannot be selected)".to_string(),
            (id, name) => {
                let wanted = id.as_deref().or(name.as_deref()).unwrap_or_default();
                match plan(&Inputs {
                    step: wanted,
                    keep_unresolved: true,
                    ..inputs.clone()
                }) {
                    Ok(p) => p
                        .config
                        .get("image")
                        .and_then(Value::as_str)
                        .unwrap_or_default()
                        .to_string(),
                    Err(PlanError::Invalid { errors, .. }) => {
                        format!("(invalid config: {} error(s))", errors.len())
                    }
                    Err(e) => format!("({e})"),
                }
            }
        };
        let dash = || "-".to_string();
        rows.push([
            step.id.clone().unwrap_or_else(dash),
            step.name.clone().unwrap_or_else(dash),
            kind,
            image,
        ]);
    }
    let widths: Vec<usize> = (0..3)
        .map(|c| rows.iter().map(|r| r[c].chars().count()).max().unwrap_or(0))
        .collect();
    let mut out = String::new();
    for r in rows {
        for (c, w) in widths.iter().enumerate() {
            out.push_str(&format!("{:<w$}  ", r[c], w = *w));
        }
        out.push_str(&r[3]);
        out.push('\n');
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lists_kubernetes_steps_with_their_merged_image_and_skips_others() {
        let text = "kubernetes: {image: 'busybox:1.36'}\nsteps:\n  - {id: a, type: k8s}\n  - {name: b, type: kubernetes, with: {image: 'alpine:${TAG}'}}\n  - {id: c, command: echo}\n  - {id: d, type: k8s, config: {image: x, backoff_limit: -1}}\n  - {id: e, action: k8s.run, with: {command: 'true'}}\n  - {id: f, action: kubernetes.run, with: {image: 'alpine:3.20', command: [a, b]}}\n  - {id: g, action: docker.run, with: {image: x}}\n";
        let inputs = Inputs {
            dag_text: text,
            dag_stem: "x",
            process_env: Some(Default::default()),
            ..Default::default()
        };
        let table = list(&inputs).unwrap();
        assert_eq!(
            table,
            "STEP  NAME  TYPE            IMAGE\n\
             a     -     k8s             busybox:1.36\n\
             -     b     kubernetes      alpine:${TAG}\n\
             c     -     command         (skipped: not a Kubernetes step)\n\
             d     -     k8s             (invalid config: 1 error(s))\n\
             e     -     k8s.run         busybox:1.36\n\
             f     -     kubernetes.run  (invalid config: 1 error(s))\n\
             g     -     docker.run      (skipped: not a Kubernetes step)\n"
        );
    }
}

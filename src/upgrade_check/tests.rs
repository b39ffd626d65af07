use std::collections::BTreeMap;

use serde_json::{json, Value};

use super::plan::{key, plan, prepare_update, DryRun, Step};

fn deployment(name: &str, component: &str, selector: Value, args: &[&str]) -> Value {
    json!({"apiVersion": "apps/v1", "kind": "Deployment",
        "metadata": {"name": name, "labels": {"app.kubernetes.io/component": component,
                                              "helm.sh/chart": "dagu-2.0.3"}},
        "spec": {"selector": {"matchLabels": selector},
                 "template": {"spec": {"containers": [{"name": "c", "args": args}]}}}})
}

#[test]
fn refused_selector_change_gets_an_orphan_delete_and_dropped_components_the_mode_trap() {
    let old_sel = json!({"app.kubernetes.io/name": "dagu", "helm.sh/chart": "dagu-1.0.6"});
    let new_sel = json!({"app.kubernetes.io/name": "dagu"});
    let live = vec![
        deployment("dagu-ui", "ui", old_sel.clone(), &["dagu", "server"]),
        deployment(
            "dagu-coordinator",
            "coordinator",
            old_sel,
            &["dagu", "coordinator"],
        ),
    ];
    let new = vec![deployment("dagu-ui", "ui", new_sel, &["dagu", "start-all"])];
    let mut dry = BTreeMap::new();
    dry.insert(
        key(&new[0]).unwrap(),
        DryRun::Invalid("spec.selector: field is immutable".into()),
    );
    let p = plan(&new, &live, &dry, None);
    assert!(!p.safe() && !p.resolvable());
    assert_eq!(
        p.steps,
        vec![Step::OrphanDelete {
            kind: "Deployment".into(),
            name: "dagu-ui".into()
        }]
    );
    assert_eq!(
        p.steps[0].command("dg"),
        "kubectl delete deployment dagu-ui -n dg --cascade=orphan"
    );
    let ui = p
        .items
        .iter()
        .find(|i| i.object == "Deployment/dagu-ui")
        .unwrap();
    assert_eq!(ui.id, "immutable-field");
    assert!(
        ui.message
            .contains("field is immutable (selector {\"matchLabels\""),
        "{}",
        ui.message
    );
    let trap = p.items.iter().find(|i| i.id == "deployment-mode").unwrap();
    assert_eq!(trap.object, "Deployment/dagu-coordinator");
    assert!(trap.message.contains("deploymentMode: distributed"));
}

#[test]
fn an_accepted_upgrade_is_safe_and_skip_validation_is_a_trap_on_2x() {
    let live = vec![deployment(
        "dagu-ui",
        "ui",
        json!({"a": "b"}),
        &["dagu", "server"],
    )];
    let p = plan(&live, &live, &BTreeMap::new(), None);
    assert!(p.safe());
    let values = json!({"persistence": {"skipValidation": true}});
    let p = plan(&live, &live, &BTreeMap::new(), Some(&values));
    assert_eq!(p.items[0].id, "values-trap");
}

#[test]
fn a_refused_claim_is_not_resolvable_and_names_existing_claim() {
    let pvc = |modes: Value| {
        json!({"apiVersion": "v1", "kind": "PersistentVolumeClaim",
        "metadata": {"name": "dagu-data"}, "spec": {"accessModes": modes}})
    };
    let live = vec![pvc(json!(["ReadWriteMany"]))];
    let new = vec![pvc(json!(["ReadWriteOnce"]))];
    let mut dry = BTreeMap::new();
    dry.insert(
        key(&new[0]).unwrap(),
        DryRun::Invalid("spec: Forbidden: spec is immutable".into()),
    );
    let p = plan(&new, &live, &dry, None);
    assert_eq!(p.items[0].id, "pvc-replaced");
    assert!(!p.items[0].resolved);
    assert!(p.items[0]
        .message
        .contains("persistence.existingClaim: dagu-data"));
}

#[test]
fn updates_keep_what_the_server_set() {
    let live = json!({"kind": "Service", "metadata": {"name": "s", "resourceVersion": "7"},
        "spec": {"clusterIP": "10.96.0.5", "clusterIPs": ["10.96.0.5"]}});
    let new = json!({"kind": "Service", "metadata": {"name": "s"}, "spec": {"ports": []}});
    let out = prepare_update(&new, &live);
    assert_eq!(out["metadata"]["resourceVersion"], "7");
    assert_eq!(out["spec"]["clusterIP"], "10.96.0.5");
}

#[test]
fn a_service_the_new_chart_drops_is_deleted_by_design() {
    let svc =
        json!({"apiVersion": "v1", "kind": "Service", "metadata": {"name": "dagu-scheduler"}});
    let p = plan(&[], &[svc], &BTreeMap::new(), None);
    assert_eq!(p.items[0].id, "object-deleted");
    assert!(p.items[0].resolved && p.safe());
}

#[test]
fn unserved_kinds_block_invalid_creates_are_not_immutable_and_unchecked_kinds_are_noted() {
    let pdb = json!({"apiVersion": "policy/v1", "kind": "PodDisruptionBudget", "metadata": {"name": "p"}});
    let ingress =
        json!({"apiVersion": "networking.k8s.io/v1", "kind": "Ingress", "metadata": {"name": "i"}});
    let role = json!({"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRole", "metadata": {"name": "r"}});
    let new = vec![pdb.clone(), ingress.clone(), role.clone()];
    let mut dry = BTreeMap::new();
    dry.insert(
        key(&pdb).unwrap(),
        DryRun::NotServed(
            "policy/v1 PodDisruptionBudget: the server does not serve policy/v1".into(),
        ),
    );
    dry.insert(
        key(&ingress).unwrap(),
        DryRun::Invalid("spec.rules[0].host: Invalid value".into()),
    );
    dry.insert(
        key(&role).unwrap(),
        DryRun::NotChecked("cluster-scoped".into()),
    );
    let p = plan(&new, &[], &dry, None);
    assert!(!p.resolvable() && p.steps.is_empty());
    let id = |object: &str| {
        p.items
            .iter()
            .find(|i| i.object == object)
            .map(|i| (i.id, i.resolved))
    };
    assert_eq!(
        id("PodDisruptionBudget/p"),
        Some(("kind-not-served", false))
    );
    assert_eq!(id("Ingress/i"), Some(("invalid", false)));
    assert_eq!(id("ClusterRole/r"), Some(("not-checked", true)));
    let served = p.items.iter().find(|i| i.id == "kind-not-served").unwrap();
    assert!(
        served
            .message
            .contains("does not serve policy/v1: helm upgrade stops"),
        "{}",
        served.message
    );
}

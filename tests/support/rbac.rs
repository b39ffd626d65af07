//! Least privilege, proven: a service account bound to one of the Roles in `docs/rbac/`, and a kubeconfig that
//! authenticates as it. E2e tests run `kubectl-dagu` with that kubeconfig, so a verb missing from the documented
//! Role fails the test.

use std::path::{Path, PathBuf};

use k8s_openapi::api::core::v1::{Secret, ServiceAccount};
use k8s_openapi::api::rbac::v1::{Role, RoleBinding};
use kube::api::{Api, PostParams};
use kube::config::{AuthInfo, Kubeconfig, NamedAuthInfo};

/// Creates (in `namespace`) the Role from `docs/rbac/<role_file>`, a service account bound to it, and returns a
/// kubeconfig file (inside `dir`) that uses the account's token, with `namespace` as its default namespace.
pub async fn least_privilege_kubeconfig(
    client: kube::Client,
    namespace: &str,
    role_file: &str,
    dir: &Path,
) -> PathBuf {
    let text = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("docs/rbac")
            .join(role_file),
    )
    .unwrap_or_else(|e| panic!("docs/rbac/{role_file}: {e}"));
    let role: Role =
        serde_saphyr::from_str(&text).unwrap_or_else(|e| panic!("docs/rbac/{role_file}: {e}"));
    let role_name = role.metadata.name.clone().unwrap();
    let pp = PostParams::default();
    Api::<Role>::namespaced(client.clone(), namespace)
        .create(&pp, &role)
        .await
        .expect("create Role");
    let sa_name = "kubectl-dagu-e2e";
    let sa: ServiceAccount =
        serde_json::from_value(serde_json::json!({"metadata": {"name": sa_name}})).unwrap();
    // One account per namespace: a second Role in the same namespace is bound to it as well.
    match Api::<ServiceAccount>::namespaced(client.clone(), namespace)
        .create(&pp, &sa)
        .await
    {
        Ok(_) => {}
        Err(kube::Error::Api(e)) if e.code == 409 => {}
        Err(e) => panic!("create SA: {e}"),
    }
    let binding: RoleBinding = serde_json::from_value(serde_json::json!({
        "metadata": {"name": role_name},
        "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "Role", "name": role_name},
        "subjects": [{"kind": "ServiceAccount", "name": sa_name, "namespace": namespace}],
    }))
    .unwrap();
    Api::<RoleBinding>::namespaced(client.clone(), namespace)
        .create(&pp, &binding)
        .await
        .expect("create binding");

    // Kubernetes 1.20's token controller writes a token Secret for every service account.
    let sas = Api::<ServiceAccount>::namespaced(client.clone(), namespace);
    let secrets = Api::<Secret>::namespaced(client, namespace);
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    let token = loop {
        let secret_name = sas
            .get(sa_name)
            .await
            .ok()
            .and_then(|sa| sa.secrets)
            .and_then(|s| s.into_iter().find_map(|r| r.name));
        if let Some(name) = secret_name {
            if let Some(token) = secrets
                .get(&name)
                .await
                .ok()
                .and_then(|s| s.data)
                .and_then(|d| d.get("token").cloned())
            {
                break String::from_utf8(token.0).unwrap();
            }
        }
        assert!(
            std::time::Instant::now() < deadline,
            "no token Secret for service account {sa_name} after 30s"
        );
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    };

    let mut kubeconfig = Kubeconfig::read_from(super::kubeconfig()).unwrap();
    let user = NamedAuthInfo {
        name: "kubectl-dagu-e2e".into(),
        auth_info: Some(AuthInfo {
            token: Some(token.into()),
            ..Default::default()
        }),
        ..Default::default()
    };
    kubeconfig.auth_infos = vec![user];
    for ctx in &mut kubeconfig.contexts {
        if let Some(c) = ctx.context.as_mut() {
            c.user = Some("kubectl-dagu-e2e".into());
            c.namespace = Some(namespace.into());
        }
    }
    let path = dir.join(format!("kubeconfig-{namespace}-{role_name}.json"));
    std::fs::write(&path, serde_json::to_vec_pretty(&kubeconfig).unwrap()).unwrap();
    path
}

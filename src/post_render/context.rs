//! Resolution of what rules compare against: values, release, namespace, fullname and the Dagu components.
//!
//! - release: `--release`, else the `app.kubernetes.io/instance` label of the Dagu Deployments (helm 3 and 4
//!   pass no release name to a post-renderer).
//! - fullname: `--fullname`, else `fullnameOverride` from the values, else the chart's helper applied to the
//!   release and `nameOverride` (default `dagu`), else the Dagu Deployments' own names (`<fullname>-ui`).
//! - namespace: `--namespace`, else `metadata.namespace` of the Dagu Deployments, else the namespace in an
//!   existing `DAGU_COORDINATOR_ADVERTISE` value, else unknown ([`NAMESPACE_UNKNOWN`]: rules that need it fail).

use std::collections::BTreeSet;
use std::sync::Arc;

use serde_json::Value;

use super::error::InputError;
use super::facts::{self, DocFacts};
use super::manifest::Doc;
use super::model::{self, Component, Role};
use super::profile::{self, AddressForm, Profile};
use crate::post_render::lookup::Lookup;

/// `namespace_from` when nothing in the flags or manifests names the namespace (`default` is then a guess).
pub const NAMESPACE_UNKNOWN: &str =
    "nothing: no --namespace, no metadata.namespace, no DAGU_COORDINATOR_ADVERTISE";

/// Flags that override inference.
#[derive(Debug, Clone, Default)]
pub struct Overrides {
    pub release: Option<String>,
    pub namespace: Option<String>,
    pub fullname: Option<String>,
    pub skip_validation: bool,
    /// `--strict`: upgrade-safety findings are errors, not warnings.
    pub strict: bool,
    /// `--stable-selectors`: rewrite version-bearing selectors instead of reporting them.
    pub stable_selectors: bool,
    /// `--chart-version`: check the stream as this chart version, whatever its labels say.
    pub chart_version: Option<semver::Version>,
}

/// Everything rules need besides the documents.
#[derive(Debug, Clone)]
pub struct Context {
    /// Shared: the large-stream path gives each batch its own context.
    pub values: Arc<Value>,
    pub release: Option<String>,
    pub fullname: String,
    /// How the fullname was found, for messages.
    pub fullname_from: String,
    pub namespace: String,
    pub namespace_from: &'static str,
    pub skip_validation: bool,
    pub strict: bool,
    pub stable_selectors: bool,
    pub components: Vec<Component>,
    /// The chart generation, mode and Dagu version the stream is checked as ([`profile::choose`]).
    pub profile: Profile,
    /// Why that profile, for the report.
    pub profile_reason: String,
    pub profile_warning: Option<String>,
    /// The profile is the default one (nothing chose it): reports stay as they were before profiles.
    pub profile_implicit: bool,
}

impl Context {
    /// A value by JSON pointer into the merged values (`/ui/service/port`).
    pub fn value(&self, pointer: &str) -> Option<&Value> {
        self.values.at(pointer).filter(|v| !v.is_null())
    }
    /// The data claim: `persistence.existingClaim` where the chart has it (2.x), else `<fullname>-data`.
    pub fn pvc_name(&self) -> String {
        self.existing_claim()
            .map_or_else(|| format!("{}-data", self.fullname), str::to_string)
    }
    /// `persistence.existingClaim`, when the profile's chart has that value and it is set.
    pub fn existing_claim(&self) -> Option<&str> {
        (self.profile.generation.skip_validation_value.is_none())
            .then(|| self.value("/persistence/existingClaim")?.as_str())
            .flatten()
            .filter(|c| !c.is_empty())
    }
    pub fn config_map_name(&self) -> String {
        format!("{}-config", self.fullname)
    }
    /// The coordinator Service's address in the form the profile's chart writes it.
    pub fn coordinator_address(&self) -> String {
        match self.profile.generation.address {
            AddressForm::Fqdn => format!(
                "{}-coordinator.{}.svc.cluster.local",
                self.fullname, self.namespace
            ),
            AddressForm::Short => format!("{}-coordinator", self.fullname),
        }
    }
    /// Whether [`Context::coordinator_address`] needs the namespace and it is unknown.
    pub fn address_needs_namespace(&self) -> bool {
        self.profile.generation.address == AddressForm::Fqdn
            && self.namespace_from == NAMESPACE_UNKNOWN
    }
}

/// Resolves the context for a parsed stream.
pub fn resolve(
    docs: &[Doc],
    values: impl Into<Arc<Value>>,
    flags: &Overrides,
) -> Result<Context, InputError> {
    let values = values.into();
    let name = chart_name(&values);
    let facts: Vec<Option<DocFacts>> = docs.iter().map(|d| facts::of(d, &name)).collect();
    resolve_facts(docs, &facts, values, flags)
}

/// The chart name the values give (`nameOverride`, else `dagu`), which recognising components needs.
pub fn chart_name(values: &Value) -> String {
    values
        .field("nameOverride")
        .and_then(Value::as_str)
        .filter(|s| !s.is_empty())
        .unwrap_or("dagu")
        .to_string()
}

/// [`resolve`] from each document's facts (`facts[i]` for `docs[i]`, `None` where it has no value); the
/// documents themselves are read only for their kind, name and namespace.
pub fn resolve_facts(
    docs: &[Doc],
    facts: &[Option<DocFacts>],
    values: Arc<Value>,
    flags: &Overrides,
) -> Result<Context, InputError> {
    let chart_name = chart_name(&values);
    let profile_facts: Vec<profile::Facts> =
        facts.iter().flatten().map(|f| f.profile.clone()).collect();
    let choice = profile::choose_facts(&profile_facts, flags.chart_version.as_ref());
    let mut components =
        model::components_from_facts(docs, facts, choice.profile.generation.pool_label);
    let fact_of = |c: &Component| facts[c.doc].as_ref().expect("components have facts");

    let release = match &flags.release {
        Some(r) => Some(r.clone()),
        None => single(
            components
                .iter()
                .filter_map(|c| fact_of(c).instance.as_deref()),
            "release (app.kubernetes.io/instance labels)",
            "--release",
        )?,
    };
    let override_name = values.field("fullnameOverride").and_then(Value::as_str);
    let (fullname, fullname_from) = if let Some(f) = &flags.fullname {
        (f.clone(), "--fullname".to_string())
    } else if let Some(f) = override_name.filter(|f| !f.is_empty()) {
        (
            model::helm_fullname("", "", Some(f)),
            "fullnameOverride in the values".into(),
        )
    } else if let Some(r) = &release {
        let how = format!("the chart's fullname helper on release {r:?} and name {chart_name:?}");
        (model::helm_fullname(r, &chart_name, None), how)
    } else {
        let mut ordered = components.clone();
        ordered.sort_by_key(|c| c.role as u8);
        let inferred = ordered
            .iter()
            .find_map(|c| model::fullname_from_name(c.role, &c.name, c.pool.as_deref()));
        match inferred {
            Some(f) => (f, "the names of the Dagu Deployments".into()),
            None => (
                chart_name.clone(),
                "the chart name (nothing else to go by)".into(),
            ),
        }
    };

    let (namespace, namespace_from) = if let Some(ns) = &flags.namespace {
        (ns.clone(), "--namespace")
    } else if let Some(ns) = single(
        components
            .iter()
            .filter_map(|c| docs[c.doc].object.as_ref()?.namespace.as_deref()),
        "namespace (metadata.namespace)",
        "--namespace",
    )? {
        (ns, "metadata.namespace")
    } else if let Some(ns) = advertised_namespace(facts, &components, &fullname) {
        (ns, "the existing DAGU_COORDINATOR_ADVERTISE value")
    } else {
        ("default".to_string(), NAMESPACE_UNKNOWN)
    };

    for c in &mut components {
        c.pool_from_name(&fullname);
    }
    let skip_in_values = choice.profile.generation.skip_validation_value.is_some()
        && values.at("/persistence/skipValidation") == Some(&Value::Bool(true));
    Ok(Context {
        skip_validation: flags.skip_validation || skip_in_values,
        strict: flags.strict,
        stable_selectors: flags.stable_selectors,
        values,
        release,
        fullname,
        fullname_from,
        namespace,
        namespace_from,
        components,
        profile: choice.profile,
        profile_reason: choice.reason,
        profile_warning: choice.warning,
        profile_implicit: choice.implicit,
    })
}

/// The one distinct value of an iterator, `None` when empty, an error naming the flag when several.
fn single<'a>(
    items: impl Iterator<Item = &'a str>,
    what: &str,
    flag: &str,
) -> Result<Option<String>, InputError> {
    let distinct: BTreeSet<&str> = items.collect();
    match distinct.len() {
        0 => Ok(None),
        1 => Ok(distinct.into_iter().next().map(str::to_string)),
        _ => Err(InputError::Resolution(format!(
            "the Dagu objects disagree on the {what}: {}. Post-render one release at a time, or pass {flag}",
            distinct.into_iter().collect::<Vec<_>>().join(", ")
        ))),
    }
}

/// `<fullname>-coordinator.<ns>.svc.cluster.local` in the coordinator's env, if the chart rendered it.
fn advertised_namespace(
    facts: &[Option<DocFacts>],
    components: &[Component],
    fullname: &str,
) -> Option<String> {
    let prefix = format!("{fullname}-coordinator.");
    components
        .iter()
        .filter(|c| c.role == Role::Coordinator)
        .filter_map(|c| facts[c.doc].as_ref())
        .flat_map(|f| &f.advertise)
        .find_map(|v| {
            let ns = v
                .strip_prefix(&prefix)?
                .strip_suffix(".svc.cluster.local")?;
            (!ns.is_empty() && !ns.contains('.')).then(|| ns.to_string())
        })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::post_render::manifest::parse_stream;
    use serde_json::json;

    const STREAM: &str = "\
apiVersion: apps/v1
kind: Deployment
metadata: {name: prod-dagu-coordinator, labels: {app.kubernetes.io/instance: prod}}
spec: {template: {spec: {containers: [{name: c, command: [dagu, coordinator],
  env: [{name: DAGU_COORDINATOR_ADVERTISE, value: prod-dagu-coordinator.team.svc.cluster.local}]}]}}}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: prod-dagu-worker-gpu, labels: {app.kubernetes.io/instance: prod}}
spec: {template: {spec: {containers: [{name: w, command: [dagu, worker]}]}}}
";

    #[test]
    fn infers_release_fullname_namespace_and_pools() {
        let docs = parse_stream(STREAM.as_bytes()).unwrap();
        let ctx = resolve(&docs, json!({}), &Overrides::default()).unwrap();
        assert_eq!(ctx.release.as_deref(), Some("prod"));
        assert_eq!(ctx.fullname, "prod-dagu");
        assert_eq!(ctx.namespace, "team");
        assert_eq!(ctx.components[1].pool.as_deref(), Some("gpu"));
    }

    #[test]
    fn flags_and_values_override_inference() {
        let docs = parse_stream(STREAM.as_bytes()).unwrap();
        let flags = Overrides {
            namespace: Some("ns".into()),
            release: Some("r".into()),
            ..Overrides::default()
        };
        let ctx = resolve(&docs, json!({"nameOverride": "wf"}), &flags).unwrap();
        assert_eq!(
            (ctx.fullname.as_str(), ctx.namespace.as_str()),
            ("r-wf", "ns")
        );
        let ctx = resolve(&docs, json!({"fullnameOverride": "x"}), &flags).unwrap();
        assert_eq!(ctx.fullname, "x");
    }

    #[test]
    fn disagreeing_release_labels_are_an_error() {
        let two = STREAM.replacen("instance: prod}", "instance: other}", 1);
        let docs = parse_stream(two.as_bytes()).unwrap();
        let err = resolve(&docs, json!({}), &Overrides::default()).unwrap_err();
        assert!(
            err.to_string()
                .contains("other, prod. Post-render one release"),
            "{err}"
        );
    }
}

//! Which Dagu chart a stream was rendered from, and so which rules hold: one [`Profile`] per stream, chosen
//! once by [`choose`] (a pure function of the objects, so live objects can be fed to it too). The facts that
//! differ between chart generations live in [`GENERATIONS`], as data; rules read them from the profile and
//! never compare versions themselves.

mod detect;
#[cfg(test)]
mod tests;

use semver::{Version, VersionReq};
use serde_json::Value;

use crate::post_render::lookup::Lookup;

pub use detect::{choose, choose_docs, choose_facts, Choice, Facts};

/// Every published Dagu chart version, oldest first (dagucloud/dagu, `charts/dagu`; 1.0.3 was never released).
pub const PUBLISHED: &[&str] = &[
    "1.0.0", "1.0.1", "1.0.2", "1.0.4", "1.0.5", "1.0.6", "1.0.7", "1.0.8", "1.0.9", "1.0.10",
    "1.0.11", "2.0.0", "2.0.1", "2.0.2", "2.0.3",
];

/// How the Dagu components are laid out.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Mode {
    /// One `<fullname>-ui` Deployment running `dagu start-all` (charts 2.x, `deploymentMode: standalone`).
    Standalone,
    /// Coordinator, scheduler, UI and worker pools (every 1.x chart; 2.x `deploymentMode: distributed`).
    Distributed,
}

impl Mode {
    pub fn as_str(self) -> &'static str {
        match self {
            Mode::Standalone => "standalone",
            Mode::Distributed => "distributed",
        }
    }
}

/// How the coordinator's address is written (in `DAGU_COORDINATOR_ADVERTISE` and `--worker.coordinators`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum AddressForm {
    /// `<fullname>-coordinator.<namespace>.svc.cluster.local`
    Fqdn,
    /// `<fullname>-coordinator`
    Short,
}

/// What one generation of the chart renders, where the generations differ.
#[derive(Debug, PartialEq, Eq, serde::Serialize)]
pub struct Generation {
    pub name: &'static str,
    /// The chart versions of this generation (a `semver::VersionReq`).
    pub charts: &'static str,
    /// The newest published version of the generation (what an unlabelled stream of this shape is checked as).
    pub newest: &'static str,
    pub pool_label: &'static str,
    /// Workers mount the shared PVC at `/data` (before Dagu v2.9.0 removed shared-volume workers).
    pub workers_share_pvc: bool,
    pub address: AddressForm,
    /// The value `DAGU_PORT` of the UI comes from, and its default when the values do not say.
    pub ui_port_value: (&'static str, Option<&'static str>),
    /// The values key that turns the RWX check off, if the chart has one.
    pub skip_validation_value: Option<&'static str>,
}

/// The generations, oldest first. Where they differ is measured from the chart history (docs/post-render.md).
pub const GENERATIONS: &[Generation] = &[
    Generation {
        name: "1.0.0-1.0.8",
        charts: "<1.0.9",
        newest: "1.0.8",
        pool_label: "daguit.dev/worker-pool",
        workers_share_pvc: true,
        address: AddressForm::Fqdn,
        ui_port_value: ("/ui/service/port", None),
        skip_validation_value: Some("persistence.skipValidation"),
    },
    Generation {
        name: "1.0.9",
        charts: ">=1.0.9, <1.0.10",
        newest: "1.0.9",
        pool_label: "dagu.sh/worker-pool",
        workers_share_pvc: true,
        address: AddressForm::Fqdn,
        ui_port_value: ("/ui/service/port", None),
        skip_validation_value: Some("persistence.skipValidation"),
    },
    Generation {
        name: "1.0.10-1.0.11",
        charts: ">=1.0.10, <2.0.0",
        newest: "1.0.11",
        pool_label: "dagu.sh/worker-pool",
        workers_share_pvc: false,
        address: AddressForm::Fqdn,
        ui_port_value: ("/ui/service/port", None),
        skip_validation_value: Some("persistence.skipValidation"),
    },
    Generation {
        name: "2.x",
        charts: ">=2.0.0",
        newest: "2.0.3",
        pool_label: "dagu.sh/worker-pool",
        workers_share_pvc: false,
        address: AddressForm::Short,
        ui_port_value: ("/ui/containerPort", Some("8080")),
        skip_validation_value: None,
    },
];

/// The Dagu version a stream runs, from the image tag of its Dagu containers.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Dagu {
    /// `latest`: whatever the registry serves today (Dagu >= v2.9.0 since June 2026).
    Latest,
    Version(Version),
    /// No tag, a digest or a tag that is not a version.
    Unknown,
}

impl Dagu {
    pub fn from_tag(tag: &str) -> Dagu {
        if tag == "latest" {
            return Dagu::Latest;
        }
        let bare = tag.strip_prefix('v').unwrap_or(tag);
        Version::parse(bare).map_or(Dagu::Unknown, Dagu::Version)
    }
    /// Whether a rule scope's Dagu requirement holds: `*` always, `latest` for `latest` only, else a
    /// `VersionReq` against a pinned version.
    pub fn matches(&self, req: &str) -> bool {
        match (req, self) {
            ("*", _) => true,
            ("latest", d) => *d == Dagu::Latest,
            (req, Dagu::Version(v)) => VersionReq::parse(req).is_ok_and(|r| r.matches(v)),
            _ => false,
        }
    }
}

/// The profile a stream is checked with.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Profile {
    /// The chart version rules are matched against.
    pub chart: Version,
    pub mode: Mode,
    pub dagu: Dagu,
    #[serde(skip)]
    pub generation: &'static Generation,
}

impl Profile {
    /// The profile for chart `chart` (any version; later than every generation's range cannot happen since
    /// the last range is open).
    pub fn for_chart(chart: Version, mode: Mode, dagu: Dagu) -> Profile {
        let generation = GENERATIONS
            .iter()
            .find(|g| req(g.charts).matches(&chart))
            .unwrap_or(&GENERATIONS[0]);
        Profile {
            chart,
            mode,
            dagu,
            generation,
        }
    }
    /// Today's behaviour: the reference chart (1.0.0-1.0.8), distributed.
    pub fn reference() -> Profile {
        let v = Version::parse(GENERATIONS[0].newest).expect("a version");
        Profile::for_chart(v, Mode::Distributed, Dagu::Unknown)
    }
    /// `chart 2.0.3 (2.x), distributed, Dagu 2.11.1`.
    pub fn describe(&self) -> String {
        let dagu = match &self.dagu {
            Dagu::Latest => "Dagu latest".to_string(),
            Dagu::Version(v) => format!("Dagu {v}"),
            Dagu::Unknown => "Dagu version unknown".to_string(),
        };
        format!(
            "chart {} ({}), {}, {dagu}",
            self.chart,
            self.generation.name,
            self.mode.as_str()
        )
    }
    /// The UI's `DAGU_PORT` as the chart renders it for `values`, if it renders one.
    pub fn ui_port(&self, values: &Value) -> Option<String> {
        let (pointer, default) = self.generation.ui_port_value;
        match values.at(pointer).filter(|v| !v.is_null()) {
            Some(Value::String(s)) => Some(s.clone()),
            Some(other) => Some(other.to_string()),
            None => default.map(str::to_string),
        }
    }
}

/// A `VersionReq` from the registry's data (checked by a test, so this cannot fail at run time).
pub fn req(text: &str) -> VersionReq {
    VersionReq::parse(text).unwrap_or_else(|e| panic!("bad version requirement {text:?}: {e}"))
}

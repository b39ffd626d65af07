//! Choosing the profile: `--chart-version`, else the `helm.sh/chart: dagu-X.Y.Z` label, else the shape of the
//! objects (a `dagu start-all` Deployment is 2.x standalone; a worker with `/data` on an `emptyDir` is a
//! shared-nothing chart, 2.x when it dials the short coordinator name); nothing to go by keeps the reference
//! profile (today's behaviour). The Dagu version is the image tag of the Dagu containers.

use semver::Version;
use serde_json::Value;

use super::{Dagu, Mode, Profile, GENERATIONS, PUBLISHED};
use crate::post_render::lookup::Lookup;
use crate::post_render::manifest::Doc;
use crate::post_render::model::{self, Role};

/// The chosen profile, why, and a warning when the chart is newer than any kubectl-dagu knows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Choice {
    pub profile: Profile,
    pub reason: String,
    pub warning: Option<String>,
    /// Nothing chose it: no flag, no label, no telling shape (the reference profile, today's behaviour).
    pub implicit: bool,
}

/// The profile for a parsed stream.
pub fn choose_docs(docs: &[Doc], chart_override: Option<&Version>) -> Choice {
    let facts: Vec<Facts> = docs.iter().filter_map(Doc::value).map(Facts::of).collect();
    choose_facts(&facts, chart_override)
}

/// The profile for any list of objects (a rendered stream or live objects of a release).
pub fn choose<'a>(
    objects: impl IntoIterator<Item = &'a Value>,
    chart_override: Option<&Version>,
) -> Choice {
    let facts: Vec<Facts> = objects.into_iter().map(Facts::of).collect();
    choose_facts(&facts, chart_override)
}

/// What one object says about the profile: read once per object, so that a stream's objects need not all be
/// held to choose (the large-stream path keeps these and drops the objects).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Facts {
    /// `dagu-1.0.9` in its `helm.sh/chart` label, when that parses.
    chart: Option<Version>,
    /// A Deployment running `dagu start-all`.
    start_all: bool,
    /// A Deployment the chart `dagu` would render: its role, image tag, and (workers with `/data` on an
    /// `emptyDir`) whether it dials the short coordinator address.
    dagu: Option<(Role, Option<String>, Option<bool>)>,
}

impl Facts {
    pub fn of(object: &Value) -> Facts {
        let chart = object
            .at("/metadata/labels")
            .and_then(|l| l.field("helm.sh/chart")?.as_str())
            .and_then(|label| Version::parse(&label.strip_prefix("dagu-")?.replace('_', "+")).ok());
        let mut facts = Facts {
            chart,
            ..Facts::default()
        };
        if object.field("kind").and_then(Value::as_str) != Some("Deployment") {
            return facts;
        }
        let argv = container_words(object);
        facts.start_all = argv.iter().any(|w| w == "start-all")
            && argv.first().is_some_and(|p| p.ends_with("dagu"));
        let Some((role, index)) = model::recognise(object, "dagu") else {
            return facts;
        };
        let tag = object
            .at(&format!("/spec/template/spec/containers/{index}"))
            .and_then(|c| c.field("image")?.as_str())
            .and_then(image_tag);
        let scratch = (role == Role::Worker && data_is_empty_dir(object)).then(|| {
            argv.windows(2)
                .find(|w| w[0] == "--worker.coordinators")
                .is_some_and(|w| !w[1].contains('.'))
        });
        facts.dagu = Some((role, tag, scratch));
        facts
    }
}

/// The profile from each object's [`Facts`], in stream order.
pub fn choose_facts(facts: &[Facts], chart_override: Option<&Version>) -> Choice {
    let shape = Shape::of(facts);
    let dagu = shape
        .image_tag
        .as_deref()
        .map_or(Dagu::Unknown, Dagu::from_tag);
    // The first object whose label parses.
    let label = facts.iter().find_map(|f| f.chart.clone());
    let (chart, mut reason) = match (chart_override, &label) {
        (Some(v), _) => (Some(v.clone()), format!("--chart-version {v}")),
        (None, Some(v)) => (Some(v.clone()), format!("label helm.sh/chart: dagu-{v}")),
        (None, None) => (None, String::new()),
    };
    let newest = Version::parse(PUBLISHED[PUBLISHED.len() - 1]).expect("a version");
    let mut warning = None;
    let mut implicit = false;
    let chart = match chart {
        Some(v) if v > newest => {
            warning = Some(format!(
                "chart {v} is newer than any kubectl-dagu knows (newest: {newest}); checking it as {newest}. \
                 Upgrade kubectl-dagu, or pass --chart-version to choose a profile"
            ));
            reason.push_str(&format!(", newer than {newest}: the newest profile"));
            newest
        }
        Some(v) => v,
        None => {
            let (generation, why) = shape.generation();
            implicit = generation == 0;
            reason = why;
            Version::parse(GENERATIONS[generation].newest).expect("a version")
        }
    };
    let mode = if chart.major >= 2 && (shape.start_all || !shape.distributed_parts) {
        Mode::Standalone
    } else {
        Mode::Distributed
    };
    if chart.major >= 2 {
        reason.push_str(match (mode, shape.start_all) {
            (Mode::Standalone, true) => "; standalone: a Deployment runs dagu start-all",
            (Mode::Standalone, false) => {
                "; standalone: no coordinator, scheduler or worker in the stream"
            }
            _ => "; distributed: coordinator/scheduler/worker Deployments",
        });
    }
    Choice {
        profile: Profile::for_chart(chart, mode, dagu),
        reason,
        warning,
        implicit,
    }
}

/// What the objects look like, as far as choosing a profile goes.
#[derive(Debug, Default)]
struct Shape {
    start_all: bool,
    distributed_parts: bool,
    /// A worker whose `/data` is an `emptyDir` (shared-nothing), and whether it dials the short address.
    scratch_worker: Option<bool>,
    image_tag: Option<String>,
}

impl Shape {
    fn of(facts: &[Facts]) -> Shape {
        let mut shape = Shape::default();
        for f in facts {
            shape.start_all |= f.start_all;
            let Some((role, tag, scratch)) = &f.dagu else {
                continue;
            };
            if shape.image_tag.is_none() {
                shape.image_tag = tag.clone();
            }
            if *role == Role::Ui {
                continue;
            }
            shape.distributed_parts = true;
            if let Some(short) = scratch {
                shape.scratch_worker = Some(shape.scratch_worker.unwrap_or(false) || *short);
            }
        }
        shape
    }

    /// The generation an unlabelled stream's shape implies, and why.
    fn generation(&self) -> (usize, String) {
        let last = GENERATIONS.len() - 1;
        if self.start_all {
            (
                last,
                "no helm.sh/chart label; a Deployment runs dagu start-all (2.x standalone)".into(),
            )
        } else if self.scratch_worker == Some(true) {
            (last, "no helm.sh/chart label; workers keep /data on an emptyDir and dial <fullname>-coordinator:50055 (2.x)".into())
        } else if self.scratch_worker == Some(false) {
            (
                last - 1,
                "no helm.sh/chart label; workers keep /data on an emptyDir (1.0.10-1.0.11)".into(),
            )
        } else {
            (0, "no helm.sh/chart label and nothing in the shape says otherwise: the reference profile".into())
        }
    }
}

/// `command` then `args` of every container, split on whitespace.
fn container_words(d: &Value) -> Vec<String> {
    let Some(containers) = d
        .at("/spec/template/spec/containers")
        .and_then(Value::as_array)
    else {
        return vec![];
    };
    containers
        .iter()
        .flat_map(|c| ["command", "args"].map(|k| c.field(k).and_then(Value::as_array)))
        .flatten()
        .flatten()
        .filter_map(Value::as_str)
        .flat_map(str::split_whitespace)
        .map(str::to_string)
        .collect()
}

fn data_is_empty_dir(d: &Value) -> bool {
    d.at("/spec/template/spec/volumes")
        .and_then(Value::as_array)
        .is_some_and(|vs| {
            vs.iter().any(|v| {
                v.field("name").and_then(Value::as_str) == Some("data")
                    && v.field("emptyDir").is_some()
            })
        })
}

/// `repo/name:tag` → `tag` (none for a digest or no tag).
fn image_tag(image: &str) -> Option<String> {
    let image = image.split('@').next()?;
    let (_, last) = image.rsplit_once('/').unwrap_or(("", image));
    last.split_once(':').map(|(_, tag)| tag.to_string())
}

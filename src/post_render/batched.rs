//! The large-stream path. With many worker pools nearly every document is a worker Deployment, and holding
//! every parsed value at once (about 10 KB each for 1.7 KB of YAML) made memory grow at six times the input.
//! Here the other documents are parsed first and give a provisional context; the workers are then parsed,
//! checked by every rule (beside the other documents as parsed) and rendered a batch at a time on every core,
//! and each value is dropped once its batch is done, keeping the document's facts
//! ([`crate::post_render::facts`]). Finally the rules run once more on the other documents with the context
//! resolved from every document's facts.
//!
//! It rests on one property of the rules: what a rule finds on a worker depends on the context, that worker
//! and the documents that are not workers, never on another worker (`--stable-selectors` breaks it: its
//! Service fixes read every pod's labels, so it always takes the whole-stream path). The result is taken only
//! where it must equal [`super::pipeline::process_whole`]'s: the final context equals the provisional one,
//! every deferred document is a worker it knows, and nothing failed. Otherwise this gives `None` and the caller
//! runs the whole stream, which gives the same outcome (or the error) by definition. A test runs both paths
//! on every fixture and compares them.

use std::collections::{BTreeSet, HashMap};
use std::sync::Arc;

use memchr::memmem;
use serde_json::{Map, Value};

use super::context::{self, Context};
use super::facts::{self, DocFacts};
use super::manifest::{self, Doc};
use super::model::{self, Component, Role};
use super::parallel;
use super::pipeline::{self, Options, Outcome};
use super::render;
use super::rules::{self, Action, Finding};

/// Fewer likely workers than this and the whole-stream path is as lean and quicker.
pub const MIN_WORKERS: usize = 256;
/// Workers checked together: the other documents' values are copied into every batch.
const BATCH: usize = 64;
/// More documents besides the workers than this and copying them into every batch costs more than it saves.
const MAX_OTHERS: usize = 64;

/// A chunk that looks like a worker Deployment from its text alone (a guess; parsing decides).
fn looks_like_worker(body: &[u8]) -> bool {
    memmem::find(body, b"kind: Deployment").is_some() && memmem::find(body, b"worker").is_some()
}

/// One deferred document and what its batch made of it.
struct Job<'a> {
    pos: usize,
    doc: Doc<'a>,
    facts: Option<DocFacts>,
    component: Option<Component>,
    findings: Vec<Finding>,
    rendered: Option<Vec<u8>>,
}

/// The outcome of `input`, when the batched path applies and gives exactly the whole-stream outcome.
pub fn process<'a>(input: &'a [u8], options: &Options, min_workers: usize) -> Option<Outcome<'a>> {
    let overrides = &options.overrides;
    if overrides.stable_selectors {
        return None;
    }
    let mut docs = manifest::split(input).ok()?;
    let deferred: Vec<bool> = docs
        .iter()
        .map(|d| !d.chunk.is_empty() && looks_like_worker(d.chunk.body))
        .collect();
    if deferred.iter().filter(|&&d| d).count() < min_workers {
        return None;
    }
    manifest::parse_where(&mut docs, &[], |i| !deferred[i]).ok()?;
    let others: Vec<usize> = (0..docs.len())
        .filter(|&i| docs[i].value().is_some())
        .collect();
    if others.len() > MAX_OTHERS {
        return None;
    }
    let values = pipeline::values(options);
    let name = context::chart_name(&values);
    let mut facts: Vec<Option<DocFacts>> = docs.iter().map(|d| facts::of(d, &name)).collect();
    let provisional = context::resolve_facts(&docs, &facts, values.clone(), overrides).ok()?;

    let mut jobs: Vec<Job> = (0..docs.len())
        .filter(|&i| deferred[i])
        .map(|pos| Job {
            pos,
            doc: docs[pos].clone(),
            facts: None,
            component: None,
            findings: vec![],
            rendered: None,
        })
        .collect();
    let pool_order: HashMap<&str, usize> = values
        .get("workerPools")
        .and_then(Value::as_object)
        .map(|pools| {
            pools
                .keys()
                .enumerate()
                .map(|(i, k)| (k.as_str(), i))
                .collect()
        })
        .unwrap_or_default();
    let batch = Batch {
        context: &provisional,
        docs: &docs,
        others: &others,
        chart_name: &name,
        pool_order: &pool_order,
    };
    let done = parallel::slices(&mut jobs, BATCH, |slice| {
        slice
            .chunks_mut(BATCH)
            .all(|jobs| batch.run(jobs).is_some())
    });
    if !done.into_iter().all(|ok| ok) {
        return None;
    }

    let mut changed = BTreeSet::new();
    let mut findings = vec![];
    let mut rendered = std::collections::BTreeMap::new();
    let mut workers = vec![];
    for job in jobs {
        docs[job.pos] = job.doc;
        facts[job.pos] = job.facts;
        workers.push(job.component?);
        findings.extend(job.findings);
        if let Some(bytes) = job.rendered {
            changed.insert(job.pos);
            rendered.insert(job.pos, bytes);
        }
    }
    let context = context::resolve_facts(&docs, &facts, values, overrides).ok()?;
    let mut expected = provisional.components.clone();
    expected.extend(workers);
    expected.sort_by_key(|c| c.doc);
    if !same(&provisional, &context) || context.components != expected {
        return None;
    }
    let (found, changed_others) = pipeline::run_rules(&context, &mut docs).ok()?;
    if found.iter().any(|f| f.doc.is_some_and(|d| deferred[d])) {
        return None;
    }
    findings.extend(found);
    changed.extend(changed_others);
    rules::sort(&mut findings);
    Some(Outcome {
        docs,
        findings,
        changed,
        context,
        rendered,
    })
}

/// What every batch shares.
struct Batch<'c, 'a> {
    context: &'c Context,
    docs: &'c [Doc<'a>],
    /// Positions of the documents that are not deferred and have values.
    others: &'c [usize],
    chart_name: &'c str,
    /// Each pool's position in `workerPools`.
    pool_order: &'c HashMap<&'c str, usize>,
}

impl<'a> Batch<'_, 'a> {
    /// Parses, checks and renders `jobs` beside copies of the other documents; `None` when any of them is not
    /// a worker the provisional context knows, or anything fails.
    fn run(&self, jobs: &mut [Job<'a>]) -> Option<()> {
        let mut docs: Vec<Doc> = self.others.iter().map(|&i| self.docs[i].clone()).collect();
        let first = docs.len();
        let pool_label = self.context.profile.generation.pool_label;
        let mut context = self.context.clone();
        for c in &mut context.components {
            c.doc = self.others.iter().position(|&i| i == c.doc)?;
        }
        for job in jobs.iter_mut() {
            let mut doc = job.doc.clone();
            manifest::parse_doc(&mut doc, &[]).ok()?;
            let facts = facts::of(&doc, self.chart_name)?;
            let mut component = model::component_of(docs.len(), &doc, &facts, pool_label)?;
            if component.role != Role::Worker {
                return None;
            }
            component.pool_from_name(&self.context.fullname);
            context.components.push(component.clone());
            job.component = Some(Component {
                doc: job.pos,
                ..component
            });
            job.facts = Some(facts);
            docs.push(doc);
        }
        context.values = Arc::new(self.values_for(jobs));
        let (findings, changed) = pipeline::run_rules(&context, &mut docs).ok()?;
        for (k, job) in jobs.iter_mut().enumerate() {
            let at = first + k;
            job.findings = findings
                .iter()
                .filter(|f| f.doc == Some(at))
                .map(|f| Finding {
                    doc: Some(job.pos),
                    ..f.clone()
                })
                .collect();
            if changed.contains(&at) {
                let ops: Vec<_> = job
                    .findings
                    .iter()
                    .filter_map(|f| match &f.action {
                        Action::Fix(ops) => Some(ops),
                        _ => None,
                    })
                    .flatten()
                    .collect();
                job.rendered = Some(render::document(&docs[at], &ops).into_owned());
            }
            let mut object = docs[at].object.take()?;
            object.value = None;
            job.doc.reference = docs[at].reference.clone();
            job.doc.object = Some(object);
        }
        Some(())
    }
}

impl Batch<'_, '_> {
    /// The values with `workerPools` cut to the pools of `jobs` (in values order): rules that walk every pool
    /// would otherwise walk all of them in every batch, and what they find on the values is found once, by
    /// the last run on the whole stream.
    fn values_for(&self, jobs: &[Job]) -> Value {
        let values = &self.context.values;
        let Some(all) = values.get("workerPools").and_then(Value::as_object) else {
            return (**values).clone();
        };
        let mut pools: Vec<(usize, &str)> = jobs
            .iter()
            .filter_map(|j| j.component.as_ref()?.pool.as_deref())
            .filter_map(|p| Some((*self.pool_order.get(p)?, p)))
            .collect();
        pools.sort_unstable();
        pools.dedup();
        let mut cut: Map<String, Value> = pools
            .into_iter()
            .map(|(_, p)| (p.to_string(), all[p].clone()))
            .collect();
        let out = values.as_object().into_iter().flatten().map(|(k, v)| {
            let v = match k.as_str() {
                "workerPools" => Value::Object(std::mem::take(&mut cut)),
                _ => v.clone(),
            };
            (k.clone(), v)
        });
        Value::Object(out.collect())
    }
}

/// Whether two contexts agree on everything but their components.
fn same(a: &Context, b: &Context) -> bool {
    (
        &a.release,
        &a.fullname,
        &a.fullname_from,
        &a.namespace,
        a.namespace_from,
        a.skip_validation,
        &a.profile,
        &a.profile_reason,
        &a.profile_warning,
        a.profile_implicit,
    ) == (
        &b.release,
        &b.fullname,
        &b.fullname_from,
        &b.namespace,
        b.namespace_from,
        b.skip_validation,
        &b.profile,
        &b.profile_reason,
        &b.profile_warning,
        b.profile_implicit,
    )
}

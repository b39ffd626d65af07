//! The post-render pipeline as one pure function: bytes in, documents, context, rules (each rule's fixes
//! applied before the next rule runs), and an [`Outcome`] that can render the enforced stream. No I/O.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use json_patch::PatchOperation;

use serde_json::{Map, Value};

use super::batched;
use super::context::{self, Context, Overrides};
use super::error::InputError;
use super::manifest::{self, Doc};
use super::patch::{self, PatchFailure};
use super::render;
use super::rules::{self, Action, Finding};

/// What the pipeline needs besides the stream.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// Merged chart values (`-f` files then `--set`), as a mapping (`Null`: none). Shared, not copied, by the
    /// contexts the pipeline resolves.
    pub values: Arc<Value>,
    pub overrides: Overrides,
}

/// Why the pipeline produced no outcome.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error(transparent)]
    Input(#[from] InputError),
    #[error(transparent)]
    Patch(#[from] PatchFailure),
}

/// The result of running every rule on a stream.
#[derive(Debug)]
pub struct Outcome<'a> {
    pub docs: Vec<Doc<'a>>,
    pub findings: Vec<Finding>,
    /// Documents some rule changed (positions in `docs`).
    pub changed: BTreeSet<usize>,
    pub context: Context,
    /// Changed documents already rendered (the large-stream path renders each batch and drops its values).
    pub rendered: BTreeMap<usize, Vec<u8>>,
}

impl Outcome<'_> {
    pub fn errors(&self) -> impl Iterator<Item = &Finding> {
        self.findings.iter().filter(|f| f.is_error())
    }
    pub fn fixes(&self) -> impl Iterator<Item = &Finding> {
        self.findings
            .iter()
            .filter(|f| matches!(f.action, Action::Fix(_)))
    }
    pub fn warnings(&self) -> impl Iterator<Item = &Finding> {
        self.findings.iter().filter(|f| f.action == Action::Warning)
    }
    pub fn has_errors(&self) -> bool {
        self.errors().next().is_some()
    }
    /// The enforced stream: unchanged documents byte for byte, changed ones edited where the fixes apply.
    pub fn stream(&self) -> Vec<u8> {
        let mut out = Vec::new();
        self.write_stream(&mut out)
            .expect("writing to a Vec cannot fail");
        out
    }
    /// The enforced bytes of each changed document (position in `docs` -> bytes).
    pub fn changed_documents(&self) -> BTreeMap<usize, Vec<u8>> {
        let mut out = self.edited();
        out.extend(self.rendered.iter().map(|(&i, b)| (i, b.clone())));
        out
    }
    /// The changed documents that still have their values, rendered now.
    fn edited(&self) -> BTreeMap<usize, Vec<u8>> {
        let mut fixes: BTreeMap<usize, Vec<&PatchOperation>> = BTreeMap::new();
        for finding in &self.findings {
            if let (Action::Fix(ops), Some(i)) = (&finding.action, finding.doc) {
                if self.changed.contains(&i) && !self.rendered.contains_key(&i) {
                    fixes.entry(i).or_default().extend(ops);
                }
            }
        }
        render::changed(&self.docs, &fixes)
    }
    pub fn write_stream(&self, out: &mut impl std::io::Write) -> std::io::Result<()> {
        let edited = self.edited();
        for (i, doc) in self.docs.iter().enumerate() {
            match edited.get(&i).or_else(|| self.rendered.get(&i)) {
                Some(bytes) => out.write_all(bytes)?,
                None => out.write_all(doc.chunk.raw)?,
            }
        }
        Ok(())
    }
}

/// Runs the whole pipeline on `input`: a large stream of workers the batched way ([`batched`]) where that
/// gives exactly this outcome, else the whole stream at once.
pub fn process<'a>(input: &'a [u8], options: &Options) -> Result<Outcome<'a>, Error> {
    if let Some(outcome) = batched::process(input, options, batched::MIN_WORKERS) {
        return Ok(outcome);
    }
    process_whole(input, options)
}

/// The large-stream path on any stream, however few its workers: `None` where it does not apply or could
/// not prove its outcome equal to [`process_whole`]'s. For the tests that hold the two equal.
pub fn process_batched<'a>(input: &'a [u8], options: &Options) -> Option<Outcome<'a>> {
    batched::process(input, options, 0)
}

/// The whole stream at once (every value held), which defines the outcome.
pub fn process_whole<'a>(input: &'a [u8], options: &Options) -> Result<Outcome<'a>, Error> {
    let extra: &[&str] = if options.overrides.stable_selectors {
        &["Service"]
    } else {
        &[]
    };
    let docs = manifest::parse_stream_keeping(input, extra)?;
    process_docs(docs, options)
}

/// The merged values as a mapping (none given is the empty mapping).
pub(super) fn values(options: &Options) -> Arc<Value> {
    match &*options.values {
        Value::Null => Arc::new(Value::Object(Map::new())),
        _ => options.values.clone(),
    }
}

/// The pipeline on documents already parsed (from a stream, or built from live objects): context and
/// profile, then every rule that applies to the profile, each rule's fixes applied before the next runs.
pub fn process_docs<'a>(mut docs: Vec<Doc<'a>>, options: &Options) -> Result<Outcome<'a>, Error> {
    let context = context::resolve(&docs, values(options), &options.overrides)?;
    let (mut findings, changed) = run_rules(&context, &mut docs)?;
    rules::sort(&mut findings);
    Ok(Outcome {
        docs,
        findings,
        changed,
        context,
        rendered: BTreeMap::new(),
    })
}

/// Every rule of the context's profile on `docs`, in order, each rule's fixes applied before the next runs:
/// the findings, in the order the rules gave them, and the documents changed.
pub(super) fn run_rules(
    context: &Context,
    docs: &mut [Doc],
) -> Result<(Vec<Finding>, BTreeSet<usize>), PatchFailure> {
    let mut findings = Vec::new();
    let mut changed = BTreeSet::new();
    for rule in rules::for_profile(&context.profile) {
        let found = (rule.check)(context, docs);
        changed.extend(patch::apply(docs, &found)?);
        findings.extend(found);
    }
    Ok((findings, changed))
}

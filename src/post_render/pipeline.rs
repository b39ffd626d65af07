//! The post-render pipeline as one pure function: bytes in, documents, context, rules (each rule's fixes
//! applied before the next rule runs), and an [`Outcome`] that can render the enforced stream. No I/O.

use std::collections::{BTreeMap, BTreeSet};

use json_patch::PatchOperation;

use serde_json::{Map, Value};

use super::context::{self, Context, Overrides};
use super::error::InputError;
use super::manifest::{self, Doc};
use super::patch::{self, PatchFailure};
use super::render;
use super::rules::{self, Action, Finding};

/// What the pipeline needs besides the stream.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// Merged chart values (`-f` files then `--set`), as a mapping.
    pub values: Value,
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
        let mut fixes: BTreeMap<usize, Vec<&PatchOperation>> = BTreeMap::new();
        for finding in &self.findings {
            if let (Action::Fix(ops), Some(i)) = (&finding.action, finding.doc) {
                if self.changed.contains(&i) {
                    fixes.entry(i).or_default().extend(ops);
                }
            }
        }
        render::changed(&self.docs, &fixes)
    }
    pub fn write_stream(&self, out: &mut impl std::io::Write) -> std::io::Result<()> {
        let edited = self.changed_documents();
        for (i, doc) in self.docs.iter().enumerate() {
            match edited.get(&i) {
                Some(bytes) => out.write_all(bytes)?,
                None => out.write_all(doc.chunk.raw)?,
            }
        }
        Ok(())
    }
}

/// Runs the whole pipeline on `input`.
pub fn process<'a>(input: &'a [u8], options: &Options) -> Result<Outcome<'a>, Error> {
    let extra: &[&str] = if options.overrides.stable_selectors {
        &["Service"]
    } else {
        &[]
    };
    let docs = manifest::parse_stream_keeping(input, extra)?;
    process_docs(docs, options)
}

/// The pipeline on documents already parsed (from a stream, or built from live objects): context and
/// profile, then every rule that applies to the profile, each rule's fixes applied before the next runs.
pub fn process_docs<'a>(mut docs: Vec<Doc<'a>>, options: &Options) -> Result<Outcome<'a>, Error> {
    let values = match &options.values {
        Value::Null => Value::Object(Map::new()),
        v => v.clone(),
    };
    let context = context::resolve(&docs, values, &options.overrides)?;
    let mut findings = Vec::new();
    let mut changed = BTreeSet::new();
    for rule in rules::for_profile(&context.profile) {
        let found = (rule.check)(&context, &docs);
        changed.extend(patch::apply(&mut docs, &found)?);
        findings.extend(found);
    }
    Ok(Outcome {
        docs,
        findings,
        changed,
        context,
    })
}

//! upgrade-check's inputs: the new rendering on stdin and the values files it was rendered with.

use std::io::{IsTerminal, Read};
use std::path::PathBuf;

use anyhow::Context as _;
use serde_json::Value;

use crate::post_render::{document, values, yaml};

pub fn read_rendering() -> anyhow::Result<Vec<Value>> {
    let stdin = std::io::stdin();
    if stdin.is_terminal() {
        anyhow::bail!("upgrade-check reads the new rendering on stdin: helm template RELEASE CHART -f values.yaml | kubectl dagu upgrade-check RELEASE");
    }
    let mut input = Vec::new();
    stdin
        .lock()
        .take(crate::post_render::MAX_STREAM_BYTES)
        .read_to_end(&mut input)
        .context("cannot read stdin")?;
    let mut out = Vec::new();
    for (i, chunk) in document::split(&input)
        .iter()
        .enumerate()
        .filter(|(_, c)| !c.is_empty())
    {
        let text = std::str::from_utf8(chunk.body).context("the rendering is not UTF-8")?;
        let value = yaml::parse(text)
            .map_err(|e| anyhow::anyhow!("document {} of the rendering: {}", i + 1, e.message))?;
        if value.is_object() {
            out.push(value);
        }
    }
    if out.is_empty() {
        anyhow::bail!("the rendering on stdin holds no objects");
    }
    Ok(out)
}

pub fn load_values(files: &[PathBuf]) -> anyhow::Result<Option<Value>> {
    if files.is_empty() {
        return Ok(None);
    }
    let mut merged = Value::Object(Default::default());
    for path in files {
        let text = std::fs::read(path)
            .with_context(|| format!("cannot read values file {}", path.display()))?;
        values::merge(
            &mut merged,
            values::parse_file(&path.display().to_string(), &text)?,
        );
    }
    Ok(Some(merged))
}

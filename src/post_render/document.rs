//! The stream layer: splits a rendered multi-document YAML stream into chunks that keep their exact bytes.
//!
//! A chunk runs from a `---` separator line (inclusive) to the next one (exclusive), so concatenating every
//! chunk's `raw` gives back the input byte for byte. Each chunk knows its *header* (the separator line plus the
//! comment and blank lines after it, e.g. helm's `# Source:` line), which a re-serialised document keeps, and its
//! *body*, which is what YAML parses. This module knows nothing of Kubernetes or rules.

/// One piece of the stream between two `---` separators.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Chunk<'a> {
    /// The exact bytes of the chunk (separator line, comments, body, trailing blank lines).
    pub raw: &'a [u8],
    /// The separator line and the comment/blank lines that follow it, verbatim.
    pub header: &'a [u8],
    /// Everything after the header: the YAML text of the document.
    pub body: &'a [u8],
    /// 1-based line number of the first line of `body` in the whole stream.
    pub body_line: usize,
    /// Whether the chunk's lines end with `\r\n`.
    pub crlf: bool,
}

impl Chunk<'static> {
    /// A chunk with no bytes (for documents built from objects rather than read from a stream).
    pub fn empty() -> Self {
        Chunk {
            raw: b"",
            header: b"",
            body: b"",
            body_line: 1,
            crlf: false,
        }
    }
}

impl Chunk<'_> {
    /// True when the body holds no YAML content (only blanks or comments): nothing to parse.
    pub fn is_empty(&self) -> bool {
        self.body.split(|&b| b == b'\n').all(is_blank_or_comment)
    }

    /// The path helm 3 names in its `# Source: <path>` comment, if the header has one.
    pub fn source(&self) -> Option<&str> {
        let header = std::str::from_utf8(self.header).ok()?;
        header.lines().find_map(|line| {
            line.trim_start()
                .strip_prefix("# Source:")
                .map(|s| s.trim())
                .filter(|s| !s.is_empty())
        })
    }

    /// The header to write before a re-serialised body: the original one, or `---` when the separator line
    /// carried content itself (`--- {a: 1}`) and so belongs to the body.
    pub fn output_header(&self) -> &[u8] {
        if self.header.is_empty() && starts_with_separator(self.body) {
            if self.crlf {
                b"---\r\n"
            } else {
                b"---\n"
            }
        } else {
            self.header
        }
    }
}

/// Splits `input` into chunks. The first chunk holds whatever precedes the first separator (often nothing, and
/// then it is omitted).
pub fn split(input: &[u8]) -> Vec<Chunk<'_>> {
    let mut starts = Vec::new();
    let mut offset = 0;
    for line in input.split_inclusive(|&b| b == b'\n') {
        if is_separator(line) {
            starts.push(offset);
        }
        offset += line.len();
    }
    if starts.first() != Some(&0) {
        starts.insert(0, 0);
    }
    let mut chunks = Vec::with_capacity(starts.len());
    let mut line_no = 1;
    for (i, &start) in starts.iter().enumerate() {
        let end = starts.get(i + 1).copied().unwrap_or(input.len());
        let raw = &input[start..end];
        if raw.is_empty() {
            continue;
        }
        let chunk = make_chunk(raw, line_no);
        line_no += count_lines(raw);
        chunks.push(chunk);
    }
    chunks
}

fn make_chunk(raw: &[u8], first_line: usize) -> Chunk<'_> {
    let mut header_len = 0;
    let mut header_lines = 0;
    for (i, line) in raw.split_inclusive(|&b| b == b'\n').enumerate() {
        let is_header = if i == 0 && is_separator(line) {
            separator_is_bare(line)
        } else {
            is_blank_or_comment(line)
        };
        if !is_header {
            break;
        }
        header_len += line.len();
        header_lines += 1;
    }
    // Trailing blank/comment lines of a body-less chunk all count as header; that is fine: the body is empty.
    let (header, body) = raw.split_at(header_len);
    Chunk {
        raw,
        header,
        body,
        body_line: first_line + header_lines,
        crlf: raw.windows(2).any(|w| w == b"\r\n"),
    }
}

fn count_lines(raw: &[u8]) -> usize {
    raw.iter().filter(|&&b| b == b'\n').count()
}

/// A YAML document marker: `---` at column 0, then end of line or whitespace.
fn is_separator(line: &[u8]) -> bool {
    line.starts_with(b"---") && matches!(line.get(3), None | Some(b' ' | b'\t' | b'\r' | b'\n'))
}

fn starts_with_separator(body: &[u8]) -> bool {
    body.split(|&b| b == b'\n').next().is_some_and(is_separator)
}

/// `---` followed only by whitespace or a comment (so the line is not part of the document's content).
fn separator_is_bare(line: &[u8]) -> bool {
    let rest = trim_ascii(&line[3..]);
    rest.is_empty() || rest.starts_with(b"#")
}

fn is_blank_or_comment(line: &[u8]) -> bool {
    let t = trim_ascii(line);
    t.is_empty() || t.starts_with(b"#")
}

fn trim_ascii(s: &[u8]) -> &[u8] {
    let start = s
        .iter()
        .position(|b| !b.is_ascii_whitespace())
        .unwrap_or(s.len());
    let end = s
        .iter()
        .rposition(|b| !b.is_ascii_whitespace())
        .map_or(start, |p| p + 1);
    &s[start..end.max(start)]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn joined(chunks: &[Chunk]) -> Vec<u8> {
        chunks.iter().flat_map(|c| c.raw.iter().copied()).collect()
    }

    #[test]
    fn helm3_stream_splits_into_documents_with_source_headers() {
        let input = b"---\n# Source: dagu/templates/a.yaml\napiVersion: v1\nkind: A\n---\n# Source: dagu/templates/b.yaml\n\nkind: B\n";
        let chunks = split(input);
        assert_eq!(chunks.len(), 2);
        assert_eq!(chunks[0].source(), Some("dagu/templates/a.yaml"));
        assert_eq!(chunks[0].body, b"apiVersion: v1\nkind: A\n");
        assert_eq!(chunks[0].body_line, 3);
        assert_eq!(
            chunks[1].header,
            b"---\n# Source: dagu/templates/b.yaml\n\n"
        );
        assert_eq!(chunks[1].body_line, 8);
        assert_eq!(joined(&chunks), input);
    }

    #[test]
    fn bytes_are_kept_exactly_including_crlf_and_missing_final_newline() {
        let input = b"# lead\r\nkind: A\r\n--- # note\r\nkind: B";
        let chunks = split(input);
        assert_eq!(chunks.len(), 2);
        assert!(chunks[0].crlf && chunks[1].crlf);
        assert_eq!(chunks[0].header, b"# lead\r\n");
        assert_eq!(chunks[1].header, b"--- # note\r\n");
        assert_eq!(chunks[1].body, b"kind: B");
        assert_eq!(joined(&chunks), input);
    }

    #[test]
    fn separator_edge_cases() {
        // `----` and `---x` are content, not separators; `--- {…}` carries content on the marker line.
        let input = b"---\na: |\n  ----\n  ---x\n--- {kind: B}\n---\n";
        let chunks = split(input);
        assert_eq!(chunks.len(), 3);
        assert_eq!(chunks[0].body, b"a: |\n  ----\n  ---x\n");
        assert_eq!(chunks[1].header, b"");
        assert_eq!(chunks[1].body, b"--- {kind: B}\n");
        assert_eq!(chunks[1].output_header(), b"---\n");
        assert!(chunks[2].is_empty());
        assert_eq!(joined(&chunks), input);
    }

    #[test]
    fn empty_and_comment_only_chunks_are_empty() {
        assert!(split(b"").is_empty());
        let chunks = split(b"# only\n\n---\n# Source: x\n");
        assert_eq!(chunks.len(), 2);
        assert!(chunks.iter().all(Chunk::is_empty));
    }

    #[test]
    fn comments_after_content_stay_in_the_body() {
        let chunks = split(b"---\n# Source: a\nkind: A\n# trailing\n");
        assert_eq!(chunks[0].body, b"kind: A\n# trailing\n");
    }
}

//! SPDY/3 framing, as far as a port-forward client needs it (draft-mbelshe-httpbis-spdy-00, the version
//! Kubernetes' `httpstream/spdy` speaks through `spdystream` and `golang.org/x/net/spdy`). Pure: bytes in, bytes
//! out; the I/O is in [`super`].
//!
//! Every frame starts with 8 bytes. A data frame: a clear top bit, the 31-bit stream id, 8 bits of flags and a
//! 24-bit length. A control frame: the top bit set, the 15-bit version (3), the 16-bit type, flags and length.

use flate2::{Compress, Compression, FlushCompress};

pub const VERSION: u16 = 3;
pub const HEADER_LEN: usize = 8;
/// The largest payload a frame's 24-bit length can carry.
pub const MAX_LENGTH: usize = (1 << 24) - 1;

pub const FLAG_FIN: u8 = 0x01;

pub const SYN_STREAM: u16 = 1;
pub const SYN_REPLY: u16 = 2;
pub const RST_STREAM: u16 = 3;
pub const PING: u16 = 6;

/// A frame's first 8 bytes, decoded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Header {
    Data { stream: u32, flags: u8, len: usize },
    Control { kind: u16, flags: u8, len: usize },
}

/// A frame header that is not SPDY/3.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("the server sent a SPDY control frame of version {0}, not 3")]
pub struct WrongVersion(pub u16);

pub fn parse_header(bytes: [u8; HEADER_LEN]) -> Result<Header, WrongVersion> {
    let first = u32::from_be_bytes([bytes[0], bytes[1], bytes[2], bytes[3]]);
    let flags = bytes[4];
    let len = usize::from(bytes[5]) << 16 | usize::from(bytes[6]) << 8 | usize::from(bytes[7]);
    if first & 0x8000_0000 == 0 {
        return Ok(Header::Data {
            stream: first,
            flags,
            len,
        });
    }
    let version = ((first >> 16) & 0x7fff) as u16;
    if version != VERSION {
        return Err(WrongVersion(version));
    }
    Ok(Header::Control {
        kind: (first & 0xffff) as u16,
        flags,
        len,
    })
}

/// The 8 bytes in front of `len` bytes of data on `stream`.
pub fn data_header(stream: u32, fin: bool, len: usize) -> [u8; HEADER_LEN] {
    debug_assert!(len <= MAX_LENGTH && stream & 0x8000_0000 == 0);
    let mut out = [0; HEADER_LEN];
    out[..4].copy_from_slice(&stream.to_be_bytes());
    out[4] = if fin { FLAG_FIN } else { 0 };
    out[5..].copy_from_slice(&(len as u32).to_be_bytes()[1..]);
    out
}

/// A control frame of `kind` around `payload`.
pub fn control(kind: u16, flags: u8, payload: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(HEADER_LEN + payload.len());
    out.extend_from_slice(&(0x8000 | VERSION).to_be_bytes());
    out.extend_from_slice(&kind.to_be_bytes());
    out.push(flags);
    out.extend_from_slice(&(payload.len() as u32).to_be_bytes()[1..]);
    out.extend_from_slice(payload);
    out
}

/// A PING frame (the answer to the server's PING carries the same id).
pub fn ping(id: u32) -> Vec<u8> {
    control(PING, 0, &id.to_be_bytes())
}

/// The header blocks of one session: a single zlib stream, sync-flushed after every block, as SPDY/3 requires.
/// The spec's preset dictionary is optional for the sender (it only improves compression; a zlib header without
/// FDICT tells the receiver none was used), and Kubernetes' SYN_STREAM headers are three short pairs.
pub struct HeaderCompressor(Compress);

impl Default for HeaderCompressor {
    fn default() -> Self {
        Self(Compress::new(Compression::default(), true))
    }
}

impl HeaderCompressor {
    /// The compressed name/value block: a 32-bit count, then each name and value with a 32-bit length.
    /// Names must be lowercase (the receiver rejects others).
    fn block(&mut self, pairs: &[(&str, &str)]) -> Vec<u8> {
        let mut raw = Vec::new();
        raw.extend_from_slice(&(pairs.len() as u32).to_be_bytes());
        for (name, value) in pairs {
            debug_assert_eq!(name.to_ascii_lowercase(), *name);
            for text in [name, value] {
                raw.extend_from_slice(&(text.len() as u32).to_be_bytes());
                raw.extend_from_slice(text.as_bytes());
            }
        }
        let mut out = Vec::with_capacity(raw.len() + 64);
        let before = self.0.total_in();
        loop {
            let consumed = (self.0.total_in() - before) as usize;
            out.reserve(64);
            self.0
                .compress_vec(&raw[consumed..], &mut out, FlushCompress::Sync)
                .expect("deflate into a growing buffer cannot fail");
            // Done once all input is in and the flush fit (a full buffer may hold more flush output).
            if (self.0.total_in() - before) as usize == raw.len() && out.len() < out.capacity() {
                return out;
            }
        }
    }

    /// SYN_STREAM opening client stream `stream` (odd) with `headers`; `fin` means this side sends nothing on it.
    pub fn syn_stream(&mut self, stream: u32, fin: bool, headers: &[(&str, &str)]) -> Vec<u8> {
        let mut payload = Vec::new();
        payload.extend_from_slice(&stream.to_be_bytes());
        payload.extend_from_slice(&0u32.to_be_bytes()); // associated-to stream: none
        payload.extend_from_slice(&[0, 0]); // priority 0 (highest), slot 0
        payload.extend_from_slice(&self.block(headers));
        control(SYN_STREAM, if fin { FLAG_FIN } else { 0 }, &payload)
    }
}

/// The first 32-bit word of a control frame's payload (the stream id of SYN_REPLY and RST_STREAM, the id of
/// PING, the last stream of GOAWAY), without its reserved top bit; `None` when the payload is shorter.
pub fn first_word(payload: &[u8]) -> Option<u32> {
    let word: [u8; 4] = payload.get(..4)?.try_into().ok()?;
    Some(u32::from_be_bytes(word) & 0x7fff_ffff)
}

/// The second 32-bit word (the status code of RST_STREAM and GOAWAY).
pub fn second_word(payload: &[u8]) -> Option<u32> {
    let word: [u8; 4] = payload.get(4..8)?.try_into().ok()?;
    Some(u32::from_be_bytes(word))
}

#[cfg(test)]
mod tests;

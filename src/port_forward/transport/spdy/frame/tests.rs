use super::*;
use flate2::{Decompress, FlushDecompress};

#[test]
fn data_headers_round_trip() {
    let header = data_header(3, true, 0x01_02_03);
    assert_eq!(header, [0, 0, 0, 3, FLAG_FIN, 1, 2, 3]);
    assert_eq!(
        parse_header(header),
        Ok(Header::Data {
            stream: 3,
            flags: FLAG_FIN,
            len: 0x01_02_03
        })
    );
    assert_eq!(
        parse_header(data_header(1, false, MAX_LENGTH)),
        Ok(Header::Data {
            stream: 1,
            flags: 0,
            len: MAX_LENGTH
        })
    );
}

#[test]
fn control_headers_carry_version_type_flags_and_length() {
    // SYN_REPLY for stream 3 as the server sends it: version 3, type 2, no flags, 4 + header block bytes.
    assert_eq!(
        parse_header([0x80, 3, 0, 2, 0, 0, 0, 12]),
        Ok(Header::Control {
            kind: SYN_REPLY,
            flags: 0,
            len: 12
        })
    );
    assert_eq!(
        parse_header([0x80, 2, 0, 2, 0, 0, 0, 12]),
        Err(WrongVersion(2))
    );
}

#[test]
fn a_ping_is_version_3_type_6_with_its_id() {
    assert_eq!(ping(2), [0x80, 3, 0, 6, 0, 0, 0, 4, 0, 0, 0, 2]);
}

#[test]
fn payload_words_drop_the_reserved_bit_and_need_four_bytes() {
    assert_eq!(first_word(&[0x80, 0, 0, 3, 0, 0, 0, 5]), Some(3));
    assert_eq!(second_word(&[0x80, 0, 0, 3, 0, 0, 0, 5]), Some(5));
    assert_eq!(first_word(&[0, 0, 3]), None);
    assert_eq!(second_word(&[0, 0, 0, 3]), None);
}

/// Inflates one session's header blocks in order, as the server does (one zlib stream).
fn inflate_all(blocks: &[&[u8]]) -> Vec<Vec<u8>> {
    let mut inflate = Decompress::new(true);
    blocks
        .iter()
        .map(|block| {
            let mut out = Vec::with_capacity(1 << 20);
            inflate
                .decompress_vec(block, &mut out, FlushDecompress::Sync)
                .unwrap();
            out
        })
        .collect()
}

/// The name/value pairs of an inflated block (32-bit count, then 32-bit lengths).
fn pairs(raw: &[u8]) -> Vec<(String, String)> {
    let word = |at: usize| u32::from_be_bytes(raw[at..at + 4].try_into().unwrap()) as usize;
    let mut at = 4;
    let mut text = || {
        let len = word(at);
        let s = String::from_utf8(raw[at + 4..at + 4 + len].to_vec()).unwrap();
        at += 4 + len;
        s
    };
    (0..word(0)).map(|_| (text(), text())).collect()
}

#[test]
fn syn_streams_share_one_zlib_stream_and_carry_lowercase_pairs() {
    let mut headers = HeaderCompressor::default();
    let error = headers.syn_stream(1, true, &[("streamtype", "error"), ("port", "8080")]);
    let data = headers.syn_stream(3, false, &[("streamtype", "data"), ("port", "8080")]);

    for (frame, stream, flags) in [(&error, 1u8, FLAG_FIN), (&data, 3, 0)] {
        let Ok(Header::Control {
            kind,
            flags: f,
            len,
        }) = parse_header(frame[..8].try_into().unwrap())
        else {
            panic!("not a control frame")
        };
        assert_eq!((kind, f, len), (SYN_STREAM, flags, frame.len() - 8));
        // Stream id, associated stream 0, priority 0 and slot 0.
        assert_eq!(&frame[8..18], &[0, 0, 0, stream, 0, 0, 0, 0, 0, 0]);
    }
    // The second block only inflates after the first: the server keeps one decompressor per session.
    let raw = inflate_all(&[&error[18..], &data[18..]]);
    assert_eq!(
        pairs(&raw[0]),
        [("streamtype", "error"), ("port", "8080")].map(|(n, v)| (n.to_string(), v.to_string()))
    );
    assert_eq!(
        pairs(&raw[1]),
        [("streamtype", "data"), ("port", "8080")].map(|(n, v)| (n.to_string(), v.to_string()))
    );
}

#[test]
fn a_header_block_larger_than_the_first_guess_is_complete() {
    let long = "x".repeat(10_000);
    let mut headers = HeaderCompressor::default();
    let frame = headers.syn_stream(1, false, &[("name", &long)]);
    let raw = inflate_all(&[&frame[18..]]);
    assert_eq!(pairs(&raw[0]), [("name".to_string(), long)]);
}

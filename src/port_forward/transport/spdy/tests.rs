//! The relay against a scripted server on an in-memory pipe, speaking SPDY/3 as Kubernetes' `spdystream` does.

use super::frame::{
    control, data_header, parse_header, Header, PING, RST_STREAM, SYN_REPLY, SYN_STREAM,
};
use super::*;
use flate2::{Decompress, FlushDecompress};
use tokio::io::{duplex, DuplexStream};

/// The far end of the upgraded connection: reads the client's frames, writes the server's.
struct Server {
    io: DuplexStream,
    inflate: Decompress,
}

impl Server {
    async fn frame(&mut self) -> (Header, Vec<u8>) {
        let mut header = [0; 8];
        self.io.read_exact(&mut header).await.unwrap();
        let header = parse_header(header).unwrap();
        let len = match header {
            Header::Data { len, .. } | Header::Control { len, .. } => len,
        };
        let mut payload = vec![0; len];
        self.io.read_exact(&mut payload).await.unwrap();
        (header, payload)
    }

    /// Reads a SYN_STREAM and returns its stream id, FIN flag and inflated header block.
    async fn syn_stream(&mut self) -> (u32, bool, Vec<u8>) {
        let (header, payload) = self.frame().await;
        let Header::Control {
            kind: SYN_STREAM,
            flags,
            ..
        } = header
        else {
            panic!("expected SYN_STREAM, got {header:?}")
        };
        let mut block = Vec::with_capacity(4096);
        self.inflate
            .decompress_vec(&payload[10..], &mut block, FlushDecompress::Sync)
            .unwrap();
        let id = u32::from_be_bytes(payload[..4].try_into().unwrap());
        (id, flags & frame::FLAG_FIN != 0, block)
    }

    async fn send(&mut self, bytes: &[u8]) {
        self.io.write_all(bytes).await.unwrap();
    }

    async fn reply(&mut self, stream: u32) {
        // The header block is opaque to the client; an empty zlib-compressed block in real life.
        self.send(&control(
            SYN_REPLY,
            0,
            &[&stream.to_be_bytes()[..], &[0x78, 0x9c]].concat(),
        ))
        .await;
    }

    async fn data(&mut self, stream: u32, fin: bool, bytes: &[u8]) {
        self.send(&data_header(stream, fin, bytes.len())).await;
        self.send(bytes).await;
    }
}

fn contains(block: &[u8], text: &str) -> bool {
    block.windows(text.len()).any(|w| w == text.as_bytes())
}

/// Opens a stream for port 8080 against a server that accepts both streams.
async fn accepted() -> (Stream<DuplexStream>, Server) {
    let (near, far) = duplex(1 << 20);
    let opening = tokio::spawn(open(near, 8080));
    let mut server = Server {
        io: far,
        inflate: Decompress::new(true),
    };
    let (error_id, error_fin, error_headers) = server.syn_stream().await;
    let (data_id, data_fin, data_headers) = server.syn_stream().await;
    assert_eq!(
        (error_id, error_fin, data_id, data_fin),
        (1, true, 3, false)
    );
    for text in ["streamtype", "error", "port", "8080", "requestid"] {
        assert!(
            contains(&error_headers, text),
            "{text} in the error stream's headers"
        );
    }
    assert!(contains(&data_headers, "data"));
    server.reply(1).await;
    server.reply(3).await;
    (opening.await.unwrap().unwrap(), server)
}

#[tokio::test]
async fn the_clients_half_close_reaches_the_pod_and_the_answer_follows() {
    let (stream, mut server) = accepted().await;
    let (mut local, local_far) = duplex(1024);
    let relaying = tokio::spawn(relay(local_far, stream));

    local.write_all(b"GET / HTTP/1.0\r\n\r\n").await.unwrap();
    local.shutdown().await.unwrap();
    let (header, request) = server.frame().await;
    assert!(matches!(
        header,
        Header::Data {
            stream: 3,
            flags: 0,
            ..
        }
    ));
    assert_eq!(request, b"GET / HTTP/1.0\r\n\r\n");
    let (fin, empty) = server.frame().await;
    assert_eq!(
        fin,
        Header::Data {
            stream: 3,
            flags: frame::FLAG_FIN,
            len: 0
        }
    );
    assert!(empty.is_empty());

    server.data(3, false, b"HTTP/1.0 200 OK\r\n\r\nhello").await;
    server.data(1, true, b"").await;
    server.data(3, true, b"").await;
    let mut answer = String::new();
    local.read_to_string(&mut answer).await.unwrap();
    assert_eq!(answer, "HTTP/1.0 200 OK\r\n\r\nhello");
    assert_eq!(relaying.await.unwrap().unwrap(), None);
}

#[tokio::test]
async fn the_error_stream_is_returned_and_large_frames_arrive_whole() {
    let (stream, mut server) = accepted().await;
    let (mut local, local_far) = duplex(64 * 1024);
    let relaying = tokio::spawn(relay(local_far, stream));

    let big: Vec<u8> = (0..3_000_000u32).map(|i| (i % 251) as u8).collect();
    let reading = tokio::spawn(async move {
        let mut got = Vec::new();
        local.read_to_end(&mut got).await.unwrap();
        got
    });
    for chunk in big.chunks(32 * 1024 + 7) {
        server.data(3, false, chunk).await;
    }
    server
        .data(1, false, b"error forwarding port 8080 to pod x: ")
        .await;
    server.data(1, true, b"connection reset").await;
    server.data(3, true, b"").await;
    assert_eq!(reading.await.unwrap(), big);
    assert_eq!(
        relaying.await.unwrap().unwrap().as_deref(),
        Some("error forwarding port 8080 to pod x: connection reset")
    );
}

#[tokio::test]
async fn server_pings_are_answered_while_relaying() {
    let (stream, mut server) = accepted().await;
    let (_local, local_far) = duplex(1024);
    let _relaying = tokio::spawn(relay(local_far, stream));
    server.send(&frame::ping(4)).await;
    let (header, payload) = server.frame().await;
    assert_eq!(
        header,
        Header::Control {
            kind: PING,
            flags: 0,
            len: 4
        }
    );
    assert_eq!(payload, 4u32.to_be_bytes());
}

#[tokio::test]
async fn a_reset_data_stream_ends_the_relay_with_an_error() {
    let (stream, mut server) = accepted().await;
    let (mut local, local_far) = duplex(1024);
    let relaying = tokio::spawn(relay(local_far, stream));
    server
        .send(&control(
            RST_STREAM,
            0,
            &[3u32.to_be_bytes(), 6u32.to_be_bytes()].concat(),
        ))
        .await;
    let err = relaying.await.unwrap().unwrap_err();
    assert!(err.to_string().contains("INTERNAL_ERROR"), "{err}");
    let mut rest = Vec::new();
    local.read_to_end(&mut rest).await.unwrap();
}

#[tokio::test]
async fn a_server_that_closes_before_accepting_reports_its_error_stream() {
    let (near, far) = duplex(1 << 16);
    let opening = tokio::spawn(open(near, 8080));
    let mut server = Server {
        io: far,
        inflate: Decompress::new(true),
    };
    server.syn_stream().await;
    server.syn_stream().await;
    server.reply(1).await;
    server.data(1, true, b"pod is not running").await;
    drop(server);
    let err = opening
        .await
        .unwrap()
        .err()
        .expect("no stream without a reply");
    assert_eq!(err.to_string(), "pod is not running");
}

/// Batching for the client never holds bytes back: what has arrived is written before the relay waits for more
/// (an interactive exchange would hang otherwise).
#[tokio::test]
async fn bytes_are_delivered_before_the_relay_waits_for_more() {
    let (stream, mut server) = accepted().await;
    let (mut local, local_far) = duplex(1 << 20);
    let _relaying = tokio::spawn(relay(local_far, stream));
    for round in 0..3u8 {
        let sent = vec![round; 1000 + usize::from(round) * 40_000];
        server.data(3, false, &sent).await;
        let mut got = vec![0; sent.len()];
        tokio::time::timeout(Duration::from_secs(10), local.read_exact(&mut got))
            .await
            .expect("the bytes came without more data or a close behind them")
            .unwrap();
        assert_eq!(got, sent);
    }
}

//! One frame read from the server and acted on: the pod's bytes straight to the local client, the error
//! stream's text and the control frames into the [`Session`].

use tokio::io::{
    AsyncBufRead, AsyncBufReadExt as _, AsyncReadExt as _, AsyncWrite, AsyncWriteExt as _,
};

use super::frame::{self, Header, HEADER_LEN};
use super::session::{Route, Session};

/// Control frames are a few bytes; a larger one is a broken peer, not something to buffer.
const MAX_CONTROL: usize = 64 * 1024;

/// What [`step`] asks of its caller.
#[derive(Debug, PartialEq, Eq)]
pub enum Step {
    Continue,
    /// Send this frame to the server (the answer to its PING).
    Answer(Vec<u8>),
    /// The server closed the connection.
    End,
}

/// Reads one frame and acts on it: data-stream bytes go to `client` as they arrive (no copy beyond the read
/// buffer), error-stream bytes and control frames into `session`.
pub async fn step<R, C>(
    reader: &mut R,
    session: &mut Session,
    client: &mut C,
) -> std::io::Result<Step>
where
    R: AsyncBufRead + Unpin,
    C: AsyncWrite + Unpin,
{
    let mut header = [0; HEADER_LEN];
    match reader.read_exact(&mut header).await {
        Ok(_) => {}
        Err(err) if err.kind() == std::io::ErrorKind::UnexpectedEof => return Ok(Step::End),
        Err(err) => return Err(err),
    }
    match frame::parse_header(header).map_err(std::io::Error::other)? {
        Header::Data { stream, flags, len } => {
            let route = session.route(stream);
            let mut left = len;
            while left > 0 {
                let available = reader.fill_buf().await?;
                if available.is_empty() {
                    return Ok(Step::End);
                }
                let n = available.len().min(left);
                match route {
                    Route::Client => client.write_all(&available[..n]).await?,
                    Route::Error => session.error_text(&available[..n]),
                    Route::Discard => {}
                }
                reader.consume(n);
                left -= n;
            }
            session.data_end(stream, flags);
            Ok(Step::Continue)
        }
        Header::Control { kind, flags, len } => {
            if len > MAX_CONTROL {
                return Err(std::io::Error::other(format!(
                    "the server sent a SPDY control frame of {len} bytes (type {kind})"
                )));
            }
            let mut payload = vec![0; len];
            reader.read_exact(&mut payload).await?;
            Ok(match session.control(kind, flags, &payload) {
                Ok(Some(answer)) => Step::Answer(answer),
                Ok(None) => Step::Continue,
                Err(err) => return Err(std::io::Error::other(err)),
            })
        }
    }
}

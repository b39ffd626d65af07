//! The state of one SPDY port-forward session, pure: which stream a frame belongs to, what the server's control
//! frames mean, and when the forward is over. Kubernetes pairs two client streams per forwarded connection
//! (`streamtype` error and data, same `requestid`); the server sends SYN_REPLY for each, the pod's bytes on the
//! data stream, a message on the error stream when it could not reach the port, then FIN on both.

use super::frame::{self, FLAG_FIN, PING, RST_STREAM, SYN_REPLY};

/// The client's stream ids: odd, ascending. The error stream is opened first, as kubectl does.
pub const ERROR_STREAM: u32 = 1;
pub const DATA_STREAM: u32 = 3;

/// Where the payload of a data frame goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Route {
    /// To the local connection.
    Client,
    /// Into the error message.
    Error,
    /// Nowhere (a stream this session did not open, or already closed).
    Discard,
}

/// Why the session ended before the pod's side of the data stream was finished.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SessionError {
    #[error("the server reset the port-forward stream ({})", status_name(*.0))]
    Reset(u32),
    #[error("the server sent a truncated SPDY control frame (type {0})")]
    Truncated(u16),
}

/// RST_STREAM status codes (SPDY/3 section 2.6.3).
fn status_name(code: u32) -> String {
    let name = match code {
        1 => "PROTOCOL_ERROR",
        2 => "INVALID_STREAM",
        3 => "REFUSED_STREAM",
        4 => "UNSUPPORTED_VERSION",
        5 => "CANCEL",
        6 => "INTERNAL_ERROR",
        7 => "FLOW_CONTROL_ERROR",
        8 => "STREAM_IN_USE",
        9 => "STREAM_ALREADY_CLOSED",
        11 => "FRAME_TOO_LARGE",
        other => return format!("status {other}"),
    };
    name.to_string()
}

/// One forwarded connection's two streams, as the server has answered them so far.
#[derive(Debug, Default)]
pub struct Session {
    data_replied: bool,
    data_closed: bool,
    error_closed: bool,
    error: Vec<u8>,
}

impl Session {
    /// The server accepted the data stream: only now may the client send on it (the server drops data frames
    /// that arrive before its SYN_REPLY).
    pub fn replied(&self) -> bool {
        self.data_replied
    }

    /// The pod's side of the data stream is finished (FIN or reset after the data).
    pub fn data_closed(&self) -> bool {
        self.data_closed
    }

    /// The error stream is finished: its message, if any, is complete.
    pub fn error_closed(&self) -> bool {
        self.error_closed
    }

    /// What the server wrote on the error stream, if anything.
    pub fn error_message(&self) -> Option<String> {
        (!self.error.is_empty()).then(|| String::from_utf8_lossy(&self.error).trim().to_string())
    }

    pub fn route(&self, stream: u32) -> Route {
        match stream {
            DATA_STREAM if !self.data_closed => Route::Client,
            ERROR_STREAM if !self.error_closed => Route::Error,
            _ => Route::Discard,
        }
    }

    pub fn error_text(&mut self, bytes: &[u8]) {
        self.error.extend_from_slice(bytes);
    }

    /// After a data frame's payload: FIN closes the stream's server side.
    pub fn data_end(&mut self, stream: u32, flags: u8) {
        if flags & FLAG_FIN != 0 {
            self.close(stream);
        }
    }

    fn close(&mut self, stream: u32) {
        match stream {
            DATA_STREAM => self.data_closed = true,
            ERROR_STREAM => self.error_closed = true,
            _ => {}
        }
    }

    /// Applies a control frame; returns a frame to send back (the echo of the server's PING), if any.
    /// SETTINGS, HEADERS, WINDOW_UPDATE (spdystream does no flow control) and unknown types are ignored, and
    /// so is GOAWAY: it forbids new streams, while the open ones run to their end (or the connection's).
    pub fn control(
        &mut self,
        kind: u16,
        flags: u8,
        payload: &[u8],
    ) -> Result<Option<Vec<u8>>, SessionError> {
        let word = || frame::first_word(payload).ok_or(SessionError::Truncated(kind));
        match kind {
            SYN_REPLY => {
                let stream = word()?;
                if stream == DATA_STREAM {
                    self.data_replied = true;
                }
                if flags & FLAG_FIN != 0 {
                    self.close(stream);
                }
            }
            RST_STREAM => {
                let stream = word()?;
                let status = frame::second_word(payload).ok_or(SessionError::Truncated(kind))?;
                let was_open = stream == DATA_STREAM && !self.data_closed;
                self.close(stream);
                // A reset of the data stream before the pod's side finished loses data: an error, unless
                // the server explained itself on the error stream (then that message is the better report).
                if was_open && self.error.is_empty() {
                    return Err(SessionError::Reset(status));
                }
            }
            // Server-initiated PINGs have even ids; an odd id would answer one of ours (we send none).
            PING => {
                let id = word()?;
                if id % 2 == 0 {
                    return Ok(Some(frame::ping(id)));
                }
            }
            _ => {}
        }
        Ok(None)
    }
}

#[cfg(test)]
mod tests;

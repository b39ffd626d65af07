use super::*;
use crate::port_forward::transport::spdy::frame::{ping, FLAG_FIN, PING, RST_STREAM, SYN_REPLY};

fn words(a: u32, b: u32) -> Vec<u8> {
    [a.to_be_bytes(), b.to_be_bytes()].concat()
}

#[test]
fn the_data_stream_is_usable_once_replied_and_routes_to_the_client() {
    let mut session = Session::default();
    assert!(!session.replied());
    // The error stream's reply does not open the data stream.
    assert_eq!(session.control(SYN_REPLY, 0, &words(1, 0)), Ok(None));
    assert!(!session.replied());
    assert_eq!(session.control(SYN_REPLY, 0, &words(3, 0)), Ok(None));
    assert!(session.replied());
    assert_eq!(session.route(DATA_STREAM), Route::Client);
    assert_eq!(session.route(ERROR_STREAM), Route::Error);
    assert_eq!(session.route(5), Route::Discard);
}

#[test]
fn fin_closes_a_stream_and_later_bytes_are_discarded() {
    let mut session = Session::default();
    session.error_text(b"error forwarding port 8080: connection refused\n");
    session.data_end(ERROR_STREAM, FLAG_FIN);
    assert!(session.error_closed());
    assert_eq!(session.route(ERROR_STREAM), Route::Discard);
    assert_eq!(
        session.error_message().as_deref(),
        Some("error forwarding port 8080: connection refused")
    );
    session.data_end(DATA_STREAM, 0);
    assert!(!session.data_closed());
    session.data_end(DATA_STREAM, FLAG_FIN);
    assert!(session.data_closed());
    assert_eq!(session.route(DATA_STREAM), Route::Discard);
}

#[test]
fn a_reply_with_fin_closes_the_stream_at_once() {
    let mut session = Session::default();
    session.control(SYN_REPLY, FLAG_FIN, &words(1, 0)).unwrap();
    assert!(session.error_closed());
    assert_eq!(session.error_message(), None);
}

#[test]
fn a_reset_data_stream_is_an_error_unless_the_server_explained_it() {
    let mut session = Session::default();
    assert_eq!(
        session.control(RST_STREAM, 0, &words(3, 3)),
        Err(SessionError::Reset(3))
    );
    assert_eq!(
        SessionError::Reset(3).to_string(),
        "the server reset the port-forward stream (REFUSED_STREAM)"
    );
    assert_eq!(
        SessionError::Reset(42).to_string(),
        "the server reset the port-forward stream (status 42)"
    );

    let mut explained = Session::default();
    explained.error_text(b"pod not found");
    assert_eq!(explained.control(RST_STREAM, 0, &words(3, 5)), Ok(None));
    assert!(explained.data_closed());

    // After the pod's side finished, a reset (CANCEL while closing) loses nothing.
    let mut finished = Session::default();
    finished.data_end(DATA_STREAM, FLAG_FIN);
    assert_eq!(finished.control(RST_STREAM, 0, &words(3, 5)), Ok(None));
    // A reset error stream just closes it.
    assert_eq!(finished.control(RST_STREAM, 0, &words(1, 5)), Ok(None));
    assert!(finished.error_closed());
}

#[test]
fn server_pings_are_echoed_and_odd_ids_are_not() {
    let mut session = Session::default();
    assert_eq!(
        session.control(PING, 0, &2u32.to_be_bytes()),
        Ok(Some(ping(2)))
    );
    assert_eq!(session.control(PING, 0, &1u32.to_be_bytes()), Ok(None));
}

#[test]
fn truncated_control_frames_and_unknown_types() {
    let mut session = Session::default();
    assert_eq!(
        session.control(SYN_REPLY, 0, &[0, 0]),
        Err(SessionError::Truncated(SYN_REPLY))
    );
    assert_eq!(
        session.control(RST_STREAM, 0, &3u32.to_be_bytes()),
        Err(SessionError::Truncated(RST_STREAM))
    );
    // SETTINGS (4), WINDOW_UPDATE (9), GOAWAY (7) and unknown types change nothing.
    for kind in [4, 7, 8, 9, 99] {
        assert_eq!(session.control(kind, 0, &words(3, 0)), Ok(None));
    }
    assert!(!session.replied() && !session.data_closed() && !session.error_closed());
}

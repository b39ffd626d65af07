use super::*;
use tokio_tungstenite::tungstenite::protocol::Role;

#[test]
fn each_channel_opens_with_its_port_then_carries_data_or_errors() {
    let mut opened = [false; 2];
    assert_eq!(
        classify(&mut opened, 8080, &[0, 0x90, 0x1f]),
        Ok(Frame::PortHeader)
    );
    assert_eq!(
        classify(&mut opened, 8080, &[1, 0x90, 0x1f]),
        Ok(Frame::PortHeader)
    );
    assert_eq!(
        classify(&mut opened, 8080, b"\0GET"),
        Ok(Frame::Data(b"GET"))
    );
    // After the header, two bytes are data like any other.
    assert_eq!(
        classify(&mut opened, 8080, &[0, 0x90, 0x1f]),
        Ok(Frame::Data(&[0x90, 0x1f]))
    );
    assert_eq!(
        classify(&mut opened, 8080, b"\x01refused"),
        Ok(Frame::Error(b"refused"))
    );
    assert_eq!(classify(&mut opened, 8080, &[]), Ok(Frame::Data(&[])));
}

#[test]
fn protocol_violations_are_errors() {
    assert_eq!(
        classify(&mut [false; 2], 80, &[2, 80, 0]),
        Err(ProtocolError::UnknownChannel(2))
    );
    assert_eq!(
        classify(&mut [false; 2], 80, &[0, 80]),
        Err(ProtocolError::BadPortHeader { channel: 0, len: 1 })
    );
    assert_eq!(
        classify(&mut [false; 2], 80, &[0, 81, 0]),
        Err(ProtocolError::WrongPort {
            actual: 81,
            expected: 80
        })
    );
}

/// A client-side socket for `relay` and the server side a test plays the kubelet with.
async fn socket_pair() -> (
    WebSocketStream<tokio::io::DuplexStream>,
    WebSocketStream<tokio::io::DuplexStream>,
) {
    let (near, far) = tokio::io::duplex(256 * 1024);
    let client = WebSocketStream::from_raw_socket(near, Role::Client, None).await;
    let server = WebSocketStream::from_raw_socket(far, Role::Server, None).await;
    (client, server)
}

async fn open_channels(server: &mut WebSocketStream<tokio::io::DuplexStream>, port: u16) {
    let [lo, hi] = port.to_le_bytes();
    server
        .send(Message::binary(vec![DATA, lo, hi]))
        .await
        .unwrap();
    server
        .send(Message::binary(vec![ERROR, lo, hi]))
        .await
        .unwrap();
}

#[tokio::test]
async fn the_answer_after_the_client_closed_its_side_is_delivered() {
    let (socket, mut server) = socket_pair().await;
    let (mut local, local_far) = tokio::io::duplex(1024);
    let relaying = tokio::spawn(relay(local_far, socket, 8080, Duration::from_secs(10)));

    open_channels(&mut server, 8080).await;
    local.write_all(b"GET / HTTP/1.0\r\n\r\n").await.unwrap();
    local.shutdown().await.unwrap();
    let Some(Ok(Message::Binary(request))) = server.next().await else {
        panic!("no request")
    };
    assert_eq!(&request[..], b"\0GET / HTTP/1.0\r\n\r\n");
    server
        .send(Message::binary(b"\0HTTP/1.0 200 OK\r\n\r\nhello".to_vec()))
        .await
        .unwrap();
    server.close(None).await.unwrap();

    let mut answer = String::new();
    local.read_to_string(&mut answer).await.unwrap();
    assert_eq!(answer, "HTTP/1.0 200 OK\r\n\r\nhello");
    assert_eq!(relaying.await.unwrap().unwrap(), None);
}

#[tokio::test]
async fn the_pods_error_channel_is_returned() {
    let (socket, mut server) = socket_pair().await;
    let (mut local, local_far) = tokio::io::duplex(1024);
    let relaying = tokio::spawn(relay(local_far, socket, 8080, Duration::from_secs(10)));

    open_channels(&mut server, 8080).await;
    server
        .send(Message::binary(b"\x01connection refused".to_vec()))
        .await
        .unwrap();
    drop(server);

    let mut answer = Vec::new();
    local.read_to_end(&mut answer).await.unwrap();
    assert!(answer.is_empty());
    assert_eq!(
        relaying.await.unwrap().unwrap().as_deref(),
        Some("connection refused")
    );
}

#[tokio::test]
async fn a_silent_pod_is_let_go_after_the_client_closed() {
    let (socket, mut server) = socket_pair().await;
    let (local, local_far) = tokio::io::duplex(1024);
    open_channels(&mut server, 8080).await;
    drop(local);
    // The pod never answers nor closes; relay still returns (the test would hang otherwise).
    relay(local_far, socket, 8080, Duration::from_millis(50))
        .await
        .unwrap();
}

#[tokio::test]
async fn a_wrong_port_header_ends_the_connection_with_an_error() {
    let (socket, mut server) = socket_pair().await;
    let (_local, local_far) = tokio::io::duplex(1024);
    open_channels(&mut server, 9090).await;
    let err = relay(local_far, socket, 8080, Duration::from_secs(10))
        .await
        .unwrap_err();
    assert!(
        err.to_string()
            .contains("port 9090, not the requested 8080"),
        "{err}"
    );
}

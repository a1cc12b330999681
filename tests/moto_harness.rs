//! The moto test harness itself: start, answer, reset, stop.

#[path = "support/moto.rs"]
mod moto;

use std::net::{SocketAddr, TcpStream};
use std::time::Duration;

fn port_is_closed(port: u16) -> bool {
    let addr = SocketAddr::from(([127, 0, 0, 1], port));
    TcpStream::connect_timeout(&addr, Duration::from_secs(1)).is_err()
}

#[test]
fn moto_starts_answers_resets_and_stops() {
    let mut server = moto::Moto::start();
    let port = server.port();
    assert_eq!(server.endpoint, format!("http://127.0.0.1:{port}"));

    let (status, _) = server.http("GET", "/moto-api/");
    assert_eq!(status, 200, "GET /moto-api/");
    server.reset();

    let env: std::collections::HashMap<_, _> = server.env().into_iter().collect();
    assert_eq!(env["AWS_ENDPOINT_URL"], server.endpoint);
    assert_eq!(env["AWS_REGION"], "us-east-1");
    assert_eq!(env["AWS_ACCESS_KEY_ID"], "testing");
    assert_eq!(env["AWS_EC2_METADATA_DISABLED"], "true");
    assert!(!std::path::Path::new(&env["AWS_CONFIG_FILE"]).exists());
    assert!(!std::path::Path::new(&env["AWS_SHARED_CREDENTIALS_FILE"]).exists());

    server.stop();
    assert!(!server.is_running());
    assert!(
        port_is_closed(port),
        "port {port} still accepts connections after stop"
    );
    server.stop(); // idempotent
}

#[test]
fn two_servers_are_independent() {
    let a = moto::Moto::start();
    let b = moto::Moto::start();
    assert_ne!(a.port(), b.port());
    b.reset();
    assert_eq!(a.http("GET", "/moto-api/").0, 200);
    let port = a.port();
    drop(a);
    assert!(
        port_is_closed(port),
        "dropping Moto leaves the server running"
    );
    assert_eq!(b.http("GET", "/moto-api/").0, 200);
}

//! Works around sqlx 0.9.0 leaving Nagle's algorithm on for its TCP
//! connections (upstream issue transact-rs/sqlx#4335, fixed by #4336 but not
//! released). With Nagle on, every statement bigger than one segment waits
//! for the server's delayed ACK (about 40 ms): an import over TCP is several
//! times slower than over the Unix socket (BENCHMARKS.md).
//!
//! sqlx does not hand out its socket, so each new pool connection sets
//! `TCP_NODELAY` on the process's TCP sockets connected to the database's
//! port. Remove this module once sqlx releases the fix.

/// Sets `TCP_NODELAY` on every TCP socket of this process whose peer port is
/// `port`; returns how many it changed.
#[cfg(target_os = "linux")]
pub fn set_on_sockets_to(port: u16) -> usize {
    use std::os::fd::BorrowedFd;

    let Ok(dir) = std::fs::read_dir("/proc/self/fd") else {
        return 0;
    };
    let mut changed = 0;
    for entry in dir.flatten() {
        let Some(fd) = entry
            .file_name()
            .to_str()
            .and_then(|s| s.parse::<i32>().ok())
        else {
            continue;
        };
        let is_socket = std::fs::read_link(entry.path())
            .map(|t| t.to_string_lossy().starts_with("socket:"))
            .unwrap_or(false);
        if !is_socket {
            continue;
        }
        // SAFETY: the descriptor was open when listed and is only borrowed
        // for two `getsockopt`/`setsockopt` calls. If another thread closed
        // it meanwhile, the calls fail (EBADF/ENOTSOCK) and are ignored; if
        // the number was reused, the peer-port check below still decides.
        let fd = unsafe { BorrowedFd::borrow_raw(fd) };
        let socket = socket2::SockRef::from(&fd);
        let to_db = socket
            .peer_addr()
            .ok()
            .and_then(|a| a.as_socket())
            .is_some_and(|a| a.port() == port);
        if to_db && socket.tcp_nodelay().is_ok_and(|on| !on) && socket.set_tcp_nodelay(true).is_ok()
        {
            changed += 1;
        }
    }
    changed
}

#[cfg(not(target_os = "linux"))]
pub fn set_on_sockets_to(_port: u16) -> usize {
    0
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_socket_to_the_port_gets_nodelay_and_others_do_not() {
        let a = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let b = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let to_a = std::net::TcpStream::connect(a.local_addr().unwrap()).unwrap();
        let to_b = std::net::TcpStream::connect(b.local_addr().unwrap()).unwrap();
        assert!(!to_a.nodelay().unwrap());
        let changed = super::set_on_sockets_to(a.local_addr().unwrap().port());
        if cfg!(target_os = "linux") {
            assert_eq!(changed, 1);
            assert!(to_a.nodelay().unwrap());
            assert!(!to_b.nodelay().unwrap());
        }
    }
}

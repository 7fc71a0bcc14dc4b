//! A minimal keep-alive HTTP/1.1 client over a tokio `TcpStream`: GET only, `Content-Length` or chunked bodies.
//!
//! Hand-written rather than hyper's client so the load generator adds no dependencies and does as little work as
//! possible on the two cores it shares with the server: one small buffer per connection, reused for every response,
//! and bodies are counted and dropped rather than kept.

use std::io;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

pub struct Connection {
    stream: TcpStream,
    /// Bytes read but not yet consumed (the rest of a response, or the next one).
    buf: Vec<u8>,
    request: Vec<u8>,
    /// `name=value` of the session cookie, sent with every request once the server has set it.
    pub cookie: Option<String>,
}

/// What one response was, as far as the benchmark needs to know.
pub struct Reply {
    pub status: u16,
    pub body_len: usize,
}

fn bad(msg: impl Into<String>) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidData, msg.into())
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

impl Connection {
    pub async fn open(addr: std::net::SocketAddr) -> io::Result<Connection> {
        let stream = TcpStream::connect(addr).await?;
        stream.set_nodelay(true)?;
        Ok(Connection { stream, buf: Vec::with_capacity(32 * 1024), request: Vec::with_capacity(512), cookie: None })
    }

    /// Reads more bytes into the buffer; end of stream is an error (the server closed a keep-alive connection).
    async fn fill(&mut self) -> io::Result<()> {
        let len = self.buf.len();
        self.buf.resize(len + 16 * 1024, 0);
        let n = self.stream.read(&mut self.buf[len..]).await?;
        self.buf.truncate(len + n);
        if n == 0 {
            return Err(io::Error::new(io::ErrorKind::UnexpectedEof, "server closed the connection"));
        }
        Ok(())
    }

    /// Sends `GET path` and reads the whole response.
    pub async fn get(&mut self, path: &str) -> io::Result<Reply> {
        self.request.clear();
        self.request.extend_from_slice(format!("GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n").as_bytes());
        if let Some(c) = &self.cookie {
            self.request.extend_from_slice(format!("Cookie: {c}\r\n").as_bytes());
        }
        self.request.extend_from_slice(b"\r\n");
        self.stream.write_all(&self.request).await?;

        let head_end = loop {
            if let Some(i) = find(&self.buf, b"\r\n\r\n") {
                break i;
            }
            self.fill().await?;
        };
        let head = std::str::from_utf8(&self.buf[..head_end]).map_err(|_| bad("response head is not UTF-8"))?;
        let mut lines = head.split("\r\n");
        let status: u16 = lines
            .next()
            .and_then(|l| l.split(' ').nth(1))
            .and_then(|s| s.parse().ok())
            .ok_or_else(|| bad("no status line"))?;
        let (mut length, mut chunked, mut cookie) = (None, false, None);
        for line in lines {
            let Some((name, value)) = line.split_once(':') else { continue };
            let value = value.trim();
            if name.eq_ignore_ascii_case("content-length") {
                length = Some(value.parse::<usize>().map_err(|_| bad("bad content-length"))?);
            } else if name.eq_ignore_ascii_case("transfer-encoding") {
                chunked = value.eq_ignore_ascii_case("chunked");
            } else if name.eq_ignore_ascii_case("set-cookie") && value.starts_with("runtall_session=") {
                cookie = value.split(';').next().map(str::to_string);
            }
        }
        if cookie.is_some() {
            self.cookie = cookie;
        }
        self.buf.drain(..head_end + 4);
        let body_len = match (length, chunked) {
            (Some(n), _) => {
                self.skip(n).await?;
                n
            }
            (None, true) => self.read_chunked().await?,
            (None, false) => return Err(bad("response without a length on a keep-alive connection")),
        };
        Ok(Reply { status, body_len })
    }

    /// Consumes `n` body bytes without keeping them, so the client's memory stays at one small buffer per
    /// connection whatever the response size (it runs in the same process as the server whose memory is measured).
    async fn skip(&mut self, mut n: usize) -> io::Result<()> {
        let buffered = n.min(self.buf.len());
        self.buf.drain(..buffered);
        n -= buffered;
        let mut scratch = [0u8; 16 * 1024];
        while n > 0 {
            let want = n.min(scratch.len());
            let got = self.stream.read(&mut scratch[..want]).await?;
            if got == 0 {
                return Err(io::Error::new(io::ErrorKind::UnexpectedEof, "server closed the connection mid-body"));
            }
            n -= got;
        }
        Ok(())
    }

    async fn read_chunked(&mut self) -> io::Result<usize> {
        let mut total = 0;
        loop {
            let line_end = loop {
                if let Some(i) = find(&self.buf, b"\r\n") {
                    break i;
                }
                self.fill().await?;
            };
            let size_text = std::str::from_utf8(&self.buf[..line_end]).map_err(|_| bad("bad chunk size"))?;
            let size = usize::from_str_radix(size_text.split(';').next().unwrap_or("").trim(), 16)
                .map_err(|_| bad("bad chunk size"))?;
            // The chunk, then its CRLF (for the last, empty chunk: the CRLF ending the trailers).
            while self.buf.len() < line_end + 2 + size + 2 {
                self.fill().await?;
            }
            self.buf.drain(..line_end + 2 + size + 2);
            total += size;
            if size == 0 {
                return Ok(total);
            }
        }
    }
}

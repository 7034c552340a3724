//! SPDY/3.1 framing, as far as the API server's streams need it (`kubectl port-forward`
//! speaks it, tunnelled through a websocket): frames read from a byte stream and
//! written to one, and header blocks, which each direction compresses with one zlib
//! stream primed with SPDY/3's dictionary.

use flate2::{Compress, Compression, Decompress, FlushCompress, FlushDecompress, Status};
use std::collections::BTreeMap;

/// Control frame types.
pub const SYN_STREAM: u16 = 1;
pub const SYN_REPLY: u16 = 2;
pub const RST_STREAM: u16 = 3;
pub const PING: u16 = 6;
pub const GOAWAY: u16 = 7;
/// The last frame of a stream from its sender.
pub const FLAG_FIN: u8 = 0x01;
const VERSION: u16 = 3;
/// Frames larger than this are refused (the protocol allows 16 MiB; port-forward's are
/// small).
const MAX_FRAME: usize = 1 << 20;
/// A header block inflating past this is refused (port-forward's hold three headers).
const MAX_HEADERS: usize = 64 * 1024;

/// One frame.
#[derive(Debug, Clone, PartialEq)]
pub enum Frame {
    Control {
        kind: u16,
        flags: u8,
        data: Vec<u8>,
    },
    Data {
        stream: u32,
        flags: u8,
        data: Vec<u8>,
    },
}

/// Takes one whole frame off the front of `buffer`, if it holds one.
pub fn take_frame(buffer: &mut Vec<u8>) -> Result<Option<Frame>, String> {
    if buffer.len() < 8 {
        return Ok(None);
    }
    let length =
        usize::from(buffer[5]) << 16 | usize::from(buffer[6]) << 8 | usize::from(buffer[7]);
    if length > MAX_FRAME {
        return Err(format!("a SPDY frame of {length} bytes is too large"));
    }
    if buffer.len() < 8 + length {
        return Ok(None);
    }
    let head: Vec<u8> = buffer.drain(..8).collect();
    let data: Vec<u8> = buffer.drain(..length).collect();
    let flags = head[4];
    if head[0] & 0x80 != 0 {
        let version = u16::from_be_bytes([head[0] & 0x7f, head[1]]);
        if version != VERSION {
            return Err(format!("SPDY version {version} is not spoken here"));
        }
        let kind = u16::from_be_bytes([head[2], head[3]]);
        Ok(Some(Frame::Control { kind, flags, data }))
    } else {
        let stream = u32::from_be_bytes([head[0], head[1], head[2], head[3]]);
        Ok(Some(Frame::Data {
            stream,
            flags,
            data,
        }))
    }
}

/// A control frame's bytes.
pub fn control(kind: u16, flags: u8, data: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(8 + data.len());
    out.extend_from_slice(&(0x8000 | VERSION).to_be_bytes());
    out.extend_from_slice(&kind.to_be_bytes());
    out.push(flags);
    out.extend_from_slice(&length(data.len()));
    out.extend_from_slice(data);
    out
}

/// A data frame's bytes.
pub fn data(stream: u32, flags: u8, payload: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(8 + payload.len());
    out.extend_from_slice(&(stream & 0x7fff_ffff).to_be_bytes());
    out.push(flags);
    out.extend_from_slice(&length(payload.len()));
    out.extend_from_slice(payload);
    out
}

fn length(n: usize) -> [u8; 3] {
    let n = u32::try_from(n.min(0xff_ffff))
        .unwrap_or(0xff_ffff)
        .to_be_bytes();
    [n[1], n[2], n[3]]
}

/// The stream id at the start of a control frame's data.
pub fn stream_id(data: &[u8]) -> u32 {
    data.get(..4)
        .map_or(0, |b| u32::from_be_bytes([b[0] & 0x7f, b[1], b[2], b[3]]))
}

/// Header names to values, as a header block holds them.
pub type Headers = BTreeMap<String, String>;

/// One direction's header compression: a zlib stream primed with SPDY/3's dictionary,
/// kept across frames.
pub struct HeaderCodec {
    inflate: Decompress,
    deflate: Compress,
    primed: bool,
}

impl Default for HeaderCodec {
    fn default() -> Self {
        let mut deflate = Compress::new(Compression::default(), true);
        // Infallible for a fresh stream; a failure would show in the peer's reading.
        let _ = deflate.set_dictionary(&dictionary());
        HeaderCodec {
            inflate: Decompress::new(true),
            deflate,
            primed: false,
        }
    }
}

impl HeaderCodec {
    /// Reads a compressed header block.
    pub fn read(&mut self, block: &[u8]) -> Result<Headers, String> {
        let mut plain = Vec::with_capacity((block.len() * 4 + 64).min(MAX_HEADERS));
        let mut input = block;
        loop {
            let before_in = self.inflate.total_in();
            let result = self
                .inflate
                .decompress_vec(input, &mut plain, FlushDecompress::Sync);
            let used = usize::try_from(self.inflate.total_in() - before_in).unwrap_or(0);
            input = &input[used..];
            match result {
                Err(e) if e.needs_dictionary().is_some() && !self.primed => {
                    self.primed = true;
                    self.inflate
                        .set_dictionary(&dictionary())
                        .map_err(|e| format!("the header dictionary: {e}"))?;
                }
                Err(e) => return Err(format!("a SPDY header block does not inflate: {e}")),
                Ok(Status::StreamEnd) => break,
                Ok(_) if input.is_empty() && plain.len() < plain.capacity() => break,
                Ok(_) if plain.len() >= MAX_HEADERS => {
                    return Err("a SPDY header block inflates too large".into());
                }
                Ok(_) => plain.reserve(plain.capacity().max(256)),
            }
        }
        parse_headers(&plain)
    }

    /// Writes a compressed header block.
    pub fn write(&mut self, headers: &Headers) -> Vec<u8> {
        let mut plain = Vec::new();
        plain.extend_from_slice(&count(headers.len()));
        for (name, value) in headers {
            plain.extend_from_slice(&count(name.len()));
            plain.extend_from_slice(name.as_bytes());
            plain.extend_from_slice(&count(value.len()));
            plain.extend_from_slice(value.as_bytes());
        }
        let mut out = Vec::with_capacity(plain.len() + 64);
        let _ = self
            .deflate
            .compress_vec(&plain, &mut out, FlushCompress::Sync);
        out
    }
}

fn count(n: usize) -> [u8; 4] {
    u32::try_from(n).unwrap_or(u32::MAX).to_be_bytes()
}

fn parse_headers(block: &[u8]) -> Result<Headers, String> {
    let bad = || "a SPDY header block is cut short".to_string();
    let mut at = 0;
    let mut next = |len: usize| -> Result<&[u8], String> {
        let slice = block.get(at..at + len).ok_or_else(bad)?;
        at += len;
        Ok(slice)
    };
    let number =
        |bytes: &[u8]| u32::from_be_bytes([bytes[0], bytes[1], bytes[2], bytes[3]]) as usize;
    let pairs = number(next(4)?);
    let mut headers = Headers::new();
    for _ in 0..pairs.min(1024) {
        let name_len = number(next(4)?);
        let name = String::from_utf8_lossy(next(name_len)?).to_lowercase();
        let value_len = number(next(4)?);
        let value = String::from_utf8_lossy(next(value_len)?).into_owned();
        headers.insert(name, value);
    }
    Ok(headers)
}

/// SPDY/3's header compression dictionary (its specification, section 2.6.10.1): the
/// common header names and values, each after its length as four bytes, then common
/// status lines, dates and media types as they are.
fn dictionary() -> Vec<u8> {
    const WORDS: &str = "options head post put delete trace accept accept-charset accept-encoding accept-language accept-ranges age allow authorization cache-control connection content-base content-encoding content-language content-length content-location content-md5 content-range content-type date etag expect expires from host if-match if-modified-since if-none-match if-range if-unmodified-since last-modified location max-forwards pragma proxy-authenticate proxy-authorization range referer retry-after server te trailer transfer-encoding upgrade user-agent vary via warning www-authenticate method get status 200|OK version HTTP/1.1 url public set-cookie keep-alive origin";
    const TAIL: &str = "100101201202205206300302303304305306307402405406407408409410411412413414415416417502504505203 Non-Authoritative Information204 No Content301 Moved Permanently400 Bad Request401 Unauthorized403 Forbidden404 Not Found500 Internal Server Error501 Not Implemented503 Service UnavailableJan Feb Mar Apr May Jun Jul Aug Sept Oct Nov Dec 00:00:00 Mon, Tue, Wed, Thu, Fri, Sat, Sun, GMTchunked,text/html,image/png,image/jpg,image/gif,application/xml,application/xhtml+xml,text/plain,text/javascript,publicprivatemax-age=gzip,deflate,sdchcharset=utf-8charset=iso-8859-1,utf-,*,enq=0.";
    let mut out = Vec::with_capacity(1423);
    for word in WORDS.split(' ') {
        // `200 OK` is one word of the dictionary.
        let word = word.replace('|', " ");
        out.extend_from_slice(&count(word.len()));
        out.extend_from_slice(word.as_bytes());
    }
    out.extend_from_slice(TAIL.as_bytes());
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_dictionary_is_spdy_3s() {
        let dictionary = dictionary();
        assert_eq!(dictionary.len(), 1423);
        // Its Adler-32, which a zlib stream primed with it names in its header.
        let (mut a, mut b) = (1u32, 0u32);
        for byte in &dictionary {
            a = (a + u32::from(*byte)) % 65521;
            b = (b + a) % 65521;
        }
        assert_eq!(b << 16 | a, 3_821_447_106);
    }

    #[test]
    fn header_blocks_and_frames_go_both_ways() {
        let (mut ours, mut theirs) = (HeaderCodec::default(), HeaderCodec::default());
        let headers: Headers = [("streamtype", "data"), ("port", "8000")]
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .into();
        for _ in 0..2 {
            let block = ours.write(&headers);
            assert_eq!(theirs.read(&block), Ok(headers.clone()));
        }
        let mut buffer = control(SYN_REPLY, 0, &[0, 0, 0, 1]);
        buffer.extend(data(1, FLAG_FIN, b"hi"));
        buffer.extend(&[0x80, 3]);
        assert_eq!(
            take_frame(&mut buffer),
            Ok(Some(Frame::Control {
                kind: SYN_REPLY,
                flags: 0,
                data: vec![0, 0, 0, 1]
            }))
        );
        assert_eq!(
            take_frame(&mut buffer),
            Ok(Some(Frame::Data {
                stream: 1,
                flags: FLAG_FIN,
                data: b"hi".to_vec()
            }))
        );
        assert_eq!(take_frame(&mut buffer), Ok(None), "half a frame waits");
    }
}

//! One container instance's output: a bounded ring of timestamped lines, and a live feed
//! for `kubectl logs -f` that ends when the instance does.

use jiff::Timestamp;
use std::collections::VecDeque;
use tokio::sync::broadcast;

/// How much output a container keeps. The kubelet rotates at 10 MiB; a learner never reads
/// that far back, and 10,000 pods must fit in memory.
const MAX_BYTES: usize = 64 * 1024;

/// One line of output.
#[derive(Debug, Clone, PartialEq)]
pub struct LogLine {
    /// When it was printed.
    pub time: Timestamp,
    /// The line, without its newline.
    pub text: String,
}

impl LogLine {
    /// The line as the kubelet serves it, with `timestamps=true` prefixing the RFC 3339
    /// time.
    pub fn render(&self, timestamps: bool) -> String {
        if timestamps {
            format!(
                "{} {}\n",
                self.time.strftime("%Y-%m-%dT%H:%M:%S.%9fZ"),
                self.text
            )
        } else {
            format!("{}\n", self.text)
        }
    }
}

/// The output of one container instance.
#[derive(Debug, Default)]
pub struct LogBuffer {
    lines: VecDeque<LogLine>,
    bytes: usize,
    /// Followers; dropped (ending their streams) when the instance ends.
    live: Option<broadcast::Sender<LogLine>>,
}

impl LogBuffer {
    /// Appends a line, dropping the oldest beyond the size bound.
    pub fn push(&mut self, line: LogLine) {
        self.bytes += line.text.len() + 1;
        if let Some(live) = &self.live {
            // No receivers is fine: nobody follows.
            let _ = live.send(line.clone());
        }
        self.lines.push_back(line);
        while self.bytes > MAX_BYTES {
            match self.lines.pop_front() {
                Some(old) => self.bytes -= old.text.len() + 1,
                None => break,
            }
        }
    }

    /// The lines kept, oldest first.
    pub fn lines(&self) -> impl Iterator<Item = &LogLine> {
        self.lines.iter()
    }

    /// A feed of the lines written from now on. `None` once the instance has ended.
    pub fn follow(&mut self, running: bool) -> Option<broadcast::Receiver<LogLine>> {
        if !running {
            return None;
        }
        Some(
            self.live
                .get_or_insert_with(|| broadcast::channel(1024).0)
                .subscribe(),
        )
    }

    /// Ends every follower's stream: the instance has exited.
    pub fn close(&mut self) {
        self.live = None;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn line(text: &str) -> LogLine {
        LogLine {
            time: Timestamp::UNIX_EPOCH,
            text: text.into(),
        }
    }

    #[test]
    fn keeps_the_newest_lines_within_the_bound() {
        let mut buffer = LogBuffer::default();
        let long = "x".repeat(1000);
        for _ in 0..200 {
            buffer.push(line(&long));
        }
        buffer.push(line("last"));
        let kept: Vec<_> = buffer.lines().collect();
        assert!(kept.len() < 100, "{} lines kept", kept.len());
        assert_eq!(kept.last().map(|l| l.text.as_str()), Some("last"));
    }

    #[tokio::test]
    async fn followers_see_new_lines_and_end_with_the_instance() {
        let mut buffer = LogBuffer::default();
        buffer.push(line("before"));
        let mut feed = buffer.follow(true).expect("running");
        buffer.push(line("after"));
        assert_eq!(feed.recv().await.expect("line").text, "after");
        buffer.close();
        assert!(feed.recv().await.is_err());
        assert!(buffer.follow(false).is_none());
    }

    #[test]
    fn timestamps_render_with_nanoseconds() {
        assert_eq!(
            line("hi").render(true),
            "1970-01-01T00:00:00.000000000Z hi\n"
        );
        assert_eq!(line("hi").render(false), "hi\n");
    }
}

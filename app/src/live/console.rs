//! The console's lines as the page shows them: each command the attendee ran and what it
//! has printed so far, folded from the stream's `consoleOutput` and `consoleExit`
//! messages (plain Rust, tested natively; the panel is `components::workspace::console`).

/// Output kept per line; past it, the oldest output goes (a `logs -f` left running for an
/// hour must not grow the page without end).
const OUTPUT: usize = 256 * 1024;
/// Lines kept; past it, the oldest go.
const ENTRIES: usize = 200;
/// The exit code of a command stopped by Ctrl-C, as a shell reports it.
const INTERRUPTED: i32 = 130;

/// What the console shows.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ConsoleLog {
    pub entries: Vec<ConsoleEntry>,
    next_id: u32,
    /// The object `kubectl edit` opened, while the attendee edits it.
    pub editing: Option<Editing>,
}

/// An object open in the console's editor (`kubectl edit`).
#[derive(Debug, Clone, PartialEq)]
pub struct Editing {
    /// The line that opened it.
    pub id: u32,
    /// `deployment.apps/web`.
    pub title: String,
    pub text: String,
}

/// One line the attendee ran (or a note of the console's own, such as completions).
#[derive(Debug, Clone, PartialEq)]
pub struct ConsoleEntry {
    /// The id the stream knows it by; `None` for a note.
    pub id: Option<u32>,
    pub command: String,
    pub output: String,
    /// `None` while it runs.
    pub exit_code: Option<i32>,
}

impl ConsoleEntry {
    pub fn running(&self) -> bool {
        self.id.is_some() && self.exit_code.is_none()
    }

    pub fn failed(&self) -> bool {
        self.exit_code.is_some_and(|c| c != 0)
    }
}

impl ConsoleLog {
    /// Adds a line about to be sent to the server; gives its id.
    pub fn start(&mut self, command: &str) -> u32 {
        self.next_id += 1;
        self.push(ConsoleEntry {
            id: Some(self.next_id),
            command: command.to_string(),
            output: String::new(),
            exit_code: None,
        });
        self.next_id
    }

    /// Adds a note (it runs nothing).
    pub fn note(&mut self, command: &str, output: String) {
        self.push(ConsoleEntry {
            id: None,
            command: command.to_string(),
            output,
            exit_code: Some(0),
        });
    }

    fn push(&mut self, entry: ConsoleEntry) {
        self.entries.push(entry);
        let excess = self.entries.len().saturating_sub(ENTRIES);
        self.entries.drain(..excess);
    }

    /// The line still running, if any.
    pub fn running(&self) -> Option<u32> {
        self.entries.iter().rev().find(|e| e.running())?.id
    }

    /// What line `id` printed next (nothing after it ended: what was on its way when
    /// Ctrl-C was pressed is not shown after the `^C`, as a terminal would not).
    pub fn output(&mut self, id: u32, text: &str) {
        let Some(entry) = self.entry(id).filter(|e| e.exit_code.is_none()) else {
            return;
        };
        entry.output.push_str(text);
        if entry.output.len() > OUTPUT {
            let cut = entry.output.ceil_char_boundary(entry.output.len() - OUTPUT);
            let cut = entry.output[cut..].find('\n').map_or(cut, |n| cut + n + 1);
            entry.output.replace_range(..cut, "");
        }
    }

    /// Line `id` ended (a second word on it, after an interrupt, changes nothing).
    pub fn exit(&mut self, id: u32, exit_code: i32) {
        if let Some(entry) = self.entry(id).filter(|e| e.exit_code.is_none()) {
            entry.exit_code = Some(exit_code);
        }
        self.drop_editor(id);
    }

    /// Line `id` (`kubectl edit`) opened `text` in the editor (again, with its errors,
    /// after a save that failed).
    pub fn edit(&mut self, id: u32, title: String, text: String) {
        if self.entry(id).is_some_and(|e| e.exit_code.is_none()) {
            self.editing = Some(Editing { id, title, text });
        }
    }

    /// The attendee saved or closed the editor: it closes; gives the line it answers.
    pub fn close_editor(&mut self) -> Option<u32> {
        self.editing.take().map(|e| e.id)
    }

    fn drop_editor(&mut self, id: u32) {
        if self.editing.as_ref().is_some_and(|e| e.id == id) {
            self.editing = None;
        }
    }

    /// Ctrl-C on line `id`: it ends at once, as in a terminal, with a shell's exit code
    /// for an interrupted command (the server's word that it stopped changes nothing).
    pub fn interrupt(&mut self, id: u32) {
        if let Some(entry) = self.entry(id).filter(|e| e.exit_code.is_none()) {
            entry.output.push_str("^C\n");
            entry.exit_code = Some(INTERRUPTED);
        }
        self.drop_editor(id);
    }

    /// The stream dropped: the server stopped every running line with it.
    pub fn lost(&mut self) {
        for entry in self.entries.iter_mut().filter(|e| e.running()) {
            entry
                .output
                .push_str("(the connection to the server dropped; the command stopped)\n");
            entry.exit_code = Some(1);
        }
        self.editing = None;
    }

    pub fn clear(&mut self) {
        self.entries.clear();
    }

    fn entry(&mut self, id: u32) -> Option<&mut ConsoleEntry> {
        self.entries.iter_mut().rev().find(|e| e.id == Some(id))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn output_arrives_in_pieces_until_the_line_exits() {
        let mut log = ConsoleLog::default();
        let id = log.start("kubectl get pods -w");
        assert_eq!(log.running(), Some(id));
        log.output(id, "NAME   READY\n");
        log.output(id, "web    0/1\n");
        log.output(id + 7, "not ours\n");
        assert_eq!(log.entries[0].output, "NAME   READY\nweb    0/1\n");
        log.interrupt(id);
        log.output(id, "web    1/1\n");
        log.exit(id, 0);
        let entry = &log.entries[0];
        assert_eq!(entry.output, "NAME   READY\nweb    0/1\n^C\n");
        assert_eq!(entry.exit_code, Some(130));
        assert!(entry.failed() && log.running().is_none());
    }

    #[test]
    fn a_long_follow_keeps_its_newest_output_in_whole_lines() {
        let mut log = ConsoleLog::default();
        let id = log.start("kubectl logs -f web");
        let line = "x".repeat(99) + "\n";
        for _ in 0..3000 {
            log.output(id, &line);
        }
        let output = &log.entries[0].output;
        assert!(output.len() <= OUTPUT);
        assert!(output.starts_with('x') && output.ends_with('\n'));
    }

    #[test]
    fn the_editor_is_open_while_its_line_runs() {
        let mut log = ConsoleLog::default();
        let id = log.start("kubectl edit deploy/web");
        log.edit(id + 1, "deployment.apps/other".into(), "x".into());
        assert_eq!(log.editing, None, "only a running line opens it");
        log.edit(
            id,
            "deployment.apps/web".into(),
            "kind: Deployment\n".into(),
        );
        assert_eq!(log.close_editor(), Some(id));
        assert_eq!(log.close_editor(), None);
        log.edit(id, "deployment.apps/web".into(), "# error\n".into());
        log.exit(id, 0);
        assert_eq!(log.editing, None, "it closes with its line");
        let again = log.start("kubectl edit deploy/web");
        log.edit(again, "deployment.apps/web".into(), "y".into());
        log.interrupt(again);
        assert_eq!(log.editing, None, "Ctrl-C closes it too");
    }

    #[test]
    fn a_dropped_stream_ends_what_runs_and_notes_stay_notes() {
        let mut log = ConsoleLog::default();
        log.note("kubectl ge", "get\n".into());
        let id = log.start("kubectl logs -f web");
        log.lost();
        assert_eq!(log.entries[1].exit_code, Some(1));
        assert!(log.entries[1].output.contains("connection"));
        assert!(!log.entries[0].running() && log.running().is_none());
        assert_ne!(log.start("kubectl get pods"), id, "ids are never reused");
    }
}

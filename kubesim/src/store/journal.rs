//! Durable state, as etcd gives kube-apiserver: every change is appended to a write-ahead
//! log and flushed to disk before it is acknowledged; start-up loads the last snapshot and
//! replays the log after it. A torn last line (a crash mid-write) was never acknowledged
//! and is dropped. The log is folded into a fresh snapshot at start-up and every
//! [`COMPACT_EVERY`] entries.

use super::event::{Event, EventType};
use super::key::Key;
use serde_json::{Value, json};
use std::collections::BTreeMap;
use std::fs::{self, File, OpenOptions};
use std::io::{self, BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// Log entries between snapshots.
pub const COMPACT_EVERY: usize = 20_000;

const SNAPSHOT: &str = "snapshot.json";
const LOG: &str = "wal.jsonl";

/// The open log of a data directory.
#[derive(Debug)]
pub struct Journal {
    dir: PathBuf,
    log: File,
    entries: usize,
}

/// What a data directory held.
#[derive(Debug, Default)]
pub struct Recovered {
    /// The last version recorded.
    pub resource_version: u64,
    /// The objects as of that version.
    pub objects: BTreeMap<Key, Arc<Value>>,
}

impl Journal {
    /// Opens (creating if needed) `dir`, recovers its state, and compacts it.
    pub fn open(dir: &Path) -> io::Result<(Journal, Recovered)> {
        fs::create_dir_all(dir)?;
        let mut state = read_snapshot(&dir.join(SNAPSHOT))?;
        replay(&dir.join(LOG), &mut state)?;
        write_snapshot(dir, &state)?;
        let log = OpenOptions::new()
            .create(true)
            .write(true)
            .truncate(true)
            .open(dir.join(LOG))?;
        log.sync_all()?;
        Ok((
            Journal {
                dir: dir.into(),
                log,
                entries: 0,
            },
            state,
        ))
    }

    /// Appends one change and waits until it is on disk.
    pub fn append(&mut self, event: &Event) -> io::Result<()> {
        let k = &event.key;
        let line = json!({
            "rv": event.resource_version,
            "type": event.kind.as_str(),
            "key": [k.group, k.resource, k.namespace, k.name],
            "object": &*event.object,
        });
        let mut bytes = serde_json::to_vec(&line)?;
        bytes.push(b'\n');
        self.log.write_all(&bytes)?;
        self.log.sync_data()?;
        self.entries += 1;
        Ok(())
    }

    /// Whether the log has grown enough to fold into a snapshot.
    pub fn wants_compaction(&self) -> bool {
        self.entries >= COMPACT_EVERY
    }

    /// Writes `state` as the new snapshot and empties the log.
    pub fn compact(
        &mut self,
        resource_version: u64,
        objects: &BTreeMap<Key, Arc<Value>>,
    ) -> io::Result<()> {
        let state = Recovered {
            resource_version,
            objects: objects.clone(),
        };
        write_snapshot(&self.dir, &state)?;
        self.log.set_len(0)?;
        self.log.sync_all()?;
        self.entries = 0;
        Ok(())
    }
}

fn read_snapshot(path: &Path) -> io::Result<Recovered> {
    let text = match fs::read_to_string(path) {
        Ok(text) => text,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(Recovered::default()),
        Err(e) => return Err(e),
    };
    let value: Value = serde_json::from_str(&text).map_err(|e| {
        io::Error::new(
            io::ErrorKind::InvalidData,
            format!("{}: {e}", path.display()),
        )
    })?;
    let mut state = Recovered {
        resource_version: value["resourceVersion"].as_u64().unwrap_or(0),
        objects: BTreeMap::new(),
    };
    for entry in value["objects"].as_array().into_iter().flatten() {
        if let Some(key) = key_of(&entry["key"]) {
            state.objects.insert(key, Arc::new(entry["object"].clone()));
        }
    }
    Ok(state)
}

fn replay(path: &Path, state: &mut Recovered) -> io::Result<()> {
    let file = match File::open(path) {
        Ok(f) => f,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(()),
        Err(e) => return Err(e),
    };
    for line in BufReader::new(file).lines() {
        let line = line?;
        // A line that does not parse can only be the torn last write of a crash.
        let Ok(entry) = serde_json::from_str::<Value>(&line) else {
            break;
        };
        let (Some(rv), Some(key)) = (entry["rv"].as_u64(), key_of(&entry["key"])) else {
            break;
        };
        if rv <= state.resource_version {
            continue;
        }
        state.resource_version = rv;
        if entry["type"] == EventType::Deleted.as_str() {
            state.objects.remove(&key);
        } else {
            state.objects.insert(key, Arc::new(entry["object"].clone()));
        }
    }
    Ok(())
}

fn write_snapshot(dir: &Path, state: &Recovered) -> io::Result<()> {
    let objects: Vec<Value> = state
        .objects
        .iter()
        .map(|(k, v)| json!({"key": [k.group, k.resource, k.namespace, k.name], "object": &**v}))
        .collect();
    let tmp = dir.join(format!("{SNAPSHOT}.tmp"));
    let mut file = File::create(&tmp)?;
    serde_json::to_writer(
        &mut file,
        &json!({"resourceVersion": state.resource_version, "objects": objects}),
    )?;
    file.sync_all()?;
    fs::rename(&tmp, dir.join(SNAPSHOT))?;
    // Make the rename itself durable.
    File::open(dir)?.sync_all()
}

fn key_of(value: &Value) -> Option<Key> {
    match value.as_array()?.as_slice() {
        [g, r, n, name] => Some(Key::new(
            g.as_str()?,
            r.as_str()?,
            n.as_str()?,
            name.as_str()?,
        )),
        _ => None,
    }
}

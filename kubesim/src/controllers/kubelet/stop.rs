//! Stopping a container as the kubelet does, when its pod is deleted or a liveness or
//! startup probe has failed: the `Killing` event, the preStop hook, then the stop signal.
//! The program exits in its own time (its model's: nginx in a moment, mysqld after
//! flushing) or, when it ignores the signal as a shell running as PID 1 does, is killed
//! when the grace period ends (exit code 137). A deleted pod stays Terminating meanwhile
//! and goes once every container has stopped; a container a probe failed starts again.

use super::container::{Container, Env, Stage, Then, pod_grace};
use super::hooks;
use std::time::Duration;
use tokio::time::Instant;

/// The least time the kubelet leaves between the stop signal and the kill, even when the
/// preStop hook used up the grace period or a deletion asked for less (the kubelet's
/// `minimumGracePeriodInSeconds`).
const MINIMUM_GRACE: Duration = Duration::from_secs(2);

/// 128 + SIGKILL (9): the code of a process killed when its grace period ended.
const KILLED: i32 = 137;

impl Container {
    /// Begins stopping the running container: the `Killing` event saying `why`, then the
    /// preStop hook; the grace period ends at `kill_at`; `then` says what follows.
    pub(super) fn begin_stop(
        &mut self,
        env: &mut Env,
        since: Instant,
        why: &str,
        kill_at: Instant,
        then: Then,
    ) {
        env.event(&self.name, false, "Killing", why);
        self.dirty = true;
        let pre_stop = &self.spec["lifecycle"]["preStop"];
        if pre_stop.is_object() {
            let ran = self.run_hook(env, pre_stop);
            if ran.is_err() {
                // The kubelet keeps the hook's message out of events: it may hold secrets.
                env.event(&self.name, true, "FailedPreStopHook", "PreStopHook failed");
            }
        }
        self.stage = Stage::Stopping {
            since,
            signal_at: (env.now + hooks::handler_time(pre_stop)).min(kill_at),
            kill_at,
            signalled: false,
            exits: None,
            then,
        };
    }

    /// Its image changed: a running instance is stopped (with the pod's grace period) and
    /// started again from the new image; one waiting for its image or its next start
    /// starts over with the new one at once. A finished one stays finished.
    pub(super) fn replace(&mut self, env: &mut Env) {
        let why = format!(
            "Container {} definition changed, will be restarted",
            self.name
        );
        let kill_at = env.now + pod_grace(env.pod());
        match &mut self.stage {
            Stage::Running { since, .. } => {
                let since = *since;
                self.begin_stop(env, since, &why, kill_at, Then::Replace);
            }
            Stage::Stopping { then, .. } if *then != Then::Stay => *then = Then::Replace,
            Stage::Stopping { .. } | Stage::Done => {}
            _ => {
                self.image = None;
                self.stage = Stage::New;
                self.dirty = true;
            }
        }
    }

    /// Moves a container of a deleted pod towards stopped; the pod's grace period ends
    /// at `kill_at` (a second deletion may bring it nearer). Returns when it next needs
    /// a step (`None`: it has stopped).
    pub(super) fn stop_for_deletion(&mut self, env: &mut Env, kill_at: Instant) -> Option<Instant> {
        match &mut self.stage {
            Stage::Running { since, .. } => {
                let (since, why) = (*since, format!("Stopping container {}", self.name));
                self.begin_stop(env, since, &why, kill_at, Then::Stay);
            }
            Stage::Stopping {
                signal_at,
                kill_at: ends,
                then,
                ..
            } => {
                *signal_at = (*signal_at).min(kill_at);
                *ends = (*ends).min(kill_at);
                *then = Then::Stay;
            }
            Stage::Done => return None,
            // Not running (pulling, backing off, never started): nothing to stop.
            _ => {
                env.runtime.stop(&self.key(env));
                self.stage = Stage::Done;
                self.dirty = true;
                return None;
            }
        }
        self.advance_stop(env);
        self.stop_due()
    }

    /// Does what is due of stopping: the signal once the hook is done, the record once
    /// the program has exited or been killed.
    pub(super) fn advance_stop(&mut self, env: &mut Env) {
        let now = env.now;
        let key = self.key(env);
        if let Stage::Stopping {
            signal_at,
            signalled: signalled @ false,
            exits,
            ..
        } = &mut self.stage
            && now >= *signal_at
        {
            let stopping = env.runtime.signal(&key);
            *exits = stopping.map(|s| (*signal_at + s.after, s.code));
            *signalled = true;
        }
        let Some(at) = self.stop_due().filter(|at| now >= *at) else {
            return;
        };
        let Stage::Stopping {
            since, exits, then, ..
        } = std::mem::replace(&mut self.stage, Stage::Done)
        else {
            return;
        };
        let code = match exits {
            Some((exit_at, code)) if exit_at <= at => code,
            _ => KILLED,
        };
        let reason = if code == 0 { "Completed" } else { "Error" };
        self.dirty = true;
        match then {
            Then::Stay => self.record_exit(env, code, reason),
            Then::Restart => self.terminate(env, since, code, reason),
            Then::Replace => {
                self.record_exit(env, code, reason);
                self.restarts += 1;
                self.image = None;
                self.stage = Stage::New;
            }
        }
    }

    /// When stopping next needs a step: the signal, or the exit (the program's own, or
    /// the kill when the grace period ends, never sooner than [`MINIMUM_GRACE`] after the
    /// signal).
    pub(super) fn stop_due(&self) -> Option<Instant> {
        let Stage::Stopping {
            signal_at,
            kill_at,
            signalled,
            exits,
            ..
        } = &self.stage
        else {
            return None;
        };
        if !signalled {
            return Some(*signal_at);
        }
        let killed = (*kill_at).max(*signal_at + MINIMUM_GRACE);
        Some(exits.map_or(killed, |(at, _)| at.min(killed)))
    }
}

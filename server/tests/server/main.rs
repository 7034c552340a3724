//! The server's integration tests, in one binary (one link instead of four).

mod checks;
mod console;
mod editions;
mod embed;
mod finalizers;
mod hardening;
mod helping;
mod inspect;
mod isolation;
mod lessons;
mod pacing;
mod pool;
mod preflight;
mod properties;
mod real;
mod room_actions;
mod room_support;
mod room_watch;
mod rooms;
mod roster;
mod routes;
mod stream;
mod support;
mod trainers;
mod trouble;
mod workspace;

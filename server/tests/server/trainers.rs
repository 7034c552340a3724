//! Trainer accounts: the command line that makes them and their tokens, the sign-in
//! form, and the rule every trainer route keeps: attendees and strangers get 401, a
//! sign-in from another site or a flood of guesses is refused, and what trainers do is
//! written to the audit log.

use super::support::{
    app, content_dir, cookie_of, new_attendee, request, send, state, state_with_limits,
};
use server::config::LimitsConfig;
use server::db::Database;
use server::trainer::credentials;
use std::process::Command;

/// `kubeclass trainer …` on a database in `dir`, the password in the environment.
fn kubeclass(dir: &std::path::Path, args: &[&str], password: &str) -> (bool, String) {
    let output = Command::new(env!("CARGO_BIN_EXE_kubeclass"))
        .arg("--content-dir")
        .arg(content_dir())
        .arg("--data-dir")
        .arg(dir)
        .args(args)
        .env("KUBECLASS_TRAINER_PASSWORD", password)
        .output()
        .expect("kubeclass runs");
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    (output.status.success(), text)
}

#[tokio::test]
async fn the_command_line_makes_trainers_and_tokens_kept_hashed() {
    let dir = std::env::temp_dir().join(format!("kubeclass-trainers-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let (ok, said) = kubeclass(&dir, &["trainer", "add", "grace"], "short");
    assert!(!ok && said.contains("at least 12 characters"), "{said}");
    let (ok, said) = kubeclass(&dir, &["trainer", "add", "grace"], "a long enough password");
    assert!(ok && said.contains("trainer grace added"), "{said}");
    let (ok, said) = kubeclass(
        &dir,
        &["trainer", "add", "no/slashes"],
        "a long enough password",
    );
    assert!(!ok && said.contains("1 to 64 letters"), "{said}");
    let (ok, token) = kubeclass(&dir, &["trainer", "token", "grace"], "");
    let token = token.trim().to_string();
    assert!(
        ok && token.starts_with(credentials::TOKEN_PREFIX),
        "{token}"
    );
    let (ok, said) = kubeclass(&dir, &["trainer", "token", "nobody"], "");
    assert!(!ok && said.contains("no trainer nobody"), "{said}");

    let clock: server::clock::SharedClock = std::sync::Arc::new(server::clock::SystemClock);
    let db = Database::open(&dir.join("kubeclass.db").to_string_lossy(), clock)
        .await
        .expect("db");
    let hash = db
        .trainer_password("grace")
        .await
        .expect("read")
        .expect("grace");
    assert!(hash.starts_with("$argon2id$") && !hash.contains("a long enough password"));
    assert!(credentials::verify_password(
        "a long enough password",
        Some(&hash)
    ));
    let database = std::fs::read(dir.join("kubeclass.db")).expect("file");
    let plain = token.as_bytes();
    assert!(
        !database.windows(plain.len()).any(|w| w == plain),
        "the token itself is not stored"
    );
    assert_eq!(
        db.trainer_of_token(&credentials::digest(&token))
            .await
            .expect("token")
            .as_deref(),
        Some("grace")
    );
    let actions: Vec<String> = db
        .audit_log("grace", 10)
        .await
        .expect("log")
        .into_iter()
        .map(|e| e.action)
        .collect();
    assert_eq!(actions, ["account added", "token made"]);
    let _ = std::fs::remove_dir_all(&dir);
}

const FORM: (&str, &str) = ("content-type", "application/x-www-form-urlencoded");
const SAME_SITE: (&str, &str) = ("origin", "http://localhost:3000");

#[tokio::test]
async fn trainers_sign_in_and_everyone_else_is_refused() {
    let cluster = kubesim::Cluster::builder().build().expect("cluster");
    let state = state(":memory:", &cluster).await;
    let hash = credentials::hash_password("a long enough password").expect("hash");
    state.db.put_trainer("grace", &hash).await.expect("grace");
    let router = app(state.clone());

    // Nobody, and an attendee with a session, are refused.
    let (status, headers, body) = send(&router, request("GET", "/api/trainer/me", &[], "")).await;
    assert_eq!(status, 401, "{body}");
    assert!(body.contains("trainers only"), "{body}");
    assert_eq!(
        headers["www-authenticate"],
        r#"Bearer realm="kubeclass trainers""#
    );
    assert!(
        headers.get("set-cookie").is_none(),
        "refusing makes no session"
    );
    let attendee = new_attendee(&router).await;
    for path in ["/api/trainer/me", "/api/trainer/audit"] {
        let (status, _, _) =
            send(&router, request("GET", path, &[("cookie", &attendee)], "")).await;
        assert_eq!(status, 401, "{path}");
    }
    let (status, _, _) = send(
        &router,
        request(
            "POST",
            "/trainer/logout",
            &[("cookie", &attendee), SAME_SITE],
            "",
        ),
    )
    .await;
    assert_eq!(status, 401);

    // A wrong password goes back to the form, which says so; the attempt is audited.
    let wrong = "name=grace&password=not+the+password";
    let (status, headers, _) = send(
        &router,
        request("POST", "/trainer/login", &[FORM, SAME_SITE], wrong),
    )
    .await;
    assert_eq!(status, 303);
    assert_eq!(headers["location"], "/trainer/login?failed");
    let unknown = "name=nobody&password=a+long+enough+password";
    let (_, headers, _) = send(
        &router,
        request("POST", "/trainer/login", &[FORM, SAME_SITE], unknown),
    )
    .await;
    assert_eq!(
        headers["location"], "/trainer/login?failed",
        "an unknown name reads the same"
    );

    // From another site the form is refused whatever it holds.
    let right = "name=grace&password=a+long+enough+password";
    let (status, _, _) = send(
        &router,
        request(
            "POST",
            "/trainer/login",
            &[FORM, ("origin", "http://evil.example")],
            right,
        ),
    )
    .await;
    assert_eq!(status, 403);

    // The right password signs the attendee's browser in under a new session id.
    let (status, headers, _) = send(
        &router,
        request(
            "POST",
            "/trainer/login",
            &[FORM, SAME_SITE, ("cookie", &attendee)],
            right,
        ),
    )
    .await;
    assert_eq!(status, 303);
    assert_eq!(headers["location"], "/trainer");
    let trainer = cookie_of(&headers);
    assert_ne!(trainer, attendee, "a new session id on sign-in");
    let (status, _, body) = send(
        &router,
        request("GET", "/api/trainer/me", &[("cookie", &trainer)], ""),
    )
    .await;
    assert_eq!(
        (status.as_u16(), body.as_str()),
        (200, r#"{"name":"grace"}"#)
    );
    let (status, _, _) = send(
        &router,
        request("GET", "/api/trainer/me", &[("cookie", &attendee)], ""),
    )
    .await;
    assert_eq!(status, 401, "the old session id signs nobody in");

    // An API token speaks for its trainer; anything else in the header is refused.
    let token = credentials::new_token();
    state
        .db
        .add_trainer_token("grace", &credentials::digest(&token))
        .await
        .expect("token");
    let bearer = format!("Bearer {token}");
    let (status, _, body) = send(
        &router,
        request("GET", "/api/trainer/me", &[("authorization", &bearer)], ""),
    )
    .await;
    assert_eq!(
        (status.as_u16(), body.as_str()),
        (200, r#"{"name":"grace"}"#)
    );
    let forged = format!("Bearer {}", credentials::new_token());
    for value in [forged.as_str(), "Basic Z3JhY2U6eA==", "Bearer "] {
        let (status, _, _) = send(
            &router,
            request(
                "GET",
                "/api/trainer/me",
                &[("authorization", value), ("cookie", &trainer)],
                "",
            ),
        )
        .await;
        assert_eq!(status, 401, "{value}");
    }

    // Signing out ends it; the audit log has every step, the trainer's own only.
    let (status, _, _) = send(
        &router,
        request(
            "POST",
            "/trainer/logout",
            &[("cookie", &trainer), SAME_SITE],
            "",
        ),
    )
    .await;
    assert_eq!(status, 303);
    let (status, _, _) = send(
        &router,
        request("GET", "/api/trainer/me", &[("cookie", &trainer)], ""),
    )
    .await;
    assert_eq!(status, 401);
    let (_, _, body) = send(
        &router,
        request(
            "GET",
            "/api/trainer/audit",
            &[("authorization", &bearer)],
            "",
        ),
    )
    .await;
    let log: Vec<serde_json::Value> = serde_json::from_str(&body).expect("json");
    let actions: Vec<&str> = log.iter().filter_map(|e| e["action"].as_str()).collect();
    assert_eq!(actions, ["login refused", "login", "logout"], "{body}");
    assert!(log.iter().all(|e| e["trainer"] == "grace"));
}

#[tokio::test]
async fn the_sign_in_page_is_a_form_that_is_never_framed() {
    let cluster = kubesim::Cluster::builder().build().expect("cluster");
    let router = app(state(":memory:", &cluster).await);
    let (status, headers, body) =
        send(&router, request("GET", "/trainer/login?failed", &[], "")).await;
    assert_eq!(status, 200);
    assert!(
        body.contains(r#"<form method="post" action="/trainer/login""#),
        "{body}"
    );
    assert!(body.contains(r#"type="password""#));
    assert!(body.contains("do not match a trainer account"));
    assert_eq!(headers["x-frame-options"], "DENY");
    let policy = headers["content-security-policy"].to_str().expect("ascii");
    assert!(policy.contains("frame-ancestors 'none'"), "{policy}");
    for (path, says) in [
        ("/trainer", "Your rooms"),
        ("/trainer/rooms/someroom", "Loading the room"),
    ] {
        let (status, headers, body) = send(&router, request("GET", path, &[], "")).await;
        assert_eq!(status, 200, "{path}");
        assert!(body.contains(says), "{path}: {body}");
        assert_eq!(headers["x-frame-options"], "DENY", "{path}");
    }
}

#[tokio::test]
async fn guessing_passwords_is_slowed_per_address() {
    let cluster = kubesim::Cluster::builder().build().expect("cluster");
    let limits = LimitsConfig {
        logins_per_minute: 3,
        ..LimitsConfig::default()
    };
    let router = app(state_with_limits(":memory:", &cluster, limits).await);
    let guess = "name=grace&password=guess+number+one";
    for _ in 0..3 {
        let (status, _, _) = send(
            &router,
            request("POST", "/trainer/login", &[FORM, SAME_SITE], guess),
        )
        .await;
        assert_eq!(status, 303);
    }
    let (status, _, body) = send(
        &router,
        request("POST", "/trainer/login", &[FORM, SAME_SITE], guess),
    )
    .await;
    assert_eq!(status, 429, "{body}");
    assert!(body.contains("too many sign-in attempts"), "{body}");
}

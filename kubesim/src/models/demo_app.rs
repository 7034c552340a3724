//! `kubeclass/demo-app`'s hook: the parts of the lessons' app that are computed. Its
//! description (ports, greeting, `/configmap`, `/secret`, log lines) is data in
//! `images.yaml`; the contract both follow is `deploy/demo-app/README.md` (the real
//! program implements it and one test suite checks both).

use super::described::Hook;
use super::http::{HttpRequest, HttpResponse};
use super::load::Burns;
use super::process::{Context, Surroundings};
use std::collections::BTreeMap;
use std::time::Duration;

/// The hook of a running demo app: its settings and the CPU `/stress` burns.
#[derive(Debug)]
pub struct DemoApp {
    /// Seconds `/healthz` fails after start (`STARTUP_SECONDS`, 10 by default).
    startup: u64,
    /// Seconds after which `/healthz` fails for good (`LIFETIME_SECONDS`, else the tag's
    /// `default_lifetime` variable).
    lifetime: Option<u64>,
    burns: Burns,
}

impl DemoApp {
    /// The app as its environment (and its tag's `vars`) configure it.
    pub fn new(context: &Context, vars: &BTreeMap<String, String>) -> DemoApp {
        let startup = context.env_u64("STARTUP_SECONDS", 10);
        let lifetime = match context.env("LIFETIME_SECONDS") {
            Some(v) => v.trim().parse().ok(),
            None => vars.get("default_lifetime").and_then(|l| l.parse().ok()),
        };
        DemoApp {
            startup,
            lifetime,
            burns: Burns::default(),
        }
    }
}

impl Hook for DemoApp {
    fn vars(&self) -> Vec<(String, String)> {
        let mut vars = vec![("startup".to_string(), self.startup.to_string())];
        vars.extend(
            self.lifetime
                .map(|l| ("lifetime".to_string(), l.to_string())),
        );
        vars
    }

    fn answer(
        &mut self,
        age: Duration,
        request: &HttpRequest,
        around: &dyn Surroundings,
    ) -> HttpResponse {
        let up = age.as_secs();
        match request.route() {
            "/healthz" => health(up, self.startup, self.lifetime),
            "/stress" => {
                let seconds = request
                    .param("seconds")
                    .and_then(|s| s.parse::<u64>().ok())
                    .unwrap_or(5)
                    .min(60);
                self.burns.add(age, seconds, 1000);
                HttpResponse::text(200, format!("burned CPU for {seconds}s\n"))
            }
            "/api-access" => {
                let mut text = String::new();
                for plural in ["pods", "services"] {
                    let (code, message) = around.list_as_pod(plural);
                    if code == 200 {
                        text.push_str(&format!("{plural}: allowed ({code})\n"));
                    } else {
                        text.push_str(&format!("{plural}: refused ({code}): {message}\n"));
                    }
                }
                HttpResponse::text(200, text)
            }
            _ => HttpResponse::text(404, "404 page not found\n"),
        }
    }

    fn extra_cpu(&self, age: Duration) -> i64 {
        self.burns.at(age)
    }

    fn add_load(&mut self, age: Duration, millicores: i64, seconds: u64) {
        self.burns.add(age, seconds, millicores);
    }
}

/// `/healthz` after `up` seconds: failing while starting and after the lifetime.
fn health(up: u64, startup: u64, lifetime: Option<u64>) -> HttpResponse {
    if up < startup {
        return HttpResponse::text(
            500,
            format!("starting: up {up}s, healthy after {startup}s\n"),
        );
    }
    if let Some(lifetime) = lifetime.filter(|l| up >= *l) {
        return HttpResponse::text(500, format!("expired: up {up}s, lifetime {lifetime}s\n"));
    }
    HttpResponse::text(200, format!("ok: up {up}s\n"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::models::catalog::catalog;
    use crate::models::described::Described;
    use crate::models::process::Process;

    /// The port the app listens on.
    const PORT: u16 = 8000;

    /// The published tags.
    #[derive(Clone, Copy)]
    enum Version {
        V1_0,
        V1_1,
        V2_0,
    }

    struct Nothing;
    impl Surroundings for Nothing {
        fn list_as_pod(&self, plural: &str) -> (u16, String) {
            if plural == "pods" {
                (200, String::new())
            } else {
                (403, "forbidden".into())
            }
        }
        fn http(
            &self,
            url: &str,
            _: &HttpRequest,
        ) -> Result<HttpResponse, crate::models::Unreachable> {
            Err(crate::models::Unreachable::Unresolved { host: url.into() })
        }
    }

    fn app(version: Version, env: &[(&str, &str)]) -> Described {
        let mut context = Context::default();
        for (k, v) in env {
            context.env.insert((*k).into(), (*v).into());
        }
        context
            .files
            .insert("/app/myfamily/family.txt".into(), "Alice\nBob\n".into());
        let tag = match version {
            Version::V1_0 => "1.0",
            Version::V1_1 => "1.1",
            Version::V2_0 => "2.0",
        };
        let catalog = catalog();
        let image = catalog
            .image("docker.io/kubeclass/demo-app")
            .expect("image");
        let vars = image.tag_vars(tag).expect("tag");
        let hook = DemoApp::new(&context, &vars);
        let model = catalog.model("demo-app").expect("model");
        Described::new(model, context, vars, Some(Box::new(hook)))
    }

    fn get(app: &mut Described, secs: u64, path: &str) -> HttpResponse {
        app.http(
            Duration::from_secs(secs),
            PORT,
            &HttpRequest::get(path, "test", "10.0.0.1"),
            &Nothing,
            &mut Vec::new(),
        )
        .expect("listens")
    }

    #[test]
    fn greets_reads_config_and_secrets() {
        let mut a = app(
            Version::V1_0,
            &[
                ("NAME", "Ada"),
                ("AGE", "36"),
                ("USER", "u"),
                ("PASSWORD", "p"),
            ],
        );
        assert_eq!(get(&mut a, 0, "/").body, "Hello, I'm Ada. I'm 36.\n");
        assert_eq!(get(&mut a, 0, "/configmap").body, "Alice\nBob\n");
        assert_eq!(get(&mut a, 0, "/secret").body, "User: u. Password: p.\n");
        let mut b = app(Version::V1_1, &[]);
        assert_eq!(get(&mut b, 0, "/").body, "Hi, I'm unknown.\n");
        assert_eq!(get(&mut b, 0, "/nope").status, 404);
    }

    #[test]
    fn healthz_fails_while_starting_and_after_a_lifetime() {
        let mut a = app(Version::V1_0, &[("STARTUP_SECONDS", "5")]);
        assert_eq!(get(&mut a, 4, "/healthz").status, 500);
        assert_eq!(get(&mut a, 5, "/healthz").status, 200);
        assert_eq!(get(&mut a, 5000, "/healthz").status, 200);
        let mut b = app(Version::V2_0, &[]);
        assert_eq!(get(&mut b, 29, "/healthz").status, 200);
        assert_eq!(get(&mut b, 30, "/healthz").status, 500);
    }

    #[test]
    fn stress_burns_cpu_for_its_duration() {
        let mut a = app(Version::V1_0, &[]);
        get(&mut a, 10, "/stress?seconds=2");
        assert_eq!(a.usage(Duration::from_secs(11)).cpu_milli, 1001);
        assert_eq!(a.usage(Duration::from_secs(12)).cpu_milli, 1);
    }

    #[test]
    fn api_access_reports_what_the_api_allowed() {
        let mut a = app(Version::V1_0, &[]);
        assert_eq!(
            get(&mut a, 0, "/api-access").body,
            "pods: allowed (200)\nservices: refused (403): forbidden\n"
        );
    }

    #[test]
    fn announces_its_version_and_health_settings() {
        let mut out = Vec::new();
        app(Version::V2_0, &[]).advance(Duration::ZERO, &Nothing, &mut out);
        app(Version::V1_0, &[("STARTUP_SECONDS", "3")]).advance(Duration::ZERO, &Nothing, &mut out);
        assert_eq!(
            out,
            [
                "demo-app 2.0 listening on :8000 (healthy after 10s, lifetime 30s)",
                "demo-app 1.0 listening on :8000 (healthy after 3s)"
            ]
        );
        let mut log = Vec::new();
        let mut a = app(Version::V1_0, &[]);
        for agent in ["kube-probe/1.32", "curl/8.11.0"] {
            let request = HttpRequest::get("/healthz", agent, "10.0.0.1");
            a.http(Duration::ZERO, PORT, &request, &Nothing, &mut log);
        }
        assert_eq!(log, ["10.0.0.1 \"GET /healthz\" 500 \"curl/8.11.0\""]);
    }
}

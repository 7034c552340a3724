//! `kubeclass/demo-app`: the lessons' HTTP app, modelled on the contract in
//! `deploy/demo-app/README.md` (the real program implements the same contract and one
//! test suite checks both).

use super::{Burns, Context, Exit, HttpRequest, HttpResponse, MIB, Process, Surroundings, Usage};
use std::time::Duration;

/// The port the app listens on.
pub const PORT: u16 = 8000;

/// The published tags.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Version {
    V1_0,
    /// Greets with "Hi" instead of "Hello": a visible change for a rollout.
    V1_1,
    /// `/healthz` fails for good after 30 s unless `LIFETIME_SECONDS` says otherwise.
    V2_0,
}

impl Version {
    /// The version a tag names.
    pub fn from_tag(tag: &str) -> Option<Version> {
        match tag {
            "1.0" => Some(Version::V1_0),
            "1.1" => Some(Version::V1_1),
            "2.0" => Some(Version::V2_0),
            _ => None,
        }
    }

    /// The tag.
    pub fn tag(self) -> &'static str {
        match self {
            Version::V1_0 => "1.0",
            Version::V1_1 => "1.1",
            Version::V2_0 => "2.0",
        }
    }
}

/// A running demo app.
#[derive(Debug)]
pub struct DemoApp {
    version: Version,
    context: Context,
    startup: u64,
    lifetime: Option<u64>,
    burns: Burns,
    announced: bool,
}

impl DemoApp {
    /// The app as its environment configures it.
    pub fn new(version: Version, context: Context) -> DemoApp {
        let startup = context.env_u64("STARTUP_SECONDS", 10);
        let lifetime = match context.env("LIFETIME_SECONDS") {
            Some(v) => v.trim().parse().ok(),
            None if version == Version::V2_0 => Some(30),
            None => None,
        };
        DemoApp {
            version,
            context,
            startup,
            lifetime,
            burns: Burns::default(),
            announced: false,
        }
    }

    fn answer(
        &mut self,
        age: Duration,
        request: &HttpRequest,
        around: &dyn Surroundings,
    ) -> HttpResponse {
        let up = age.as_secs();
        match request.route() {
            "/" => {
                let hello = if self.version == Version::V1_1 {
                    "Hi"
                } else {
                    "Hello"
                };
                let name = self.context.env("NAME").unwrap_or("unknown");
                let mut text = format!("{hello}, I'm {name}.");
                if let Some(age) = self.context.env("AGE") {
                    text.push_str(&format!(" I'm {age}."));
                }
                HttpResponse::text(200, text + "\n")
            }
            "/configmap" => {
                let path = self
                    .context
                    .env("CONFIG_FILE")
                    .unwrap_or("/app/myfamily/family.txt");
                match self.context.files.get(path) {
                    Some(content) => HttpResponse::text(200, content.clone()),
                    None => HttpResponse::text(404, format!("no file at {path}\n")),
                }
            }
            "/secret" => {
                let user = self.context.env("USER").unwrap_or("unknown");
                let password = self.context.env("PASSWORD").unwrap_or("unknown");
                HttpResponse::text(200, format!("User: {user}. Password: {password}.\n"))
            }
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

impl Process for DemoApp {
    fn advance(
        &mut self,
        _age: Duration,
        _around: &dyn Surroundings,
        out: &mut Vec<String>,
    ) -> Option<Exit> {
        if !self.announced {
            self.announced = true;
            out.push(format!(
                "demo-app {} listening on :{PORT} (healthy after {}s{})",
                self.version.tag(),
                self.startup,
                self.lifetime
                    .map(|l| format!(", lifetime {l}s"))
                    .unwrap_or_default()
            ));
        }
        None
    }

    fn next_wake(&self) -> Option<Duration> {
        (!self.announced).then_some(Duration::ZERO)
    }

    fn http(
        &mut self,
        age: Duration,
        port: u16,
        request: &HttpRequest,
        around: &dyn Surroundings,
        out: &mut Vec<String>,
    ) -> Option<HttpResponse> {
        if port != PORT {
            return None;
        }
        let response = self.answer(age, request, around);
        // Like the real app, probes are not logged: they would drown everything else.
        if !request.user_agent.starts_with("kube-probe/") {
            out.push(format!(
                "{} \"{} {}\" {} \"{}\"",
                request.remote, request.method, request.path, response.status, request.user_agent
            ));
        }
        Some(response)
    }

    fn usage(&self, age: Duration) -> Usage {
        Usage {
            cpu_milli: 1 + self.burns.at(age),
            memory_bytes: 9 * MIB,
        }
    }

    fn add_load(&mut self, age: Duration, millicores: i64, seconds: u64) {
        self.burns.add(age, seconds, millicores);
    }

    fn listens(&self, _age: Duration, port: u16) -> bool {
        port == PORT
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Nothing;
    impl Surroundings for Nothing {
        fn list_as_pod(&self, plural: &str) -> (u16, String) {
            if plural == "pods" {
                (200, String::new())
            } else {
                (403, "forbidden".into())
            }
        }
        fn http(&self, _: &str, _: &HttpRequest) -> Option<HttpResponse> {
            None
        }
    }

    fn app(version: Version, env: &[(&str, &str)]) -> DemoApp {
        let mut context = Context::default();
        for (k, v) in env {
            context.env.insert((*k).into(), (*v).into());
        }
        context
            .files
            .insert("/app/myfamily/family.txt".into(), "Alice\nBob\n".into());
        DemoApp::new(version, context)
    }

    fn get(app: &mut DemoApp, secs: u64, path: &str) -> HttpResponse {
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
}

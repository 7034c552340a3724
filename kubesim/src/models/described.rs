//! A process that does what its description in `images.yaml` says: its steps in time
//! (lines it prints, CPU it uses, ports it opens, environment it needs or refuses to
//! start without), its HTTP answers and access log. Where an answer is computed, the
//! description hands it to the model's [`Hook`].

use super::catalog::{Answer, ModelSpec, Step};
use super::http::{HttpRequest, HttpResponse};
use super::load::RequestLoad;
use super::process::{Context, Exit, MIB, Process, Stopping, Surroundings, Usage};
use super::template::Scope;
use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Debug;
use std::time::Duration;

/// What a model's description hands to code: computed variables and answers, and CPU.
pub trait Hook: Send + Debug {
    /// Variables it computes at start, for the description's templates.
    fn vars(&self) -> Vec<(String, String)>;

    /// The answer for a route the description gives to the hook.
    fn answer(
        &mut self,
        age: Duration,
        request: &HttpRequest,
        around: &dyn Surroundings,
    ) -> HttpResponse;

    /// CPU it burns at `age` beyond what the description says.
    fn extra_cpu(&self, age: Duration) -> i64 {
        let _ = age;
        0
    }

    /// Work arriving from outside: `millicores` for `seconds`.
    fn add_load(&mut self, age: Duration, millicores: i64, seconds: u64) {
        let _ = (age, millicores, seconds);
    }
}

/// A running container of a described model.
#[derive(Debug)]
pub struct Described {
    spec: &'static ModelSpec,
    context: Context,
    vars: BTreeMap<String, String>,
    hook: Option<Box<dyn Hook>>,
    /// The next step.
    next: usize,
    cpu_milli: i64,
    /// Ports opened by steps.
    opened: BTreeSet<u16>,
    exit: Option<Exit>,
    /// The CPU its answers cost.
    requests: RequestLoad,
}

impl Described {
    /// Starts `spec` in `context` with `vars` (its tag's) and its `hook`'s.
    pub fn new(
        spec: &'static ModelSpec,
        context: Context,
        mut vars: BTreeMap<String, String>,
        hook: Option<Box<dyn Hook>>,
    ) -> Described {
        vars.extend(hook.iter().flat_map(|h| h.vars()));
        Described {
            cpu_milli: spec.usage.cpu_milli,
            spec,
            context,
            vars,
            hook,
            next: 0,
            opened: BTreeSet::new(),
            exit: None,
            requests: RequestLoad::default(),
        }
    }

    fn scope<'a>(&'a self, age: Duration, vars: &'a BTreeMap<String, String>) -> Scope<'a> {
        Scope {
            context: &self.context,
            age,
            vars,
        }
    }

    /// Runs one step: its requirement (or what happens instead), lines, CPU and ports.
    fn run(&mut self, step: &Step, age: Duration, out: &mut Vec<String>) {
        let scope = self.scope(age, &self.vars);
        let met = (step.require_env.is_empty() && step.require_arg.is_empty())
            || step
                .require_env
                .iter()
                .any(|k| self.context.env(k).is_some_and(|v| !v.is_empty()))
            || step
                .require_arg
                .iter()
                .any(|f| self.context.flag(f).is_some());
        if !met {
            if let Some(refusal) = &step.otherwise {
                out.extend(refusal.log.iter().filter_map(|line| scope.render(line)));
                self.exit = Some(Exit { code: refusal.exit });
            }
            return;
        }
        out.extend(step.log.iter().filter_map(|line| scope.render(line)));
        if let Some(cpu) = step.cpu_milli {
            self.cpu_milli = cpu;
        }
        self.opened.extend(&step.open);
    }

    /// The answer for `request`, by route; `vars` include the request's.
    fn answer(
        &mut self,
        age: Duration,
        request: &HttpRequest,
        around: &dyn Surroundings,
        vars: &BTreeMap<String, String>,
    ) -> HttpResponse {
        let spec: &'static ModelSpec = self.spec;
        let Some(http) = &spec.http else {
            return HttpResponse::text(404, "");
        };
        let path = request.route();
        let Some(route) = http
            .routes
            .iter()
            .find(|r| r.paths.iter().any(|p| p == path))
        else {
            return self.fill(&http.otherwise, age, vars);
        };
        if route.hook
            && let Some(hook) = &mut self.hook
        {
            return hook.answer(age, request, around);
        }
        let Some(file) = &route.file else {
            return self.fill(&route.answer, age, vars);
        };
        let path = self.context.env(&file.env).unwrap_or(&file.default);
        match self.context.files.get(path) {
            Some(content) => HttpResponse {
                status: route.answer.status,
                content_type: &route.answer.content_type,
                body: content.clone(),
            },
            None => {
                let mut vars = vars.clone();
                vars.insert("file".into(), path.to_string());
                let missing = route.missing.as_ref().unwrap_or(&http.otherwise);
                self.fill(missing, age, &vars)
            }
        }
    }

    /// An answer of the description, filled in.
    fn fill(
        &self,
        answer: &'static Answer,
        age: Duration,
        vars: &BTreeMap<String, String>,
    ) -> HttpResponse {
        HttpResponse {
            status: answer.status,
            content_type: &answer.content_type,
            body: self
                .scope(age, vars)
                .render(&answer.body)
                .unwrap_or_default(),
        }
    }
}

impl Process for Described {
    /// The described images hold a shell's tools (the demo app's `ls /app/myfamily`);
    /// a shell itself only where the description gives it a prompt.
    fn exec(&mut self, _age: Duration, argv: &[String]) -> (i32, String) {
        let shell = argv.first().is_some_and(|p| super::script::is_shell(p));
        if shell && self.spec.prompt.is_none() {
            return super::process::exec_builtin(argv);
        }
        super::process::exec_in(argv, &self.context)
    }

    fn prompt(&self) -> Option<&str> {
        self.spec.prompt.as_deref()
    }

    fn advance(
        &mut self,
        age: Duration,
        _around: &dyn Surroundings,
        out: &mut Vec<String>,
    ) -> Option<Exit> {
        let spec = self.spec;
        while self.exit.is_none() {
            let Some(step) = spec.steps.get(self.next).filter(|s| s.after <= age) else {
                break;
            };
            self.next += 1;
            self.run(step, age, out);
        }
        self.exit
    }

    fn next_wake(&self) -> Option<Duration> {
        if self.exit.is_some() {
            return None;
        }
        self.spec.steps.get(self.next).map(|s| s.after)
    }

    fn http(
        &mut self,
        age: Duration,
        port: u16,
        request: &HttpRequest,
        around: &dyn Surroundings,
        out: &mut Vec<String>,
    ) -> Option<HttpResponse> {
        let spec: &'static ModelSpec = self.spec;
        let http = spec.http.as_ref().filter(|h| h.port == port)?;
        let mut vars = self.vars.clone();
        for (name, value) in [
            ("remote", &request.remote),
            ("method", &request.method),
            ("path", &request.path),
            ("agent", &request.user_agent),
        ] {
            vars.insert(name.into(), value.clone());
        }
        let response = self.answer(age, request, around, &vars);
        self.requests.add(age, http.request_cpu_us);
        let quiet = http
            .quiet_agents
            .iter()
            .any(|a| request.user_agent.starts_with(a.as_str()));
        if let Some(line) = http.access_log.as_ref().filter(|_| !quiet) {
            vars.insert("status".into(), response.status.to_string());
            vars.insert("bytes".into(), response.body.len().to_string());
            out.extend(self.scope(age, &vars).render(line));
        }
        Some(response)
    }

    fn usage(&self, age: Duration) -> Usage {
        let extra = self.hook.as_ref().map_or(0, |h| h.extra_cpu(age));
        Usage {
            cpu_milli: self.cpu_milli + extra + self.requests.at(age),
            memory_bytes: self.spec.usage.memory_mib * MIB,
        }
    }

    fn add_load(&mut self, age: Duration, millicores: i64, seconds: u64) {
        if let Some(hook) = &mut self.hook {
            hook.add_load(age, millicores, seconds);
        }
    }

    fn listens(&self, _age: Duration, port: u16) -> bool {
        self.spec.listen.contains(&port) || self.opened.contains(&port)
    }

    fn stop(&mut self, age: Duration, out: &mut Vec<String>) -> Option<Stopping> {
        let stop = &self.spec.stop;
        if stop.ignores {
            return None;
        }
        let scope = self.scope(age, &self.vars);
        out.extend(stop.log.iter().filter_map(|line| scope.render(line)));
        Some(Stopping {
            after: stop.after,
            code: stop.exit,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::models::catalog::catalog;
    use crate::models::process::Offline;

    /// How long initialising an empty data directory takes, and mysqld's port.
    const INIT: Duration = Duration::from_secs(12);
    const PORT: u16 = 3306;

    /// A mysqld (or its refusing entrypoint), as `images.yaml` describes it.
    fn mysql(context: Context) -> Described {
        let model = catalog().model("mysql").expect("model");
        Described::new(model, context, BTreeMap::new(), None)
    }

    #[test]
    fn refuses_without_a_password_option() {
        let mut m = mysql(Context::default());
        let mut out = Vec::new();
        assert_eq!(
            m.advance(Duration::ZERO, &Offline, &mut out),
            Some(Exit { code: 1 })
        );
        assert!(
            out.iter()
                .any(|l| l.contains("password option is not specified"))
        );
    }

    #[test]
    fn opens_its_port_after_initialising() {
        let mut context = Context::default();
        context
            .env
            .insert("MYSQL_ROOT_PASSWORD".into(), "pw".into());
        let mut m = mysql(context);
        let mut out = Vec::new();
        assert_eq!(m.advance(Duration::ZERO, &Offline, &mut out), None);
        assert!(!m.listens(Duration::from_secs(5), PORT));
        assert_eq!(m.next_wake(), Some(INIT));
        m.advance(INIT, &Offline, &mut out);
        assert!(m.listens(INIT, PORT));
        assert!(
            out.last()
                .is_some_and(|l| l.contains("ready for connections"))
        );
    }

    #[test]
    fn nginx_announces_itself_and_logs_requests_in_combined_format() {
        let model = catalog().model("nginx").expect("model");
        let mut nginx = Described::new(model, Context::default(), BTreeMap::new(), None);
        let mut out = Vec::new();
        assert_eq!(nginx.advance(Duration::ZERO, &Offline, &mut out), None);
        assert_eq!(out.len(), 6);
        assert_eq!(
            out[3],
            "1970/01/01 00:00:00 [notice] 1#1: using the \"epoll\" event method"
        );
        assert_eq!(nginx.next_wake(), None);
        let mut log = Vec::new();
        let request = HttpRequest::get("/index.html", "curl/8.11.0", "10.0.0.1");
        let page = nginx
            .http(Duration::ZERO, 80, &request, &Offline, &mut log)
            .expect("answers");
        assert_eq!((page.status, page.content_type), (200, "text/html"));
        assert!(page.body.starts_with("<!DOCTYPE html>\n") && page.body.ends_with("</html>\n"));
        assert_eq!(
            log,
            [format!(
                "10.0.0.1 - - [01/Jan/1970:00:00:00 +0000] \"GET /index.html HTTP/1.1\" 200 {} \"-\" \"curl/8.11.0\" \"-\"",
                page.body.len()
            )]
        );
        let missing = HttpRequest::get("/nope", "curl/8.11.0", "10.0.0.1");
        let answer = nginx.http(Duration::ZERO, 80, &missing, &Offline, &mut log);
        assert_eq!(answer.map(|a| a.status), Some(404));
        assert!(
            nginx
                .http(Duration::ZERO, 8080, &missing, &Offline, &mut log)
                .is_none()
        );
        assert!(nginx.listens(Duration::ZERO, 80));
        // Its STOPSIGNAL (SIGQUIT) is a graceful shutdown: it says so and exits 0.
        let mut out = Vec::new();
        let stopping = nginx.stop(Duration::from_secs(5), &mut out);
        assert_eq!(
            stopping,
            Some(Stopping {
                after: Duration::from_millis(100),
                code: 0
            })
        );
        assert_eq!(
            out.first().map(String::as_str),
            Some("1970/01/01 00:00:05 [notice] 1#1: signal 3 (SIGQUIT) received, shutting down")
        );
        assert_eq!(
            out.last().map(String::as_str),
            Some("1970/01/01 00:00:05 [notice] 1#1: exit")
        );
    }
}

//! `nginx`: the official image's entrypoint output, the welcome page on port 80 and its
//! combined-format access log.

use super::{Context, Exit, HttpRequest, HttpResponse, MIB, Process, Surroundings, Usage};
use std::time::Duration;

const WELCOME: &str = "<!DOCTYPE html>\n<html>\n<head>\n<title>Welcome to nginx!</title>\n</head>\n<body>\n<h1>Welcome to nginx!</h1>\n<p>If you see this page, the nginx web server is successfully installed and\nworking. Further configuration is required.</p>\n</body>\n</html>\n";

/// A running nginx.
#[derive(Debug)]
pub struct Nginx {
    context: Context,
    announced: bool,
}

impl Nginx {
    pub fn new(context: Context) -> Nginx {
        Nginx {
            context,
            announced: false,
        }
    }
}

impl Process for Nginx {
    fn advance(
        &mut self,
        age: Duration,
        _around: &dyn Surroundings,
        out: &mut Vec<String>,
    ) -> Option<Exit> {
        if !self.announced {
            self.announced = true;
            let time = self.context.time_at(age).strftime("%Y/%m/%d %H:%M:%S");
            out.extend([
                "/docker-entrypoint.sh: /docker-entrypoint.d/ is not empty, will attempt to perform configuration".to_string(),
                "/docker-entrypoint.sh: Looking for shell scripts in /docker-entrypoint.d/".into(),
                "/docker-entrypoint.sh: Configuration complete; ready for start up".into(),
                format!("{time} [notice] 1#1: using the \"epoll\" event method"),
                format!("{time} [notice] 1#1: start worker processes"),
            ]);
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
        _around: &dyn Surroundings,
        out: &mut Vec<String>,
    ) -> Option<HttpResponse> {
        if port != 80 {
            return None;
        }
        let response = match request.route() {
            "/" | "/index.html" => HttpResponse {
                status: 200,
                content_type: "text/html",
                body: WELCOME.into(),
            },
            _ => HttpResponse {
                status: 404,
                content_type: "text/html",
                body: "<html>\n<head><title>404 Not Found</title></head>\n<body>\n<center><h1>404 Not Found</h1></center>\n<hr><center>nginx</center>\n</body>\n</html>\n".into(),
            },
        };
        let time = self
            .context
            .time_at(age)
            .strftime("%d/%b/%Y:%H:%M:%S +0000");
        out.push(format!(
            "{} - - [{time}] \"{} {} HTTP/1.1\" {} {} \"-\" \"{}\" \"-\"",
            request.remote,
            request.method,
            request.path,
            response.status,
            response.body.len(),
            request.user_agent
        ));
        Some(response)
    }

    fn usage(&self, _age: Duration) -> Usage {
        Usage {
            cpu_milli: 1,
            memory_bytes: 4 * MIB,
        }
    }

    fn listens(&self, _age: Duration, port: u16) -> bool {
        port == 80
    }
}

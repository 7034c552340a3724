//! `curl` in the console, to the workspace's apps and nothing else: `localhost:PORT`
//! after a `kubectl port-forward` (through the API server's pod proxy), the workspace's
//! Ingress hosts on `localhost` ports 80 and 443 (through the cluster's ingress
//! controller, [`ingress`]), a Service's NodePort on `localhost` (through its service
//! proxy), the API server's proxies as the attendee. Any other host does not resolve, as
//! it would not on the attendee's machine. What it prints and
//! its exit codes are curl's (7.88): the body, `-i` headers, `-f`, `-s`/`-S`, and errors
//! such as `curl: (7) Failed to connect to localhost port 8000 after 0 ms: Couldn't
//! connect to server`.

mod answer;
mod ingress;

use super::context::{Console, Ran};
use answer::{Failure, Printing, print};
use k8s_openapi::api::core::v1::Service;
use kube::api::{Api, ListParams};
use serde_json::Value;

const TRY_HELP: &str = "curl: try 'curl --help' or 'curl --manual' for more information";

/// What the line asked for.
#[derive(Debug, Default, PartialEq)]
struct Options {
    silent: bool,
    show_error: bool,
    include: bool,
    head: bool,
    fail: bool,
    /// `-k`: any certificate will do.
    insecure: bool,
    /// `-H 'Host: NAME'`: the host asked for, whatever the URL connects to.
    host: Option<String>,
    /// `--resolve HOST:PORT:ADDRESS`.
    resolve: Vec<(String, u16, String)>,
    url: Option<String>,
}

pub async fn curl(console: &Console<'_>, words: &[String]) -> Ran {
    let options = match parse(words) {
        Ok(options) => options,
        Err(ran) => return ran,
    };
    match fetch(console, &options).await {
        Ok(output) => Ran::ok(output),
        Err(Failure(code, message)) => Ran {
            output: if options.silent && !options.show_error {
                String::new()
            } else {
                format!("curl: ({code}) {message}\n")
            },
            exit_code: code,
        },
    }
}

/// Whether `host` is a DNS name: what an Ingress rule's host can be. Nothing else may
/// reach the ingress controller (a `:` would end the name there, as nginx reads it).
fn host_name(host: &str) -> bool {
    !host.is_empty()
        && host.len() <= 253
        && host
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'.' || b == b'-')
}

impl Options {
    fn printing(&self) -> Printing {
        Printing {
            fail: self.fail,
            include: self.include,
            head: self.head,
        }
    }
}

fn parse(words: &[String]) -> Result<Options, Ran> {
    let usage = |text: String| Ran {
        output: format!("{text}\n{TRY_HELP}\n"),
        exit_code: 2,
    };
    let mut options = Options::default();
    let mut rest = words.iter();
    while let Some(word) = rest.next() {
        let mut value = |name: &str| {
            rest.next()
                .cloned()
                .ok_or_else(|| usage(format!("curl: option {name}: requires parameter")))
        };
        match word.as_str() {
            "-i" | "--include" => options.include = true,
            "-I" | "--head" => options.head = true,
            "-s" | "--silent" => options.silent = true,
            "-S" | "--show-error" => options.show_error = true,
            "-f" | "--fail" => options.fail = true,
            "-k" | "--insecure" => options.insecure = true,
            // Accepted and without effect here: the console follows no redirects of
            // other hosts, shows no progress.
            "-L" | "--location" | "--no-progress-meter" => {}
            "-m" | "--max-time" | "--connect-timeout" => {
                value(word)?;
            }
            "-H" | "--header" => {
                let header = value(word)?;
                match header.split_once(':') {
                    Some((name, host)) if name.eq_ignore_ascii_case("host") => {
                        let host = host.trim();
                        if !host_name(host) {
                            return Err(Ran::error(format!(
                                "curl: the console's curl sends a Host that is a host name (letters, digits, dots and dashes), not \"{host}\""
                            )));
                        }
                        options.host = Some(host.to_ascii_lowercase());
                    }
                    _ => {
                        return Err(Ran::error(format!(
                            "curl: the console's curl sends only a Host header, not \"{header}\""
                        )));
                    }
                }
            }
            "--resolve" => {
                let entry = value(word)?;
                let parts: Vec<&str> = entry.splitn(3, ':').collect();
                let [host, port, address] = parts[..] else {
                    return Err(usage(format!(
                        "curl: option --resolve: bad argument \"{entry}\""
                    )));
                };
                let port = port.parse().map_err(|_| {
                    usage(format!("curl: option --resolve: bad argument \"{entry}\""))
                })?;
                options.resolve.push((host.into(), port, address.into()));
            }
            "-X" | "--request" => {
                let method = value(word)?;
                match method.as_str() {
                    "GET" => {}
                    "HEAD" => options.head = true,
                    other => {
                        return Err(Ran::error(format!(
                            "curl: the console's curl sends GET and HEAD, not {other}"
                        )));
                    }
                }
            }
            "-o" | "--output" | "-O" | "--remote-name" | "-T" | "--upload-file" | "-d"
            | "--data" | "-F" | "--form" | "-K" | "--config" => {
                return Err(Ran::error(format!(
                    "curl: the console's curl reads and writes no files and sends no data ({word})"
                )));
            }
            flags if flags.starts_with('-') && !flags.starts_with("--") && flags.len() > 2 => {
                for c in flags[1..].chars() {
                    match c {
                        'i' => options.include = true,
                        'I' => options.head = true,
                        's' => options.silent = true,
                        'S' => options.show_error = true,
                        'f' => options.fail = true,
                        'k' => options.insecure = true,
                        'L' => {}
                        _ => return Err(usage(format!("curl: option -{c}: is unknown"))),
                    }
                }
            }
            flag if flag.starts_with('-') => {
                return Err(usage(format!("curl: option {flag}: is unknown")));
            }
            url if options.url.is_none() => options.url = Some(url.to_string()),
            _ => {
                return Err(Ran::error(
                    "curl: the console's curl takes one URL at a time".into(),
                ));
            }
        }
    }
    if options.url.is_none() {
        return Err(Ran {
            output: format!("{TRY_HELP}\n"),
            exit_code: 2,
        });
    }
    Ok(options)
}

/// Where the request goes, and what came back, printed as curl prints it.
async fn fetch(console: &Console<'_>, options: &Options) -> Result<String, Failure> {
    let url = options.url.as_deref().unwrap_or_default();
    let full = if url.contains("://") {
        url.to_string()
    } else {
        format!("http://{url}")
    };
    let bad = || Failure(3, "URL using bad/illegal format or missing URL".into());
    let uri: http::Uri = full.parse().map_err(|_| bad())?;
    let https = match uri.scheme_str() {
        Some("http") => false,
        Some("https") => true,
        Some(other) => {
            return Err(Failure(
                1,
                format!("Protocol \"{other}\" not supported or disabled in libcurl"),
            ));
        }
        None => return Err(bad()),
    };
    let host = uri.host().ok_or_else(bad)?.trim_matches(['[', ']']);
    let port = uri.port_u16().unwrap_or(if https { 443 } else { 80 });
    let address = options
        .resolve
        .iter()
        .find(|(h, p, _)| h == host && *p == port)
        .map_or(host, |(_, _, a)| a.as_str());
    if !["localhost", "127.0.0.1", "::1"].contains(&address) {
        return Err(Failure(6, format!("Could not resolve host: {host}")));
    }
    let refused = || {
        Failure(
            7,
            format!(
                "Failed to connect to {host} port {port} after 0 ms: Couldn't connect to server"
            ),
        )
    };
    let path = uri.path_and_query().map_or("/", |p| p.as_str());
    let method = if options.head { "HEAD" } else { "GET" };
    let forward = console.forwards.get(&console.workspace.namespace(""), port);
    let proxy = if let Some(forward) = forward {
        format!(
            "/api/v1/namespaces/{}/pods/{}:{}/proxy{path}",
            console.workspace.namespace(&forward.namespace),
            forward.pod,
            forward.port
        )
    } else if port == 80 || port == 443 {
        // kind's ingress-nginx: the host asked for is the workspace's.
        let asked = options.host.as_deref().unwrap_or(host);
        if !host_name(asked) {
            return Err(Failure(6, format!("Could not resolve host: {asked}")));
        }
        let Some(entrance) = console.ingress else {
            return Err(refused());
        };
        let served = console.workspace.host(&asked.to_ascii_lowercase());
        let request = ingress::Request {
            host: &served,
            shown: (host, port),
            https,
            insecure: options.insecure,
            method,
            path,
        };
        let (mut parts, bytes) = ingress::send(entrance, &request).await?;
        // A redirect names the host as the attendee wrote it.
        if let Some(location) = parts.headers.get_mut(http::header::LOCATION)
            && let Ok(text) = location.to_str()
            && let Ok(shown) = text.replace(&served, asked).parse()
        {
            *location = shown;
        }
        return print(&options.printing(), &parts, &bytes);
    } else if let Some((namespace, service, service_port)) = node_port(console, port).await {
        format!("/api/v1/namespaces/{namespace}/services/{service}:{service_port}/proxy{path}")
    } else {
        return Err(refused());
    };
    if https {
        return Err(Failure(
            35,
            "OpenSSL/3.0.19: error:0A00010B:SSL routines::wrong version number".into(),
        ));
    }
    let request = http::Request::builder()
        .method(method)
        .uri(&proxy)
        .body(Vec::new())
        .map_err(|_| bad())?;
    let response = console
        .tenant
        .send(request.map(kube::client::Body::from))
        .await
        .map_err(|_| refused())?;
    let (parts, body) = response.into_parts();
    let bytes = http_body_util::BodyExt::collect(body)
        .await
        .map_err(|e| {
            Failure(
                56,
                format!("Failure when receiving data from the peer: {e}"),
            )
        })?
        .to_bytes();
    // The API server's own refusal (the forwarded pod is gone, nothing listens): the
    // connection a port-forward would have made fails.
    if let Ok(status) = serde_json::from_slice::<Value>(&bytes)
        && status["kind"] == "Status"
        && status["apiVersion"] == "v1"
        && (status["code"] == 404 || status["code"].as_u64().is_some_and(|c| c >= 500))
    {
        return Err(refused());
    }
    print(&options.printing(), &parts, &bytes)
}

/// The workspace Service whose NodePort is `port`: (real namespace, name, its port).
async fn node_port(console: &Console<'_>, port: u16) -> Option<(String, String, i32)> {
    let namespaces = console.workspace.namespaces(console.platform).await.ok()?;
    for (_, real) in namespaces {
        let services: Api<Service> = Api::namespaced(console.tenant.clone(), &real);
        let Ok(list) = services.list(&ListParams::default()).await else {
            continue;
        };
        for service in list.items {
            let ports = service.spec.as_ref().and_then(|s| s.ports.as_ref());
            if let Some(found) = ports
                .into_iter()
                .flatten()
                .find(|p| p.node_port == Some(i32::from(port)))
            {
                let name = service.metadata.name.clone().unwrap_or_default();
                return Some((real, name, found.port));
            }
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(line: &str) -> Vec<String> {
        line.split(' ').map(str::to_string).collect()
    }

    #[test]
    fn curl_reads_its_flags_as_curl_does() {
        let options = parse(&words("-sSi http://localhost:8000/configmap"))
            .unwrap_or_else(|r| panic!("{}", r.output));
        assert!(options.silent && options.show_error && options.include);
        assert_eq!(
            options.url.as_deref(),
            Some("http://localhost:8000/configmap")
        );
        let unknown = parse(&words("--bogus http://x/")).unwrap_err();
        assert_eq!(
            (unknown.output.as_str(), unknown.exit_code),
            (
                "curl: option --bogus: is unknown\ncurl: try 'curl --help' or 'curl --manual' for more information\n",
                2
            )
        );
        assert_eq!(parse(&[]).unwrap_err().exit_code, 2);
        let files = parse(&words("-o /tmp/x http://localhost/")).unwrap_err();
        assert!(files.output.contains("no files"), "{}", files.output);
        let resolved = parse(&words(
            "--resolve app.example.com:80:127.0.0.1 http://app.example.com/",
        ))
        .unwrap_or_else(|r| panic!("{}", r.output));
        assert_eq!(
            resolved.resolve,
            [("app.example.com".to_string(), 80, "127.0.0.1".to_string())]
        );
    }
}

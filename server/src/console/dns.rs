//! Service DNS names in what a container runs (`kubectl run … -- curl
//! http://go-http-app.server/`, `kubectl exec … -- nslookup mysql.database`): the lessons
//! name namespaces by their short names, cluster DNS knows only the real ones
//! (`go-http-app.kc-ada-server`), so the console writes the real name, as the pipeline
//! writes a manifest's namespaces. The output is shortened back as always.

/// `argument` with `SERVICE.SHORT` written `SERVICE.REAL` for each of `shorts`, where the
/// name ends a word or a URL's host (a space, a quote, `/`, `:`, `?` or `#` after it)
/// or goes on with `.svc`. Anything else (`app.server.example.com`, `file.serverless`) is left alone.
pub fn real_names(argument: &str, shorts: &[String], real: impl Fn(&str) -> String) -> String {
    let mut out = argument.to_string();
    for short in shorts {
        let real = real(short);
        let dotted = format!(".{short}");
        let mut at = 0;
        while let Some(found) = out[at..].find(&dotted) {
            let start = at + found;
            let end = start + dotted.len();
            let in_name = out[..start]
                .chars()
                .next_back()
                .is_some_and(|c| c.is_ascii_alphanumeric() || c == '-');
            let rest = &out[end..];
            let svc = rest.strip_prefix(".svc");
            let stop = |c: char| c.is_whitespace() || "/:?#'\"".contains(c);
            let whole = rest.is_empty()
                || rest.starts_with(stop)
                || svc.is_some_and(|r| r.is_empty() || r.starts_with(stop) || r.starts_with('.'));
            if in_name && whole {
                out.replace_range(start + 1..end, &real);
                at = start + 1 + real.len();
            } else {
                at = end;
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn real(argument: &str) -> String {
        let shorts = ["server".to_string(), "database".to_string()];
        real_names(argument, &shorts, |short| format!("kc-ada-{short}"))
    }

    #[test]
    fn service_names_in_the_lessons_namespaces_get_the_real_namespace() {
        assert_eq!(
            real("http://go-http-app.server/"),
            "http://go-http-app.kc-ada-server/"
        );
        assert_eq!(
            real("go-http-app.server:80"),
            "go-http-app.kc-ada-server:80"
        );
        assert_eq!(real("mysql.database"), "mysql.kc-ada-database");
        assert_eq!(
            real("mysql-0.mysql.database.svc.cluster.local"),
            "mysql-0.mysql.kc-ada-database.svc.cluster.local"
        );
        assert_eq!(
            real("wget -qO- a.server 'b.database'"),
            "wget -qO- a.kc-ada-server 'b.kc-ada-database'"
        );
    }

    #[test]
    fn other_names_are_left_alone() {
        for argument in [
            "app.server.example.com",
            "file.serverless",
            ".server",
            "server",
            "go-http-app.servers/",
            "http://go-http-app/",
        ] {
            assert_eq!(real(argument), argument);
        }
    }
}

//! A pod's volumes and tolerations as `kubectl describe` prints them.

use super::text::Text;
use serde_json::Value;

/// Volumes, indented by `space`.
pub fn volumes(text: &mut Text, volumes: &Value, space: &str) {
    let list = volumes.as_array().cloned().unwrap_or_default();
    if list.is_empty() {
        text.at(0, &format!("{space}Volumes:\t<none>\n"));
        return;
    }
    text.at(0, &format!("{space}Volumes:\n"));
    let indent = if space.is_empty() { "" } else { " " };
    for v in &list {
        let name = v["name"].as_str().unwrap_or_default();
        text.at(1, &format!("{indent}{name}:\n"));
        if v["configMap"].is_object() {
            text.at(2, "Type:\tConfigMap (a volume populated by a ConfigMap)\n");
            text.at(
                2,
                &format!(
                    "Name:\t{}\n",
                    v["configMap"]["name"].as_str().unwrap_or_default()
                ),
            );
            text.at(
                2,
                &format!("Optional:\t{}\n", v["configMap"]["optional"] == true),
            );
        } else if v["secret"].is_object() {
            text.at(2, "Type:\tSecret (a volume populated by a Secret)\n");
            text.at(
                2,
                &format!(
                    "SecretName:\t{}\n",
                    v["secret"]["secretName"].as_str().unwrap_or_default()
                ),
            );
            text.at(
                2,
                &format!("Optional:\t{}\n", v["secret"]["optional"] == true),
            );
        } else if v["emptyDir"].is_object() {
            let medium = v["emptyDir"]["medium"].as_str().unwrap_or_default();
            text.at(
                2,
                "Type:\tEmptyDir (a temporary directory that shares a pod's lifetime)\n",
            );
            text.at(2, &format!("Medium:\t{medium}\n"));
            match v["emptyDir"]["sizeLimit"].as_str() {
                Some(limit) => text.at(2, &format!("SizeLimit:\t{limit}\n")),
                None => text.at(2, "SizeLimit:\t<unset>\n"),
            }
        } else if v["persistentVolumeClaim"].is_object() {
            let claim = &v["persistentVolumeClaim"];
            text.at(2, "Type:\tPersistentVolumeClaim (a reference to a PersistentVolumeClaim in the same namespace)\n");
            text.at(
                2,
                &format!(
                    "ClaimName:\t{}\n",
                    claim["claimName"].as_str().unwrap_or_default()
                ),
            );
            text.at(2, &format!("ReadOnly:\t{}\n", claim["readOnly"] == true));
        } else if v["projected"].is_object() {
            projected(text, &v["projected"]);
        } else {
            text.at(1, "<unknown>\n");
        }
    }
}

fn projected(text: &mut Text, projected: &Value) {
    text.at(
        2,
        "Type:\tProjected (a volume that contains injected data from multiple sources)\n",
    );
    for source in projected["sources"].as_array().into_iter().flatten() {
        // Go prints the unset pointer as <nil>.
        let optional = |s: &Value| {
            s["optional"]
                .as_bool()
                .map_or("<nil>".to_string(), |o| o.to_string())
        };
        if source["secret"].is_object() {
            let name = source["secret"]["name"].as_str().unwrap_or_default();
            text.at(
                2,
                &format!(
                    "SecretName:\t{name}\n    SecretOptionalName:\t{}\n",
                    optional(&source["secret"])
                ),
            );
        } else if source["downwardAPI"].is_object() {
            text.at(2, "DownwardAPI:\ttrue\n");
        } else if source["configMap"].is_object() {
            let name = source["configMap"]["name"].as_str().unwrap_or_default();
            text.at(
                2,
                &format!(
                    "ConfigMapName:\t{name}\n    ConfigMapOptional:\t{}\n",
                    optional(&source["configMap"])
                ),
            );
        } else if source["serviceAccountToken"].is_object() {
            let seconds = source["serviceAccountToken"]["expirationSeconds"]
                .as_i64()
                .unwrap_or(0);
            text.at(2, &format!("TokenExpirationSeconds:\t{seconds}\n"));
        }
    }
}

/// Tolerations one a line, by key, as kubectl sums each up.
pub fn tolerations(text: &mut Text, title: &str, tolerations: &Value) {
    text.at(0, &format!("{title}:\t"));
    let mut list = tolerations.as_array().cloned().unwrap_or_default();
    if list.is_empty() {
        text.at(0, "<none>\n");
        return;
    }
    list.sort_by(|a, b| a["key"].as_str().cmp(&b["key"].as_str()));
    for (i, t) in list.iter().enumerate() {
        if i > 0 {
            text.at(0, "\t");
        }
        let key = t["key"].as_str().unwrap_or_default();
        let value = t["value"].as_str().unwrap_or_default();
        let effect = t["effect"].as_str().unwrap_or_default();
        let mut line = key.to_string();
        if !value.is_empty() {
            line.push_str(&format!("={value}"));
        }
        if !effect.is_empty() {
            line.push_str(&format!(":{effect}"));
        }
        if t["operator"] == "Exists" && value.is_empty() {
            let exists = if key.is_empty() && effect.is_empty() {
                "op=Exists"
            } else {
                " op=Exists"
            };
            line.push_str(exists);
        }
        if let Some(seconds) = t["tolerationSeconds"].as_i64() {
            line.push_str(&format!(" for {seconds}s"));
        }
        text.at(0, &format!("{line}\n"));
    }
}

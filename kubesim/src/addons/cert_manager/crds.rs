//! cert-manager's CustomResourceDefinitions, installed in every cluster as the trainer's
//! kind setup installs cert-manager. They are data, `crds.yaml`, the very file
//! `deploy/control-plane/cluster.sh` applies to the real control plane, so both clusters
//! carry the same kinds, short names and printer columns.

use serde::Deserialize;
use serde_json::Value;

/// cert-manager's API group.
pub const GROUP: &str = "cert-manager.io";

/// The CustomResourceDefinitions cert-manager installs.
pub fn all() -> Vec<Value> {
    serde_yaml::Deserializer::from_str(include_str!("crds.yaml"))
        .map(|document| Value::deserialize(document).expect("crds.yaml is valid YAML"))
        .collect()
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_file_holds_cert_managers_six_kinds() {
        let kinds: Vec<String> = super::all()
            .iter()
            .map(|crd| {
                crd["spec"]["names"]["kind"]
                    .as_str()
                    .unwrap_or("")
                    .to_string()
            })
            .collect();
        assert_eq!(
            kinds,
            [
                "Certificate",
                "CertificateRequest",
                "Issuer",
                "ClusterIssuer",
                "Order",
                "Challenge"
            ]
        );
    }
}

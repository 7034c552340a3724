//! The two servers every request goes to: kubesim in-process (a fresh cluster per area,
//! its admin client), and the real kube-apiserver of `make differential` through its
//! `admin.kubeconfig` (`system:masters`). Both are admins, so what one allows the other
//! should too.

use std::path::Path;

/// Which server an answer came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Side {
    Sim,
    Real,
}

impl Side {
    pub fn name(self) -> &'static str {
        match self {
            Side::Sim => "kubesim",
            Side::Real => "kube-apiserver",
        }
    }
}

pub struct Targets {
    pub sim: kube::Client,
    pub real: kube::Client,
    /// Kept so that the simulated cluster (and its controllers) lives as long as its client.
    _cluster: kubesim::Cluster,
}

impl Targets {
    pub fn client(&self, side: Side) -> &kube::Client {
        match side {
            Side::Sim => &self.sim,
            Side::Real => &self.real,
        }
    }

    /// A fresh kubesim and a client of the real control plane named by
    /// `KUBECLASS_REAL_CONTROL_PLANE`.
    pub async fn connect() -> Targets {
        let Ok(dir) = std::env::var("KUBECLASS_REAL_CONTROL_PLANE") else {
            panic!(
                "KUBECLASS_REAL_CONTROL_PLANE is not set: these tests compare kubesim with a real \
                 kube-apiserver. Run `make differential` (scripts/test-differential.sh starts a \
                 control plane, runs them and stops it), or start one with \
                 deploy/control-plane/cluster.sh and set the variable to its folder."
            );
        };
        let path = Path::new(&dir).join("admin.kubeconfig");
        let kubeconfig = kube::config::Kubeconfig::read_from(&path)
            .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        let config = kube::Config::from_custom_kubeconfig(kubeconfig, &Default::default())
            .await
            .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        let real = kube::Client::try_from(config).expect("a client of the real control plane");
        let cluster = kubesim::Cluster::builder()
            .seed(1)
            .build()
            .expect("kubesim");
        Targets {
            sim: cluster.client(),
            real,
            _cluster: cluster,
        }
    }
}

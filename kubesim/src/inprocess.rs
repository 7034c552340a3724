//! The in-process client's connection to the API: requests go straight to the router,
//! except those that upgrade the connection (`pods/exec` websockets), which need a
//! connection to take over. Each of those gets an in-memory HTTP/1.1 connection of its
//! own (a duplex pipe with hyper on both ends), so exec works in-process as it does over
//! a socket.

use axum::Router;
use axum::body::Body;
use axum::http::{Request, Response, header};
use hyper_util::rt::TokioIo;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};
use tower::{Service, ServiceExt};

/// Bytes the in-memory pipe holds each way.
const PIPE: usize = 64 * 1024;

/// A tower service over the router that can upgrade.
#[derive(Clone)]
pub struct InProcess {
    pub router: Router,
}

type Answer = Result<Response<Body>, Box<dyn std::error::Error + Send + Sync>>;

impl Service<Request<kube::client::Body>> for InProcess {
    type Response = Response<Body>;
    type Error = Box<dyn std::error::Error + Send + Sync>;
    type Future = Pin<Box<dyn Future<Output = Answer> + Send>>;

    fn poll_ready(&mut self, _: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, request: Request<kube::client::Body>) -> Self::Future {
        let router = self.router.clone();
        let upgrades = request.headers().contains_key(header::UPGRADE);
        Box::pin(async move {
            if !upgrades {
                let request = request.map(Body::new);
                return Ok(router.oneshot(request).await?);
            }
            let (client, server) = tokio::io::duplex(PIPE);
            let service = hyper_util::service::TowerToHyperService::new(router);
            tokio::spawn(async move {
                let connection = hyper::server::conn::http1::Builder::new()
                    .serve_connection(TokioIo::new(server), service)
                    .with_upgrades();
                if let Err(e) = connection.await {
                    tracing::debug!("an in-process upgraded connection ended: {e}");
                }
            });
            let (mut sender, connection) =
                hyper::client::conn::http1::handshake(TokioIo::new(client)).await?;
            tokio::spawn(async move {
                let _ = connection.with_upgrades().await;
            });
            let response = sender.send_request(request).await?;
            Ok(response.map(Body::new))
        })
    }
}

//! Who is asking, and may they: bearer-token authentication (an admin token and
//! ServiceAccount tokens), impersonation headers, and RBAC authorization against the
//! Roles, ClusterRoles and bindings in the store, and RBAC's escalation prevention
//! when RBAC objects are written. An unauthenticated or unauthorised
//! request is refused before anything is read or written.

mod authn;
pub mod default_roles;
pub mod escalation;
pub mod rbac;
pub mod reviews;
mod user;

pub use authn::{Tokens, authenticate};
pub use user::UserInfo;

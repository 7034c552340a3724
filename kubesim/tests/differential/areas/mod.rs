//! The areas whose cases are partly made by code: the RBAC matrix, the table columns of
//! every listable resource, discovery (compared entry by entry).

pub mod discovery;
pub mod rbac;
pub mod tables;

//! The protocol's schemas as `utoipa` derives them (feature `openapi`).
//!
//! The server's OpenAPI document names these types in its `#[utoipa::path]` annotations, so its
//! component schemas are theirs; [`components`] gives the same schemas straight from the types,
//! so a test can check that every schema the served document references is the one its type
//! derives — nothing in the document is written by hand.

use std::collections::BTreeMap;
use utoipa::openapi::{RefOr, Schema};
use utoipa::ToSchema;

/// Adds `T`'s schema under its name, and the schemas it refers to.
fn add<T: ToSchema>(into: &mut BTreeMap<String, RefOr<Schema>>) {
    into.insert(T::name().into_owned(), T::schema());
    let mut nested = Vec::new();
    T::schemas(&mut nested);
    into.extend(nested);
}

/// Every protocol type's schema by its component name (`LoginResponse`, `ApiErrorBody`, …),
/// with the schemas they refer to.
pub fn components() -> BTreeMap<String, RefOr<Schema>> {
    use crate::{auth, connections, dashboard, error, health, sync, users};
    let mut all = BTreeMap::new();
    add::<error::ApiErrorBody>(&mut all);
    add::<health::Health>(&mut all);
    add::<auth::LoginRequest>(&mut all);
    add::<auth::LoginResponse>(&mut all);
    add::<auth::Me>(&mut all);
    add::<auth::LoggedOut>(&mut all);
    add::<users::UserList>(&mut all);
    add::<users::CreateUser>(&mut all);
    add::<sync::ReserveIds>(&mut all);
    add::<sync::IdBlockAnswer>(&mut all);
    add::<sync::PushRequest>(&mut all);
    add::<sync::PushResponse>(&mut all);
    add::<sync::ChangesPage>(&mut all);
    add::<connections::NewConnection>(&mut all);
    add::<connections::ConnectionPatch>(&mut all);
    add::<connections::ConnectionList>(&mut all);
    add::<connections::ConnectionInfo>(&mut all);
    add::<connections::RunRecord>(&mut all);
    add::<connections::RunList>(&mut all);
    add::<connections::MalformedList>(&mut all);
    add::<dashboard::DashboardFigures>(&mut all);
    all
}

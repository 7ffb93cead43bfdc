//! Rebuild the crate when a migration file changes: `sqlx::migrate!` embeds
//! the SQL at compile time, and cargo would otherwise not notice a new file.
fn main() {
    println!("cargo:rerun-if-changed=migrations");
    println!("cargo:rerun-if-changed=migrations/sqlite");
    println!("cargo:rerun-if-changed=migrations/postgres");
}

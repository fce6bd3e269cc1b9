//! Staff users and their roles.

use ixorg_domain::ids::StaffUserId;
use ixorg_domain::privacy::Role;
use ixorg_domain::timestamp::Timestamp;
use uuid::Uuid;

use crate::error::corrupt;
use crate::{Error, Tx, on_tx};

/// A staff user. `Debug` leaves out the password hash.
#[derive(Clone, PartialEq, Eq)]
pub struct StaffUser {
    /// Its id.
    pub id: StaffUserId,
    /// Login name.
    pub username: String,
    /// Name shown in the back office.
    pub display_name: String,
    /// Argon2id PHC string.
    pub password_hash: String,
    /// Whether the user may log in.
    pub active: bool,
    /// The roles held.
    pub roles: Vec<Role>,
}

impl std::fmt::Debug for StaffUser {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("StaffUser")
            .field("id", &self.id)
            .field("username", &self.username)
            .field("active", &self.active)
            .field("roles", &self.roles)
            .finish_non_exhaustive()
    }
}

/// Stores a staff user with roles.
pub async fn insert(tx: &mut Tx, user: &StaffUser, now: Timestamp) -> Result<(), Error> {
    const USER: &str = "INSERT INTO staff_user (staff_user_id, username, display_name, \
         password_hash, active, created_at_ms, updated_at_ms) VALUES ($1, $2, $3, $4, $5, $6, $6)";
    const ROLE: &str =
        "INSERT INTO staff_user_role (staff_user_id, role_name, created_at_ms) VALUES ($1, $2, $3)";
    on_tx!(tx, c => sqlx::query(USER)
        .bind(user.id.uuid())
        .bind(user.username.as_str())
        .bind(user.display_name.as_str())
        .bind(user.password_hash.as_str())
        .bind(user.active)
        .bind(now.unix_ms())
        .execute(&mut *c)
        .await
        .map(|r| r.rows_affected()))?;
    for role in &user.roles {
        on_tx!(tx, c => sqlx::query(ROLE)
            .bind(user.id.uuid())
            .bind(role.as_str())
            .bind(now.unix_ms())
            .execute(&mut *c)
            .await
        .map(|r| r.rows_affected()))?;
    }
    Ok(())
}

#[derive(sqlx::FromRow)]
struct UserRow {
    staff_user_id: Uuid,
    username: String,
    display_name: String,
    password_hash: String,
    active: bool,
}

/// A staff user by login name, with roles.
pub async fn by_username(tx: &mut Tx, username: &str) -> Result<Option<StaffUser>, Error> {
    const USER: &str = "SELECT staff_user_id, username, display_name, password_hash, active \
         FROM staff_user WHERE username = $1";
    let row: Option<UserRow> = on_tx!(tx, c => sqlx::query_as(USER)
        .bind(username)
        .fetch_optional(&mut *c)
        .await)?;
    let Some(row) = row else { return Ok(None) };
    let id = StaffUserId::from_uuid(row.staff_user_id);
    let roles = roles_of(tx, id).await?;
    Ok(Some(StaffUser {
        id,
        username: row.username,
        display_name: row.display_name,
        password_hash: row.password_hash,
        active: row.active,
        roles,
    }))
}

/// The roles a staff user holds.
pub async fn roles_of(tx: &mut Tx, id: StaffUserId) -> Result<Vec<Role>, Error> {
    const SQL: &str =
        "SELECT role_name FROM staff_user_role WHERE staff_user_id = $1 ORDER BY role_name";
    let names: Vec<String> = on_tx!(tx, c => sqlx::query_scalar(SQL)
        .bind(id.uuid())
        .fetch_all(&mut *c)
        .await)?;
    names
        .iter()
        .map(|n| {
            n.parse()
                .map_err(|_| corrupt("staff_user_role", "role_name"))
        })
        .collect()
}

/// Number of staff users.
pub async fn count(tx: &mut Tx) -> Result<i64, Error> {
    const SQL: &str = "SELECT COUNT(*) FROM staff_user";
    Ok(on_tx!(tx, c => sqlx::query_scalar(SQL).fetch_one(&mut *c).await)?)
}

//! Staff users: creation with an Argon2id password hash, and password checks.

use argon2::Argon2;
use argon2::password_hash::{PasswordHasher, PasswordVerifier};
use ixorg_domain::ids::StaffUserId;
use ixorg_domain::privacy::Role;
use ixorg_store::staff::{self as repo, StaffUser};

use crate::context::AppContext;

/// The shortest password accepted.
pub const PASSWORD_CHARS_MIN: usize = 12;

/// Why a staff user could not be created.
#[derive(Debug, thiserror::Error)]
pub enum CreateStaffError {
    /// The password is too short.
    #[error("a password has at least {PASSWORD_CHARS_MIN} characters")]
    WeakPassword,
    /// A role is not a staff role.
    #[error("{0} is not a staff role")]
    NotAStaffRole(Role),
    /// The username is taken.
    #[error("the username is taken")]
    UsernameTaken,
    /// Hashing failed.
    #[error("password hashing failed")]
    Hash,
    /// The database failed.
    #[error(transparent)]
    Store(ixorg_store::Error),
}

impl From<ixorg_store::Error> for CreateStaffError {
    fn from(e: ixorg_store::Error) -> Self {
        match e {
            ixorg_store::Error::Conflict(ixorg_store::ConflictKind::DuplicateUsername) => {
                CreateStaffError::UsernameTaken
            }
            other => CreateStaffError::Store(other),
        }
    }
}

/// Argon2id with the crate defaults (19 MiB, 2 passes, 1 lane): the OWASP-recommended minimum.
fn hasher() -> Argon2<'static> {
    Argon2::default()
}

/// Creates a staff user.
pub async fn create(
    ctx: &AppContext,
    username: &str,
    display_name: &str,
    password: &str,
    roles: &[Role],
) -> Result<StaffUserId, CreateStaffError> {
    if password.chars().count() < PASSWORD_CHARS_MIN {
        return Err(CreateStaffError::WeakPassword);
    }
    if let Some(role) = roles.iter().find(|r| !r.is_staff()) {
        return Err(CreateStaffError::NotAStaffRole(*role));
    }
    let password_hash = hasher()
        .hash_password(password.as_bytes())
        .map_err(|_| CreateStaffError::Hash)?
        .to_string();
    let id = StaffUserId::from_uuid(ctx.ids.new_uuid());
    let user = StaffUser {
        id,
        username: username.to_owned(),
        display_name: display_name.to_owned(),
        password_hash,
        active: true,
        roles: roles.to_vec(),
    };
    let mut tx = ctx.db.begin().await?;
    repo::insert(&mut tx, &user, ctx.now()).await?;
    tx.commit().await?;
    tracing::info!(staff_user.id = %id, "Created staff user");
    Ok(id)
}

/// Checks a username and password; returns the user when they match and the user is active.
pub async fn check_password(
    ctx: &AppContext,
    username: &str,
    password: &str,
) -> Result<Option<StaffUser>, ixorg_store::Error> {
    let mut tx = ctx.db.begin_read().await?;
    let user = repo::by_username(&mut tx, username).await?;
    tx.commit().await?;
    Ok(user.filter(|u| {
        u.active
            && hasher()
                .verify_password(password.as_bytes(), u.password_hash.as_str())
                .is_ok()
    }))
}

//! Where a saved plan comes from: the AWS account it read, the commit of
//! the git checkout it was made in, and when it was made; and the age limit
//! `apply --max-plan-age` holds it to.

use std::path::{Path, PathBuf};
use std::time::Duration;

use chrono::{DateTime, Utc};

use super::EngineError;
use crate::aws::Aws;

/// What a saved plan records about its making.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Provenance {
    /// The AWS account of the credentials (STS GetCallerIdentity).
    pub account_id: String,
    /// The commit checked out in the git checkout holding the project
    /// (None outside a checkout, or on a branch with no commit yet).
    pub git_commit: Option<String>,
    /// When the plan was made: the run's clock (`--now`/`STREAMSCALE_NOW`).
    pub created_at: DateTime<Utc>,
}

impl Provenance {
    /// Read the account from AWS and the commit from the checkout around
    /// `project_root`.
    pub async fn collect(
        aws: &Aws,
        project_root: &Path,
        now: DateTime<Utc>,
    ) -> Result<Self, EngineError> {
        Ok(Provenance {
            account_id: aws.account_id().await?,
            git_commit: git_commit(project_root),
            created_at: now,
        })
    }
}

/// The commit `HEAD` names in the git checkout holding `dir` (looked for
/// upwards, as git does), read from the repository's files: `HEAD`, the
/// loose ref, then `packed-refs`. None when there is no checkout or the
/// files do not name a commit; never an error (a plan is made the same
/// without it).
pub fn git_commit(dir: &Path) -> Option<String> {
    let start = std::fs::canonicalize(dir).unwrap_or_else(|_| dir.to_path_buf());
    let dot_git = start
        .ancestors()
        .map(|d| d.join(".git"))
        .find(|p| p.exists())?;
    let git_dir = resolve_git_dir(&dot_git)?;
    let head = std::fs::read_to_string(git_dir.join("HEAD")).ok()?;
    let head = head.trim();
    let Some(refname) = head.strip_prefix("ref:") else {
        return is_object_id(head).then(|| head.to_ascii_lowercase());
    };
    let refname = refname.trim();
    // A ref name never leaves the repository (no `..`, not absolute).
    if refname
        .split('/')
        .any(|c| c.is_empty() || c == "." || c == "..")
    {
        return None;
    }
    // Worktrees keep HEAD in their own folder and the refs in the common one.
    let common = match std::fs::read_to_string(git_dir.join("commondir")) {
        Ok(rel) => git_dir.join(rel.trim()),
        Err(_) => git_dir.clone(),
    };
    for base in [&git_dir, &common] {
        if let Ok(text) = std::fs::read_to_string(base.join(refname)) {
            let id = text.trim();
            return is_object_id(id).then(|| id.to_ascii_lowercase());
        }
    }
    let packed = std::fs::read_to_string(common.join("packed-refs")).ok()?;
    packed
        .lines()
        .filter(|l| !l.starts_with('#') && !l.starts_with('^'))
        .filter_map(|l| l.split_once(' '))
        .find(|(_, name)| name.trim() == refname)
        .map(|(id, _)| id.trim())
        .filter(|id| is_object_id(id))
        .map(str::to_ascii_lowercase)
}

/// `.git` itself, or the folder a `.git` file points to (`gitdir: PATH`,
/// as in worktrees and submodules).
fn resolve_git_dir(dot_git: &Path) -> Option<PathBuf> {
    if dot_git.is_dir() {
        return Some(dot_git.to_path_buf());
    }
    let text = std::fs::read_to_string(dot_git).ok()?;
    let target = text.lines().next()?.strip_prefix("gitdir:")?.trim();
    let base = dot_git.parent()?;
    Some(base.join(target))
}

/// A SHA-1 (40) or SHA-256 (64) object id in hex.
fn is_object_id(s: &str) -> bool {
    (s.len() == 40 || s.len() == 64) && s.bytes().all(|b| b.is_ascii_hexdigit())
}

/// `--max-plan-age`: a positive duration in whole seconds, written as a
/// number of seconds (`600`) or with units `s`, `m`, `h`, `d` (`30m`,
/// `2h`, `1d`, `1d12h`).
pub fn parse_max_age(text: &str) -> Result<Duration, String> {
    let text = text.trim();
    let bad =
        || format!("`{text}` is not a plan age: use seconds (600) or units (30m, 2h, 1d, 1d12h)");
    if let Ok(secs) = text.parse::<u64>() {
        return if secs == 0 {
            Err(format!("`{text}`: a plan age must be more than 0"))
        } else {
            Ok(Duration::from_secs(secs))
        };
    }
    let total = super::wait::sum_of_terms(
        text,
        &[
            ("s", 1000),
            ("m", 60_000),
            ("h", 3_600_000),
            ("d", 86_400_000),
        ],
    )
    .ok_or_else(bad)?;
    if total.is_zero() {
        return Err(format!("`{text}`: a plan age must be more than 0"));
    }
    Ok(total)
}

/// A duration in whole seconds as `--max-plan-age` takes it (`1d2h`,
/// `30m`, `45s`).
pub fn format_age(d: Duration) -> String {
    let mut secs = d.as_secs();
    if secs == 0 {
        return "0s".into();
    }
    let mut out = String::new();
    for (unit, scale) in [("d", 86_400), ("h", 3600), ("m", 60), ("s", 1)] {
        if secs >= scale {
            out.push_str(&format!("{}{unit}", secs / scale));
            secs %= scale;
        }
    }
    out
}

/// Refuse a plan made more than `max` before `now` ([`EngineError::OldPlan`]).
/// A plan stamped after `now` (clocks apart) is not old.
pub fn check_age(
    created_at: DateTime<Utc>,
    now: DateTime<Utc>,
    max: Duration,
) -> Result<(), EngineError> {
    let age = (now - created_at).to_std().unwrap_or(Duration::ZERO);
    if age > max {
        return Err(EngineError::OldPlan {
            created_at: created_at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
            age: format_age(age),
            max: format_age(max),
        });
    }
    Ok(())
}

/// Refuse a plan made with another AWS account's credentials
/// ([`EngineError::WrongAccount`]).
pub fn check_account(saved: &str, current: &str) -> Result<(), EngineError> {
    if saved != current {
        return Err(EngineError::WrongAccount {
            saved: saved.to_string(),
            current: current.to_string(),
        });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    const A: &str = "0123456789abcdef0123456789abcdef01234567";
    const B: &str = "89abcdef0123456789abcdef0123456789abcdef";

    fn write(path: &Path, text: &str) {
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }

    #[test]
    fn no_checkout_is_none() {
        let dir = tempfile::tempdir().unwrap();
        // A tempdir is outside any checkout on the machines the tests run on;
        // make sure by checking no ancestor has .git.
        if dir.path().ancestors().any(|d| d.join(".git").exists()) {
            return;
        }
        assert_eq!(git_commit(dir.path()), None);
    }

    #[test]
    fn loose_ref_from_a_subfolder() {
        let dir = tempfile::tempdir().unwrap();
        write(&dir.path().join(".git/HEAD"), "ref: refs/heads/main\n");
        write(&dir.path().join(".git/refs/heads/main"), &format!("{A}\n"));
        let sub = dir.path().join("environments/deep");
        std::fs::create_dir_all(&sub).unwrap();
        assert_eq!(git_commit(&sub).as_deref(), Some(A));
    }

    #[test]
    fn packed_ref_and_detached_head() {
        let dir = tempfile::tempdir().unwrap();
        write(&dir.path().join(".git/HEAD"), "ref: refs/heads/release\n");
        write(
            &dir.path().join(".git/packed-refs"),
            &format!(
                "# pack-refs with: peeled fully-peeled sorted\n{B} refs/heads/main\n{A} refs/heads/release\n^{B}\n"
            ),
        );
        assert_eq!(git_commit(dir.path()).as_deref(), Some(A));
        write(
            &dir.path().join(".git/HEAD"),
            &format!("{}\n", B.to_uppercase()),
        );
        assert_eq!(git_commit(dir.path()).as_deref(), Some(B));
    }

    #[test]
    fn worktree_git_file_with_common_dir() {
        let dir = tempfile::tempdir().unwrap();
        let main = dir.path().join("main/.git");
        write(&main.join("refs/heads/feature"), &format!("{B}\n"));
        let wt = main.join("worktrees/feature");
        write(&wt.join("HEAD"), "ref: refs/heads/feature\n");
        write(&wt.join("commondir"), "../..\n");
        let checkout = dir.path().join("feature");
        write(
            &checkout.join(".git"),
            &format!("gitdir: {}\n", wt.display()),
        );
        assert_eq!(git_commit(&checkout).as_deref(), Some(B));
    }

    #[test]
    fn unborn_branch_and_garbage_are_none() {
        let dir = tempfile::tempdir().unwrap();
        write(&dir.path().join(".git/HEAD"), "ref: refs/heads/main\n");
        assert_eq!(git_commit(dir.path()), None);
        write(&dir.path().join(".git/refs/heads/main"), "not a commit\n");
        assert_eq!(git_commit(dir.path()), None);
        write(&dir.path().join(".git/HEAD"), "ref: ../../../etc/passwd\n");
        assert_eq!(git_commit(dir.path()), None);
    }

    #[test]
    fn max_age_parses_units() {
        assert_eq!(parse_max_age("30m"), Ok(Duration::from_secs(1800)));
        assert_eq!(parse_max_age("2h"), Ok(Duration::from_secs(7200)));
        assert_eq!(parse_max_age("1d"), Ok(Duration::from_secs(86_400)));
        assert_eq!(parse_max_age("1d12h"), Ok(Duration::from_secs(129_600)));
        assert_eq!(parse_max_age("600"), Ok(Duration::from_secs(600)));
        for bad in [
            "",
            "0",
            "0m",
            "1w",
            "h",
            "1.5h",
            "-1h",
            "1hh",
            "99999999999999999999d",
        ] {
            assert!(parse_max_age(bad).is_err(), "{bad:?} parsed");
        }
    }

    #[test]
    fn age_check_refuses_only_past_the_limit() {
        let made: DateTime<Utc> = "2026-03-01T10:00:00Z".parse().unwrap();
        let max = Duration::from_secs(1800);
        let at = |s: &str| s.parse::<DateTime<Utc>>().unwrap();
        assert!(check_age(made, at("2026-03-01T10:30:00Z"), max).is_ok());
        assert!(check_age(made, at("2026-03-01T09:00:00Z"), max).is_ok());
        let err = check_age(made, at("2026-03-01T12:15:30Z"), max).unwrap_err();
        assert!(
            matches!(&err, EngineError::OldPlan { age, max, .. } if age == "2h15m30s" && max == "30m"),
            "{err:?}"
        );
    }

    #[test]
    fn account_check_names_both() {
        assert!(check_account("123456789012", "123456789012").is_ok());
        let err = check_account("123456789012", "210987654321").unwrap_err();
        let text = err.to_string();
        assert!(
            text.contains("123456789012") && text.contains("210987654321"),
            "{text}"
        );
    }
}

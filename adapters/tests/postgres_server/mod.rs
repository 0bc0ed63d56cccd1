//! A real PostgreSQL server for tests and benches: Debian's `postgresql` binaries, a cluster
//! made by `initdb` in a scratch folder, listening on a free loopback port (and a socket in
//! that folder), stopped by `pg_ctl` and removed when dropped — also when a test panics.
//!
//! The binaries are found through `pg_config --bindir`, `/usr/lib/postgresql/*/bin` (newest
//! first) or `PATH`. `initdb` and `postgres` refuse to run as root: as root they run as the
//! unprivileged `nobody`, owning the cluster's folders. Logins over TCP need the password
//! ([`PASSWORD`], SCRAM); over the socket they are trusted.
//!
//! Without the binaries [`PgServer::start`] prints why it skips and gives `None`, except under
//! CI (`CI` set), where it panics: a test must not pass by skipping there.

#![allow(dead_code, reason = "each test binary uses a part of it")]
#![allow(clippy::panic, reason = "a test helper fails by panicking")]

use std::net::TcpListener;
use std::os::unix::fs::{PermissionsExt, chown};
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

/// The password of the cluster's superuser `kiro`.
pub const PASSWORD: &str = "k1ro-s3cret";

/// A running PostgreSQL server.
pub struct PgServer {
    bin: PathBuf,
    dir: tempfile::TempDir,
    data: PathBuf,
    /// The user the server runs as, when started by root.
    run_as: Option<(u32, u32)>,
    /// Its loopback port.
    pub port: u16,
}

/// Whether the tests run under CI (`CI` set and not `false`/`0`).
fn in_ci() -> bool {
    std::env::var("CI").is_ok_and(|v| !v.is_empty() && v != "false" && v != "0")
}

/// The folder with `initdb`, `pg_ctl`, `postgres` and `psql`, if PostgreSQL is installed.
pub fn binaries() -> Option<PathBuf> {
    let has_all = |dir: &Path| {
        ["initdb", "pg_ctl", "postgres", "psql"]
            .iter()
            .all(|b| dir.join(b).is_file())
    };
    let mut candidates = Vec::new();
    if let Ok(out) = Command::new("pg_config").arg("--bindir").output()
        && out.status.success()
    {
        candidates.push(PathBuf::from(
            String::from_utf8_lossy(&out.stdout).trim().to_owned(),
        ));
    }
    if let Ok(versions) = std::fs::read_dir("/usr/lib/postgresql") {
        let mut found: Vec<(u32, PathBuf)> = versions
            .flatten()
            .filter_map(|v| {
                let n = v.file_name().to_str()?.parse().ok()?;
                Some((n, v.path().join("bin")))
            })
            .collect();
        found.sort_by_key(|v| std::cmp::Reverse(v.0));
        candidates.extend(found.into_iter().map(|(_, p)| p));
    }
    if let Some(paths) = std::env::var_os("PATH") {
        candidates.extend(std::env::split_paths(&paths));
    }
    candidates.into_iter().find(|dir| has_all(dir))
}

/// A free loopback port (bound, then released).
fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free loopback port")
}

/// The user and group ids of `name` in `/etc/passwd`.
fn user_ids(name: &str) -> Option<(u32, u32)> {
    let passwd = std::fs::read_to_string("/etc/passwd").ok()?;
    passwd.lines().find_map(|line| {
        let fields: Vec<&str> = line.split(':').collect();
        (fields.first() == Some(&name) && fields.len() > 3)
            .then(|| Some((fields[2].parse().ok()?, fields[3].parse().ok()?)))
            .flatten()
    })
}

fn is_root() -> bool {
    std::fs::metadata("/proc/self")
        .map(|m| std::os::unix::fs::MetadataExt::uid(&m) == 0)
        .unwrap_or(false)
}

impl PgServer {
    /// Starts a new cluster; `None` (after saying why) when PostgreSQL is not installed.
    /// `durable` keeps PostgreSQL's default of syncing every commit to disk (for
    /// measurements); tests run without (`fsync=off`), as nothing here survives a crash.
    pub fn start(durable: bool) -> Option<PgServer> {
        let Some(bin) = binaries() else {
            assert!(
                !in_ci(),
                "PostgreSQL (initdb, pg_ctl, postgres, psql) is not installed, and CI is set: \
                 run `.ci/install-tools.sh postgresql` (Debian package `postgresql`)"
            );
            eprintln!(
                "SKIPPED: no PostgreSQL binaries (initdb, pg_ctl, postgres, psql) in \
                 `pg_config --bindir`, /usr/lib/postgresql/*/bin or PATH; install the Debian \
                 package `postgresql` or run `.ci/install-tools.sh postgresql`"
            );
            return None;
        };
        let run_as = if is_root() {
            Some(user_ids("nobody").expect(
                "running as root, PostgreSQL must run as another user, and `nobody` is missing",
            ))
        } else {
            None
        };
        let dir = tempfile::Builder::new()
            .prefix("kiro-pg-")
            .tempdir()
            .expect("a scratch folder");
        // The server's user must reach its folders inside.
        std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o755))
            .expect("the scratch folder opens to the server's user");
        let data = dir.path().join("data");
        let socket = dir.path().join("socket");
        let pwfile = dir.path().join("password");
        std::fs::create_dir(&socket).expect("a socket folder");
        std::fs::write(&pwfile, PASSWORD).expect("a password file");
        if let Some((uid, gid)) = run_as {
            for path in [&socket, &pwfile] {
                chown(path, Some(uid), Some(gid)).expect("the server's user owns its files");
            }
            std::fs::create_dir(&data).expect("a data folder");
            chown(&data, Some(uid), Some(gid)).expect("the server's user owns its data");
        }
        let mut server = PgServer {
            bin,
            dir,
            data,
            run_as,
            port: 0,
        };
        let init = server
            .command("initdb")
            .arg("-D")
            .arg(&server.data)
            .args(["-U", "kiro", "-E", "UTF8", "--locale=C", "--no-sync"])
            .args(["--auth-local=trust", "--auth-host=scram-sha-256"])
            .arg(format!("--pwfile={}", pwfile.display()))
            .output()
            .expect("initdb runs");
        assert!(init.status.success(), "initdb failed: {}", text(&init));
        let mut last = String::new();
        for _ in 0..3 {
            let port = free_port();
            let mut options = format!(
                "-c listen_addresses=127.0.0.1 -p {port} -k {} -c max_connections=50",
                socket.display()
            );
            if !durable {
                options.push_str(" -c fsync=off -c synchronous_commit=off");
            }
            let started = server
                .command("pg_ctl")
                .arg("-D")
                .arg(&server.data)
                .arg("-l")
                .arg(server.dir.path().join("socket/server.log"))
                .args(["-w", "-t", "60", "-o", &options, "start"])
                .output()
                .expect("pg_ctl runs");
            if started.status.success() {
                server.port = port;
                return Some(server);
            }
            last = format!(
                "{}\n{}",
                text(&started),
                std::fs::read_to_string(server.dir.path().join("socket/server.log"))
                    .unwrap_or_default()
            );
        }
        panic!("PostgreSQL did not start: {last}");
    }

    /// A command of the PostgreSQL binaries, run as the server's user, in its folder.
    fn command(&self, program: &str) -> Command {
        let mut cmd = Command::new(self.bin.join(program));
        cmd.current_dir(self.dir.path())
            .env("LC_ALL", "C")
            .env_remove("PGDATA")
            .stdin(Stdio::null());
        if let Some((uid, gid)) = self.run_as {
            cmd.uid(uid).gid(gid);
        }
        cmd
    }

    /// The URL of database `db` with the password.
    pub fn url(&self, db: &str) -> String {
        format!("postgres://kiro:{PASSWORD}@127.0.0.1:{}/{db}", self.port)
    }

    /// The URL of database `db` over the server's Unix socket (trusted, no password).
    pub fn socket_url(&self, db: &str) -> String {
        let folder = self.dir.path().join("socket").display().to_string();
        format!(
            "postgresql://kiro@{}:{}/{db}",
            folder.replace('/', "%2F"),
            self.port
        )
    }

    /// Runs `sql` with `psql` on database `db` (over the trusted socket); its output, or a
    /// panic with psql's.
    pub fn psql(&self, db: &str, sql: &str) -> String {
        let out = self
            .command("psql")
            .arg("-h")
            .arg(self.dir.path().join("socket"))
            .args(["-p", &self.port.to_string(), "-U", "kiro", "-d", db])
            .args(["-v", "ON_ERROR_STOP=1", "-X", "-q", "-A", "-t", "-c", sql])
            .output()
            .expect("psql runs");
        assert!(out.status.success(), "psql `{sql}` failed: {}", text(&out));
        String::from_utf8_lossy(&out.stdout).trim().to_owned()
    }

    /// A new, empty database named `name`; its URL.
    pub fn database(&self, name: &str) -> String {
        self.psql("postgres", &format!("CREATE DATABASE {name}"));
        self.url(name)
    }

    /// Stops the server now (as dropping it would).
    pub fn stop(&self) {
        for mode in ["fast", "immediate"] {
            let stopped = self
                .command("pg_ctl")
                .arg("-D")
                .arg(&self.data)
                .args(["-m", mode, "-w", "-t", "30", "stop"])
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .status();
            if stopped.is_ok_and(|s| s.success()) {
                return;
            }
        }
    }
}

impl Drop for PgServer {
    fn drop(&mut self) {
        if self.port != 0 {
            self.stop();
        }
    }
}

fn text(out: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

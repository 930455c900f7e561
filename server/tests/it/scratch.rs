//! Throwaway etcd clusters of several members for the maintenance tests:
//! never the shared test bed. Killed, and their data removed, on drop.
#![allow(dead_code)] // shared by etcd_maintenance, etcd_actions and limits, each uses a subset

use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use app::error::AppError;
use app::etcd::status::read_status;
use app::etcd::EtcdStatus;
use app::etcd::{EtcdConfig, Gateway};

use crate::common::{free_port, TempDir};

/// One etcd process of a scratch cluster.
pub struct Member {
    pub name: String,
    pub client: String,
    pub peer: String,
    child: Option<Child>,
}

/// Members on 127.0.0.1, each with its own ports and data directory.
pub struct Cluster {
    pub members: Vec<Member>,
    token: String,
    dir: TempDir,
}

impl Cluster {
    /// Starts `n` members as one new cluster, each with `extra` flags.
    pub fn start(tag: &str, n: usize, extra: &[&str]) -> Cluster {
        let dir = TempDir::new(tag);
        let token = format!("patrol-{tag}-{}", free_port());
        let mut members: Vec<Member> = (1..=n)
            .map(|i| Member {
                name: format!("m{i}"),
                client: format!("http://127.0.0.1:{}", free_port()),
                peer: format!("http://127.0.0.1:{}", free_port()),
                child: None,
            })
            .collect();
        let initial: Vec<String> = members
            .iter()
            .map(|m| format!("{}={}", m.name, m.peer))
            .collect();
        let initial = initial.join(",");
        let mut cluster = Cluster {
            members: Vec::new(),
            token,
            dir,
        };
        for m in &mut members {
            m.child = Some(cluster.spawn(m, &initial, "new", extra));
        }
        // A client whose first connection is refused passes that error to
        // a request; let every member listen before handing out gateways.
        for m in &members {
            listening(&m.client);
        }
        cluster.members = members;
        cluster
    }

    /// [`Cluster::start`], then waits until every member is healthy and one
    /// leads: the cluster, a gateway to it and that first status.
    pub async fn start_ready(
        tag: &str,
        n: usize,
        extra: &[&str],
    ) -> (Cluster, Gateway, EtcdStatus) {
        let cluster = Cluster::start(tag, n, extra);
        let gw = cluster.gateway();
        let status = ready(&gw, n).await;
        (cluster, gw, status)
    }

    fn spawn(&self, m: &Member, initial: &str, state: &str, extra: &[&str]) -> Child {
        let data = self.dir.path().join(&m.name);
        etcd(m, &data, initial, state, &self.token)
            .args(extra)
            .spawn()
            .expect("spawn etcd (is etcd-server installed?)")
    }

    /// Starts a member the cluster already knows of (a learner just
    /// added), with the `ETCD_INITIAL_CLUSTER` etcd gave for it.
    pub fn join(&mut self, name: &str, peer: &str, initial_cluster: &str) -> &Member {
        let m = Member {
            name: name.to_owned(),
            client: format!("http://127.0.0.1:{}", free_port()),
            peer: peer.to_owned(),
            child: None,
        };
        let child = self.spawn(&m, initial_cluster, "existing", &[]);
        self.members.push(Member {
            child: Some(child),
            ..m
        });
        &self.members[self.members.len() - 1]
    }

    /// Client URLs of the members started here.
    pub fn endpoints(&self) -> Vec<String> {
        self.members.iter().map(|m| m.client.clone()).collect()
    }

    /// A gateway to every member, as Patrol's flags would make it.
    pub fn gateway(&self) -> Gateway {
        Gateway::new(&EtcdConfig {
            endpoints: self.endpoints(),
            cacert: None,
            cert: None,
            key: None,
            user: None,
            dial_timeout: Duration::from_secs(3),
            command_timeout: Duration::from_secs(5),
        })
        .expect("gateway")
    }

    /// Kills member `i` hard, as a crash would.
    /// The process ID of member `i`, while it runs.
    pub fn pid(&self, i: usize) -> Option<u32> {
        self.members.get(i)?.child.as_ref().map(Child::id)
    }

    pub fn kill(&mut self, i: usize) {
        if let Some(mut c) = self.members[i].child.take() {
            let _ = c.kill();
            let _ = c.wait();
        }
    }
}

impl Drop for Cluster {
    fn drop(&mut self) {
        for i in 0..self.members.len() {
            self.kill(i);
        }
    }
}

/// The command that starts member `m`, its data in `data`.
fn etcd(m: &Member, data: &Path, initial: &str, state: &str, token: &str) -> Command {
    let mut etcd = Command::new("etcd");
    etcd.arg(format!("--name={}", m.name))
        .arg(format!("--data-dir={}", data.display()))
        .arg(format!("--listen-client-urls={}", m.client))
        .arg(format!("--advertise-client-urls={}", m.client))
        .arg(format!("--listen-peer-urls={}", m.peer))
        .arg(format!("--initial-advertise-peer-urls={}", m.peer))
        .arg(format!("--initial-cluster={initial}"))
        .arg(format!("--initial-cluster-state={state}"))
        .arg(format!("--initial-cluster-token={token}"))
        .args(["--heartbeat-interval=50", "--election-timeout=500"])
        .args(["--log-level=error", "--logger=zap"])
        // Stray ETCD_* variables would reconfigure etcd.
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .stdout(Stdio::null())
        .stderr(Stdio::null());
    etcd
}

/// A member joining a cluster started elsewhere (a learner added to the
/// test bed): killed, and its data removed, on drop.
pub struct Joiner {
    pub member: Member,
    _dir: TempDir,
}

impl Joiner {
    /// Starts `name` at `peer` with the `ETCD_INITIAL_CLUSTER` etcd gave.
    pub fn start(name: &str, peer: &str, initial_cluster: &str) -> Joiner {
        let dir = TempDir::new("joiner");
        let mut member = Member {
            name: name.to_owned(),
            client: format!("http://127.0.0.1:{}", free_port()),
            peer: peer.to_owned(),
            child: None,
        };
        let child = etcd(
            &member,
            &dir.path().join(name),
            initial_cluster,
            "existing",
            "-",
        )
        .spawn()
        .expect("spawn etcd (is etcd-server installed?)");
        member.child = Some(child);
        Joiner { member, _dir: dir }
    }
}

impl Drop for Joiner {
    fn drop(&mut self) {
        if let Some(mut c) = self.member.child.take() {
            let _ = c.kill();
            let _ = c.wait();
        }
    }
}

/// Waits until something accepts connections at `url` (10 s at most).
fn listening(url: &str) {
    let addr = url.trim_start_matches("http://");
    let deadline = Instant::now() + Duration::from_secs(10);
    while std::net::TcpStream::connect(addr).is_err() {
        assert!(Instant::now() < deadline, "etcd never listened at {url}");
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// Runs `op` again while etcd refuses it as "unhealthy cluster": etcd's
/// strict reconfiguration check wants every member connected for 5 s
/// before it changes the membership, which a fresh cluster is not.
pub async fn when_settled<T, F, Fut>(mut op: F) -> Result<T, AppError>
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Result<T, AppError>>,
{
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        match op().await {
            Err(AppError::Conflict(e)) if e.contains("unhealthy") && Instant::now() < deadline => {
                tokio::time::sleep(Duration::from_millis(500)).await;
            }
            other => return other,
        }
    }
}

/// Polls the status until `want` holds (30 s at most).
pub async fn wait_for(gw: &Gateway, what: &str, want: impl Fn(&EtcdStatus) -> bool) -> EtcdStatus {
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let status = read_status(gw).await;
        match &status {
            Ok(s) if want(s) => return s.clone(),
            _ if Instant::now() > deadline => panic!("never {what}; last: {status:#?}"),
            _ => tokio::time::sleep(Duration::from_millis(200)).await,
        }
    }
}

/// Waits until `n` members are healthy and one of them leads.
pub async fn ready(gw: &Gateway, n: usize) -> EtcdStatus {
    wait_for(gw, "ready", |s| {
        s.members.iter().filter(|m| m.healthy).count() == n && s.members.iter().any(|m| m.is_leader)
    })
    .await
}

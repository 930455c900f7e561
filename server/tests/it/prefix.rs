//! A private prefix in the test bed's etcd for tests that write keys of
//! their own (never Patroni's): removed on drop, even when the test fails.

use std::time::{SystemTime, UNIX_EPOCH};

use etcd_client::{Client, DeleteOptions};

use crate::common::{etcd_client, testbed_endpoints};

/// The test bed's etcd endpoints as a list.
pub fn endpoints() -> Vec<String> {
    testbed_endpoints().split(',').map(str::to_owned).collect()
}

/// `/patrol-test/<tag>-<nanos>/` in the test bed, deleted on drop.
pub struct Scratch {
    pub etcd: Client,
    pub prefix: String,
}

impl Scratch {
    pub async fn new(tag: &str) -> Scratch {
        let nanos = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos());
        Scratch {
            etcd: etcd_client(&endpoints()).await,
            prefix: format!("/patrol-test/{tag}-{nanos}/"),
        }
    }

    /// `rest` under the prefix.
    pub fn key(&self, rest: &str) -> String {
        format!("{}{rest}", self.prefix)
    }

    /// Puts `value` at `key` around Patrol; the revision it made.
    pub async fn put(&mut self, key: impl Into<Vec<u8>>, value: impl Into<Vec<u8>>) -> i64 {
        let resp = self.etcd.put(key, value, None).await.expect("put");
        resp.header().map_or(0, |h| h.revision())
    }

    /// The value and mod revision etcd holds for `key`, read around Patrol.
    pub async fn read(&mut self, key: impl Into<Vec<u8>>) -> Option<(Vec<u8>, i64)> {
        let resp = self.etcd.get(key, None).await.expect("get");
        resp.kvs()
            .first()
            .map(|kv| (kv.value().to_vec(), kv.mod_revision()))
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let prefix = self.prefix.clone();
        // A thread with its own runtime and client: the test's runtime is
        // blocked here, and its client's connection runs on that runtime.
        let _ = std::thread::spawn(move || {
            let Ok(rt) = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
            else {
                return;
            };
            rt.block_on(async {
                if let Ok(mut etcd) = Client::connect(endpoints(), None).await {
                    let _ = etcd
                        .delete(prefix, Some(DeleteOptions::new().with_prefix()))
                        .await;
                }
            });
        })
        .join();
    }
}

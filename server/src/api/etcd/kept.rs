//! `--snapshot-dir`: a copy of every snapshot downloaded through Patrol,
//! written as it streams by, with a `<file>.json` beside it that says what
//! it holds (like `etcdctl snapshot status`). `GET /snapshots` lists them.

use app::fleet::request::Scoped;
use std::path::{Path, PathBuf};

use app::error::AppError;
use app::etcd::snapshot::{Kept, KeptList};
use axum::Json;
use tokio::fs::{self, File};
use tokio::io::AsyncWriteExt;

/// `GET /snapshots`: `{ "dir", "snapshots": [..] }`, newest first; `dir`
/// is null without `--snapshot-dir`. Open to viewers: it names files, and
/// the files themselves are not served.
pub async fn list(Scoped(state): Scoped) -> Result<Json<KeptList>, AppError> {
    let Some(dir) = state.snapshot_dir.as_deref() else {
        return Ok(Json(KeptList::default()));
    };
    let mut kept = Vec::new();
    let mut entries = fs::read_dir(dir)
        .await
        .map_err(|e| AppError::Internal(format!("reading {}: {e}", dir.display())))?;
    while let Ok(Some(entry)) = entries.next_entry().await {
        let path = entry.path();
        if !path.to_string_lossy().ends_with(".db.json") {
            continue;
        }
        // A sidecar that does not parse (edited by hand, say) is skipped,
        // not fatal: the listing is a convenience.
        match fs::read(&path)
            .await
            .map(|b| serde_json::from_slice::<Kept>(&b))
        {
            Ok(Ok(k)) => kept.push(k),
            Ok(Err(e)) => tracing::warn!(path = %path.display(), "unreadable snapshot record: {e}"),
            Err(e) => tracing::warn!(path = %path.display(), "unreadable snapshot record: {e}"),
        }
    }
    kept.sort_by(|a, b| b.taken_at.cmp(&a.taken_at).then(b.file.cmp(&a.file)));
    Ok(Json(KeptList {
        dir: Some(dir.display().to_string()),
        snapshots: kept,
    }))
}

/// A copy being written: `.<file>.partial` until it is whole, then renamed.
pub struct Copy {
    dir: PathBuf,
    file: String,
    out: File,
}

impl Copy {
    /// Starts a copy of `file` in `dir`.
    pub async fn create(dir: &Path, file: &str) -> Result<Copy, String> {
        let out = File::create(partial(dir, file))
            .await
            .map_err(|e| format!("creating a copy in {}: {e}", dir.display()))?;
        Ok(Copy {
            dir: dir.to_owned(),
            file: file.to_owned(),
            out,
        })
    }

    /// Appends a chunk.
    pub async fn write(&mut self, chunk: &[u8]) -> Result<(), String> {
        self.out
            .write_all(chunk)
            .await
            .map_err(|e| format!("writing {}: {e}", self.file))
    }

    /// Syncs the copy, gives it its name and writes its record; both are on
    /// disk before this returns.
    pub async fn finish(mut self, kept: &Kept) -> Result<PathBuf, String> {
        let io = |e: std::io::Error| format!("finishing {}: {e}", self.file);
        self.out.flush().await.map_err(io)?;
        self.out.sync_all().await.map_err(io)?;
        let path = self.dir.join(&self.file);
        fs::rename(partial(&self.dir, &self.file), &path)
            .await
            .map_err(io)?;
        let record = serde_json::to_vec_pretty(kept).map_err(|e| e.to_string())?;
        let tmp = self.dir.join(format!(".{}.json.partial", self.file));
        let mut out = File::create(&tmp).await.map_err(io)?;
        out.write_all(&record).await.map_err(io)?;
        out.sync_all().await.map_err(io)?;
        fs::rename(&tmp, self.dir.join(format!("{}.json", self.file)))
            .await
            .map_err(io)?;
        File::open(&self.dir)
            .await
            .map_err(io)?
            .sync_all()
            .await
            .map_err(io)?;
        Ok(path)
    }

    /// Removes what was written of a copy that will not be whole.
    pub async fn discard(self) {
        drop(self.out);
        let _ = fs::remove_file(partial(&self.dir, &self.file)).await;
    }
}

fn partial(dir: &Path, file: &str) -> PathBuf {
    dir.join(format!(".{file}.partial"))
}

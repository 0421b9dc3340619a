//! Where issued challenges wait for their answer: single use, tied to a session.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, SystemTime};

use super::{ChallengeForm, LoginError, NONCE_LEN};

/// An issued challenge, as the store keeps it.
#[derive(Clone, PartialEq, Eq)]
pub struct ChallengeRecord {
    /// Its nonce (the key).
    pub nonce: [u8; NONCE_LEN],
    /// The service's session it was issued to.
    pub session: String,
    /// Its form.
    pub form: ChallengeForm,
    /// When it was issued.
    pub issued_at: SystemTime,
    /// When it stops being answerable.
    pub expires_at: SystemTime,
}

impl core::fmt::Debug for ChallengeRecord {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        // The session identifier is the service's secret: not printed.
        f.debug_struct("ChallengeRecord")
            .field("form", &self.form)
            .field("issued_at", &self.issued_at)
            .field("expires_at", &self.expires_at)
            .finish_non_exhaustive()
    }
}

/// What [`ChallengeStore::take`] found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Taken {
    /// The challenge was waiting for this session; it is now used (never answerable again).
    Issued(ChallengeRecord),
    /// The challenge was answered before.
    AlreadyUsed,
    /// The challenge waits for another session; it stays unused.
    OtherSession,
    /// No such challenge (never issued, or forgotten after its expiry).
    Unknown,
}

/// The store of issued challenges. Implementations must make [`take`](Self::take) atomic:
/// of two concurrent takes of one challenge for its session, exactly one sees
/// [`Taken::Issued`]. A service with several processes implements it over its shared
/// database (a conditional update, or a delete that reports whether a row was deleted).
pub trait ChallengeStore: Send + Sync {
    /// Keeps a new challenge.
    fn insert(&self, record: ChallengeRecord) -> Result<(), LoginError>;
    /// Marks the challenge `nonce` used if it waits for `session`, atomically, and says what
    /// it found.
    fn take(&self, nonce: &[u8; NONCE_LEN], session: &str) -> Result<Taken, LoginError>;
}

/// How long the in-memory store remembers a challenge after its expiry.
const FORGET_AFTER_EXPIRY: Duration = Duration::from_secs(10 * 60);

#[derive(Debug)]
struct Entry {
    record: ChallengeRecord,
    used: bool,
}

/// The in-memory store (one process): a map behind a mutex. A used challenge is remembered
/// until 10 minutes after its expiry (so a replay is told apart from an unknown challenge), and
/// expired entries are dropped as new ones are inserted, so memory stays bounded by the issuing
/// rate times the lifetime; and by a cap ([`DEFAULT_STORE_LIMIT`] entries unless
/// [`with_limit`](Self::with_limit) says otherwise), beyond which issuing fails
/// ([`LoginError::Store`]) rather than let a flood of challenge requests grow it.
#[derive(Debug)]
pub struct MemoryChallengeStore {
    entries: Mutex<HashMap<[u8; NONCE_LEN], Entry>>,
    limit: usize,
}

/// How many challenges a [`MemoryChallengeStore`] remembers at most by default.
pub const DEFAULT_STORE_LIMIT: usize = 1_000_000;

impl Default for MemoryChallengeStore {
    fn default() -> Self {
        Self::with_limit(DEFAULT_STORE_LIMIT)
    }
}

impl MemoryChallengeStore {
    /// An empty store with the default cap.
    pub fn new() -> Self {
        Self::default()
    }

    /// An empty store remembering at most `limit` challenges.
    pub fn with_limit(limit: usize) -> Self {
        Self {
            entries: Mutex::new(HashMap::new()),
            limit,
        }
    }

    /// How many challenges it remembers (issued or used, not yet dropped).
    pub fn len(&self) -> usize {
        self.entries.lock().map_or(0, |e| e.len())
    }

    /// Whether it remembers none.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    fn lock(
        &self,
    ) -> Result<std::sync::MutexGuard<'_, HashMap<[u8; NONCE_LEN], Entry>>, LoginError> {
        self.entries
            .lock()
            .map_err(|_| LoginError::Store("lock poisoned".into()))
    }
}

impl ChallengeStore for MemoryChallengeStore {
    fn insert(&self, record: ChallengeRecord) -> Result<(), LoginError> {
        let mut entries = self.lock()?;
        let now = SystemTime::now();
        // Kept a while past expiry, so that a late answer is told "expired", not "unknown".
        entries.retain(|_, e| e.record.expires_at + FORGET_AFTER_EXPIRY >= now);
        if entries.len() >= self.limit {
            return Err(LoginError::Store("the challenge store is full".into()));
        }
        if entries.contains_key(&record.nonce) {
            // 256 random bits never collide; a caller inserting one nonce twice is a bug.
            return Err(LoginError::Store("nonce already issued".into()));
        }
        entries.insert(
            record.nonce,
            Entry {
                record,
                used: false,
            },
        );
        Ok(())
    }

    fn take(&self, nonce: &[u8; NONCE_LEN], session: &str) -> Result<Taken, LoginError> {
        let mut entries = self.lock()?;
        Ok(match entries.get_mut(nonce) {
            None => Taken::Unknown,
            Some(e) if e.used => Taken::AlreadyUsed,
            Some(e) if e.record.session != session => Taken::OtherSession,
            Some(e) => {
                e.used = true;
                Taken::Issued(e.record.clone())
            }
        })
    }
}

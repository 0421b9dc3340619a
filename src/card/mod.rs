//! Card access above the transport, shared by every card application: the [`Channel`]
//! (chaining, Le correction, counts, transcripts) and the file, PIN and key operations with
//! their fallbacks (`AppSession`), each written once.

mod app;
mod cancel;
mod channel;
mod transcript;

pub(crate) use app::AppSession;
pub use app::SessionOptions;
pub use cancel::CancelToken;
pub use channel::Channel;
pub use transcript::{ExchangeStats, Transcript, TranscriptEntry};

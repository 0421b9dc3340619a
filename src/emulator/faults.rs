//! Link faults the emulated card can be told to produce, for recovery tests.

use crate::apdu::{Command, StatusWord};

/// A one-shot fault: when [`Fault::when`] matches a command, [`Fault::effect`] happens instead
/// of (or after) the normal answer, and the fault is used up.
///
/// Commands sent while the card is removed, or refused by the link as too long, do not count
/// and never trigger a fault.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Fault {
    /// Which command triggers it.
    pub when: FaultTrigger,
    /// What happens.
    pub effect: FaultEffect,
}

impl Fault {
    /// A fault from its trigger and effect.
    pub const fn new(when: FaultTrigger, effect: FaultEffect) -> Self {
        Self { when, effect }
    }

    /// The next command is never processed and the link drops ([`FaultEffect::DropBefore`]).
    pub const fn drop_next() -> Self {
        Self::new(FaultTrigger::NextCommand, FaultEffect::DropBefore)
    }

    /// The next command is processed, then the link drops ([`FaultEffect::LoseResponse`]).
    pub const fn lose_next_response() -> Self {
        Self::new(FaultTrigger::NextCommand, FaultEffect::LoseResponse)
    }
}

/// Which command a [`Fault`] fires on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FaultTrigger {
    /// The next command that reaches the card.
    NextCommand,
    /// The n-th command from the time of injection, 0-based (`CommandIndex(0)` is
    /// [`FaultTrigger::NextCommand`]). If another fault took that command, this one fires on
    /// the next command after it.
    CommandIndex(usize),
    /// The next command whose first two bytes are this CLA and INS (for example `(0x80, 0x2A)`
    /// for the next COMPUTE DIGITAL SIGNATURE).
    NextMatching {
        /// The CLA and INS bytes to match.
        cla_ins: (u8, u8),
    },
    /// The next VERIFY that carries a PIN (not a retry-counter query).
    NextVerifyWithData,
}

/// What a [`Fault`] does to the command it fires on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FaultEffect {
    /// The command never reaches the card; `transmit` returns
    /// [`crate::transport::TransportError::TagLost`]. The card then behaves as if tapped
    /// again: power cycled (no application selected, no PIN verified, counters kept).
    DropBefore,
    /// The card processes the command (its state changes: a VERIFY moves the counter), then
    /// the response is lost: `transmit` returns
    /// [`crate::transport::TransportError::TagLost`] and the card is power cycled as for
    /// [`FaultEffect::DropBefore`].
    LoseResponse,
    /// The card processes the command but answers too late: `transmit` returns
    /// [`crate::transport::TransportError::Timeout`]. The card stays in the field with its
    /// state.
    Timeout,
    /// The command is not processed; the card answers this status word alone.
    Respond(StatusWord),
}

/// A fault waiting for its command.
#[derive(Debug, Clone, Copy)]
pub(crate) struct ArmedFault {
    trigger: ArmedTrigger,
    pub(crate) effect: FaultEffect,
}

#[derive(Debug, Clone, Copy)]
enum ArmedTrigger {
    /// Fires on the command with this sequence number or any later one.
    AtOrAfter(u64),
    Matching(u8, u8),
    VerifyWithData,
}

impl ArmedFault {
    /// Arms `fault`, `seq` being the sequence number the next command will get.
    pub(crate) fn arm(fault: Fault, seq: u64) -> Self {
        let trigger = match fault.when {
            FaultTrigger::NextCommand => ArmedTrigger::AtOrAfter(seq),
            FaultTrigger::CommandIndex(n) => {
                ArmedTrigger::AtOrAfter(seq.saturating_add(u64::try_from(n).unwrap_or(u64::MAX)))
            }
            FaultTrigger::NextMatching { cla_ins } => ArmedTrigger::Matching(cla_ins.0, cla_ins.1),
            FaultTrigger::NextVerifyWithData => ArmedTrigger::VerifyWithData,
        };
        Self {
            trigger,
            effect: fault.effect,
        }
    }

    /// Whether this fault fires on `bytes`, the command with sequence number `seq`.
    pub(crate) fn matches(&self, seq: u64, bytes: &[u8]) -> bool {
        match self.trigger {
            ArmedTrigger::AtOrAfter(target) => seq >= target,
            ArmedTrigger::Matching(cla, ins) => {
                bytes.first() == Some(&cla) && bytes.get(1) == Some(&ins)
            }
            ArmedTrigger::VerifyWithData => Command::parse(bytes)
                .is_ok_and(|(c, _)| c.cla == 0x00 && c.ins == 0x20 && !c.data().is_empty()),
        }
    }
}

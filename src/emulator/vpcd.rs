//! The emulated card as a virtual smart card in a real PC/SC stack: the card side of
//! vsmartcard's `vpcd` reader driver, so every PC/SC program on the machine (OpenSC, browsers,
//! third-party middleware, this crate's own `pcsc` transport) sees the emulated card in a
//! reader named like `Virtual PCD 00 00`.
//!
//! The protocol: the card connects over TCP to the reader driver (loaded by `pcscd`, listening
//! on `127.0.0.1:35963`). Every message either way is a 2-byte big-endian length and a payload.
//! From the reader, a 1-byte payload is a control code (`00` power off, `01` power on, `02`
//! reset, `04` get ATR, answered with the ATR bytes); anything longer is a command APDU,
//! answered with the response APDU. Those control codes are what vsmartcard's reader driver
//! sends for pcscd's `IFDHPowerICC` actions (`virtualsmartcard/src/vpcd/ifd.c`:
//! `IFD_POWER_DOWN` → `vicc_poweroff`, `IFD_POWER_UP` → `vicc_poweron`, `IFD_RESET` →
//! `vicc_reset`, each followed by a request for the ATR; `src/vpcd/vpcd.c`), and pcscd asks for
//! them as pcsc-lite's `winscard.c` says: `SCardDisconnect`/`SCardReconnect` with
//! `SCARD_UNPOWER_CARD` power the card down (a later connect powers it up), with
//! `SCARD_RESET_CARD` reset it. So the card sees what a real one sees: power off is
//! [`EmulatedCard::power_off`] (every security status gone), power on is
//! [`EmulatedCard::power_on`], reset is a warm reset, [`EmulatedCard::warm_reset`] (the MF state
//! current, a verified PIN kept for its application; PROTOCOL.md 3a).
//!
//! [`VirtualCard::run`] reconnects when the driver drops the link (pcscd restarted) and
//! survives any PC/SC client dying mid-flow (pcscd then resets the card).

use std::io::{self, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

use zeroize::Zeroize;

use super::EmulatedCard;
use crate::transport::CardTransport;

/// The port vpcd listens on by default (`0x8C7B`, the `CHANNELID` of its `reader.conf`).
pub const DEFAULT_PORT: u16 = 35963;

/// The ATR the emulated card answers with: the contact-interface ATR of a My Number Card
/// (`3B E0 00 FF 81 31 FE 45 14`: T=1, IFSC 254), the one OpenSC's `jpki` driver matches.
/// Contactless readers instead build a PC/SC ATR (`3B 8x 80 01 ...`) from the Type B answer;
/// OpenSC then finds the card by selecting the JPKI application.
pub const MY_NUMBER_CARD_ATR: [u8; 9] = [0x3B, 0xE0, 0x00, 0xFF, 0x81, 0x31, 0xFE, 0x45, 0x14];

/// vpcd's control codes.
const CTRL_OFF: u8 = 0x00;
const CTRL_ON: u8 = 0x01;
const CTRL_RESET: u8 = 0x02;
const CTRL_ATR: u8 = 0x04;

/// `6F00`, answered when the emulator fails to answer an APDU at all (vpcd must always get an
/// answer, else it ejects the card).
const SW_NO_PRECISE_DIAGNOSIS: [u8; 2] = [0x6F, 0x00];

/// How often a blocked read wakes up to look at the stop flag.
const POLL: Duration = Duration::from_millis(200);

/// What happened on the link, for the serving program to report.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum VpcdEvent {
    /// Connected to the reader driver: the card is "inserted".
    Connected,
    /// The reader powered the card on.
    PowerOn,
    /// The reader powered the card off.
    PowerOff,
    /// The reader reset the card (a client left, or asked for a reset).
    Reset,
    /// The reader driver dropped the link (pcscd stopped); reconnecting.
    Disconnected,
    /// The reader driver is not reachable yet; retrying.
    Waiting,
}

/// An [`EmulatedCard`] served to vpcd.
pub struct VirtualCard {
    card: Arc<EmulatedCard>,
    atr: Vec<u8>,
}

impl core::fmt::Debug for VirtualCard {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("VirtualCard")
            .field("card", &self.card)
            .field("atr", &self.atr)
            .finish()
    }
}

impl VirtualCard {
    /// Serves `card` with the My Number Card ATR ([`MY_NUMBER_CARD_ATR`]).
    pub fn new(card: Arc<EmulatedCard>) -> Self {
        Self {
            card,
            atr: MY_NUMBER_CARD_ATR.to_vec(),
        }
    }

    /// Answers with another ATR.
    pub fn with_atr(mut self, atr: impl Into<Vec<u8>>) -> Self {
        self.atr = atr.into();
        self
    }

    /// The card served.
    pub fn card(&self) -> &Arc<EmulatedCard> {
        &self.card
    }

    /// The ATR answered.
    pub fn atr(&self) -> &[u8] {
        &self.atr
    }

    /// Handles one message from the reader; returns the answer to send, if any (power on, off
    /// and reset have none; an empty or unknown message has none).
    pub fn handle(&self, message: &[u8]) -> (Option<Vec<u8>>, Option<VpcdEvent>) {
        match message {
            [] => (None, None),
            [CTRL_OFF] => {
                self.card.power_off();
                (None, Some(VpcdEvent::PowerOff))
            }
            [CTRL_ON] => {
                self.card.power_on();
                (None, Some(VpcdEvent::PowerOn))
            }
            [CTRL_RESET] => {
                self.card.warm_reset();
                (None, Some(VpcdEvent::Reset))
            }
            [CTRL_ATR] => (Some(self.atr.clone()), None),
            [_] => (None, None),
            apdu => {
                // The reader sends commands only to a card in the slot; one that arrives while
                // the link was down finds a freshly inserted card.
                if !self.card.is_present() {
                    self.card.insert();
                }
                let answer = self
                    .card
                    .transmit(apdu)
                    .unwrap_or_else(|_| SW_NO_PRECISE_DIAGNOSIS.to_vec());
                (Some(answer), None)
            }
        }
    }

    /// Serves one link until the reader closes it, an I/O error occurs, or `stop` is set
    /// (then `Ok`). Every answer is written as one length-prefixed message.
    pub fn serve_link(
        &self,
        stream: &mut TcpStream,
        stop: &AtomicBool,
        on_event: &mut dyn FnMut(VpcdEvent),
    ) -> io::Result<()> {
        stream.set_read_timeout(Some(POLL))?;
        stream.set_nodelay(true)?;
        loop {
            let mut header = [0u8; 2];
            match read_full(stream, &mut header, stop, true)? {
                ReadOutcome::Done => {}
                ReadOutcome::Closed | ReadOutcome::Stopped => return Ok(()),
            }
            let len = usize::from(u16::from_be_bytes(header));
            let mut message = vec![0u8; len];
            match read_full(stream, &mut message, stop, false)? {
                ReadOutcome::Done => {}
                ReadOutcome::Closed | ReadOutcome::Stopped => return Ok(()),
            }
            let (answer, event) = self.handle(&message);
            message.zeroize();
            if let Some(e) = event {
                on_event(e);
            }
            if let Some(mut answer) = answer {
                let result = write_message(stream, &answer);
                answer.zeroize();
                result?;
            }
        }
    }

    /// Connects to the reader driver at `addr` and serves it until `stop` is set, reconnecting
    /// whenever the link drops or the driver is not up yet. The card is removed (power cycled)
    /// while there is no link.
    pub fn run(
        &self,
        addr: SocketAddr,
        stop: &AtomicBool,
        on_event: &mut dyn FnMut(VpcdEvent),
    ) -> io::Result<()> {
        let mut waiting_reported = false;
        while !stop.load(Ordering::SeqCst) {
            match TcpStream::connect_timeout(&addr, Duration::from_secs(2)) {
                Ok(mut stream) => {
                    waiting_reported = false;
                    self.card.insert();
                    on_event(VpcdEvent::Connected);
                    // An I/O error on an established link is the driver going away: reconnect.
                    let _ = self.serve_link(&mut stream, stop, on_event);
                    self.card.remove();
                    if stop.load(Ordering::SeqCst) {
                        break;
                    }
                    on_event(VpcdEvent::Disconnected);
                }
                Err(_) => {
                    if !waiting_reported {
                        on_event(VpcdEvent::Waiting);
                        waiting_reported = true;
                    }
                    std::thread::sleep(POLL);
                }
            }
        }
        Ok(())
    }
}

enum ReadOutcome {
    Done,
    Closed,
    Stopped,
}

/// Fills `buf`, waking every [`POLL`] to look at `stop`. `at_boundary`: nothing of this
/// message has been read yet, so a clean close or a stop here loses nothing.
fn read_full(
    stream: &mut TcpStream,
    buf: &mut [u8],
    stop: &AtomicBool,
    at_boundary: bool,
) -> io::Result<ReadOutcome> {
    let mut filled = 0;
    while filled < buf.len() {
        if stop.load(Ordering::SeqCst) {
            return Ok(ReadOutcome::Stopped);
        }
        let Some(rest) = buf.get_mut(filled..) else {
            break;
        };
        match stream.read(rest) {
            Ok(0) if at_boundary && filled == 0 => return Ok(ReadOutcome::Closed),
            Ok(0) => {
                return Err(io::Error::new(
                    io::ErrorKind::UnexpectedEof,
                    "the reader closed the link mid-message",
                ))
            }
            Ok(n) => filled += n,
            Err(e)
                if matches!(
                    e.kind(),
                    io::ErrorKind::WouldBlock
                        | io::ErrorKind::TimedOut
                        | io::ErrorKind::Interrupted
                ) => {}
            Err(e) => return Err(e),
        }
    }
    Ok(ReadOutcome::Done)
}

/// Writes one length-prefixed message.
fn write_message(stream: &mut TcpStream, payload: &[u8]) -> io::Result<()> {
    let len = u16::try_from(payload.len()).map_err(|_| {
        io::Error::new(
            io::ErrorKind::InvalidData,
            "an answer longer than vpcd carries",
        )
    })?;
    let mut frame = Vec::with_capacity(payload.len() + 2);
    frame.extend_from_slice(&len.to_be_bytes());
    frame.extend_from_slice(payload);
    let result = stream.write_all(&frame).and_then(|()| stream.flush());
    frame.zeroize();
    result
}

#[cfg(test)]
mod tests {
    use std::net::TcpListener;

    use super::*;
    use crate::emulator::{EmulatorConfig, Persona};
    use crate::jpki::Profile;
    use crate::pin::PinKind;

    fn virtual_card() -> VirtualCard {
        let persona = Persona::from_seed(1);
        VirtualCard::new(Arc::new(EmulatedCard::from_image(
            persona.card_image(Profile::MyNumberCard),
            EmulatorConfig::default(),
        )))
    }

    fn send(s: &mut TcpStream, payload: &[u8]) {
        let mut f = (payload.len() as u16).to_be_bytes().to_vec();
        f.extend_from_slice(payload);
        s.write_all(&f).unwrap();
    }

    fn recv(s: &mut TcpStream) -> Vec<u8> {
        let mut h = [0u8; 2];
        s.read_exact(&mut h).unwrap();
        let mut b = vec![0u8; u16::from_be_bytes(h) as usize];
        s.read_exact(&mut b).unwrap();
        b
    }

    const SELECT_JPKI: [u8; 15] = [
        0x00, 0xA4, 0x04, 0x0C, 0x0A, 0xD3, 0x92, 0xF0, 0x00, 0x26, 0x01, 0x00, 0x00, 0x00, 0x01,
    ];

    #[test]
    fn atr_checksum_is_valid() {
        // TCK: the XOR of T0 .. TCK is zero.
        let x = MY_NUMBER_CARD_ATR[1..].iter().fold(0u8, |a, b| a ^ b);
        assert_eq!(x, 0);
    }

    #[test]
    fn control_codes_and_apdus() {
        let vc = virtual_card();
        assert_eq!(vc.handle(&[CTRL_ATR]).0.unwrap(), MY_NUMBER_CARD_ATR);
        assert_eq!(vc.handle(&[CTRL_ON]), (None, Some(VpcdEvent::PowerOn)));
        assert_eq!(vc.handle(&SELECT_JPKI).0.unwrap(), [0x90, 0x00]);
        // VERIFY of the signature password, then a reset clears it.
        let pw = Persona::from_seed(1)
            .signature_password()
            .as_bytes()
            .to_vec();
        assert_eq!(
            vc.handle(&[0x00, 0xA4, 0x02, 0x0C, 0x02, 0x00, 0x1B])
                .0
                .unwrap(),
            [0x90, 0x00]
        );
        let mut verify = vec![0x00, 0x20, 0x00, 0x80, pw.len() as u8];
        verify.extend_from_slice(&pw);
        assert_eq!(vc.handle(&verify).0.unwrap(), [0x90, 0x00]);
        assert!(vc.card().is_verified(PinKind::SignaturePassword));
        // A warm reset (SCARD_RESET_CARD) keeps it (PROTOCOL.md 3a): the MF state is current,
        // and re-selecting the application finds the signature certificate readable.
        assert_eq!(vc.handle(&[CTRL_RESET]), (None, Some(VpcdEvent::Reset)));
        assert!(vc.card().is_verified(PinKind::SignaturePassword));
        assert_eq!(
            vc.handle(&[0x00, 0xB0, 0x81, 0x00, 0x04]).0.unwrap(),
            [0x6A, 0x82],
            "the MF state after the reset"
        );
        vc.handle(&SELECT_JPKI);
        assert_eq!(
            vc.handle(&[0x00, 0xB0, 0x81, 0x00, 0x02]).0.unwrap(),
            [0x30, 0x82, 0x90, 0x00]
        );
        // Power off (SCARD_UNPOWER_CARD) clears it: an APDU after it finds a fresh card.
        assert_eq!(vc.handle(&[CTRL_OFF]), (None, Some(VpcdEvent::PowerOff)));
        assert!(!vc.card().is_verified(PinKind::SignaturePassword));
        assert_eq!(vc.handle(&[CTRL_ON]), (None, Some(VpcdEvent::PowerOn)));
        assert_eq!(
            vc.handle(&[0x00, 0xB0, 0x86, 0x00, 0x20]).0.unwrap(),
            [0x6A, 0x82],
            "no application selected after the power cycle"
        );
        vc.handle(&SELECT_JPKI);
        assert_eq!(
            vc.handle(&[0x00, 0xB0, 0x81, 0x00, 0x02]).0.unwrap(),
            [0x69, 0x82]
        );
        assert_eq!(vc.handle(&[]), (None, None));
        assert_eq!(vc.handle(&[0x09]), (None, None));
    }

    /// With `first_command_after_power_up_6f00`, pcscd's power off then power on (what
    /// `SCardReconnect` with `SCARD_UNPOWER_CARD` sends) leaves the next APDU answered `6F00`;
    /// a warm reset does not.
    #[test]
    fn the_first_command_after_a_re_power_can_answer_6f00() {
        let persona = Persona::from_seed(1);
        let vc = VirtualCard::new(Arc::new(EmulatedCard::from_image(
            persona.card_image(Profile::MyNumberCard),
            EmulatorConfig {
                first_command_after_power_up_6f00: true,
                ..EmulatorConfig::default()
            },
        )));
        assert_eq!(vc.handle(&[CTRL_ON]), (None, Some(VpcdEvent::PowerOn)));
        assert_eq!(vc.handle(&SELECT_JPKI).0.unwrap(), [0x90, 0x00]);
        vc.handle(&[CTRL_RESET]);
        assert_eq!(vc.handle(&SELECT_JPKI).0.unwrap(), [0x90, 0x00]);
        vc.handle(&[CTRL_OFF]);
        vc.handle(&[CTRL_ON]);
        assert_eq!(vc.handle(&SELECT_JPKI).0.unwrap(), [0x6F, 0x00]);
        assert_eq!(vc.handle(&SELECT_JPKI).0.unwrap(), [0x90, 0x00]);
    }

    #[test]
    fn serves_over_tcp_reconnects_and_stops() {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap();
        let vc = Arc::new(virtual_card());
        let stop = Arc::new(AtomicBool::new(false));
        let events = Arc::new(std::sync::Mutex::new(Vec::new()));
        let server = {
            let (vc, stop, events) = (vc.clone(), stop.clone(), events.clone());
            std::thread::spawn(move || vc.run(addr, &stop, &mut |e| events.lock().unwrap().push(e)))
        };
        // First link: the ATR, a SELECT, then the reader drops mid-session.
        let (mut s, _) = listener.accept().unwrap();
        send(&mut s, &[CTRL_ATR]);
        assert_eq!(recv(&mut s), MY_NUMBER_CARD_ATR);
        send(&mut s, &[CTRL_ON]);
        send(&mut s, &SELECT_JPKI);
        assert_eq!(recv(&mut s), [0x90, 0x00]);
        // Half a message, then gone.
        s.write_all(&[0x00]).unwrap();
        drop(s);
        // The card reconnects and answers again.
        let (mut s, _) = listener.accept().unwrap();
        send(&mut s, &[0x00, 0x20, 0x00, 0x9B]);
        assert_eq!(recv(&mut s), [0x6A, 0x88], "power cycled: nothing selected");
        send(&mut s, &SELECT_JPKI);
        assert_eq!(recv(&mut s), [0x90, 0x00]);
        send(&mut s, &[0x00, 0x20, 0x00, 0x9B]);
        assert_eq!(recv(&mut s), [0x63, 0xC5]);
        stop.store(true, Ordering::SeqCst);
        server.join().unwrap().unwrap();
        let ev = events.lock().unwrap().clone();
        assert_eq!(
            ev,
            [
                VpcdEvent::Connected,
                VpcdEvent::PowerOn,
                VpcdEvent::Disconnected,
                VpcdEvent::Connected
            ]
        );
    }

    #[test]
    fn waits_for_the_driver() {
        // A port nobody listens on: the card reports waiting once and stops when told.
        let addr = {
            let l = TcpListener::bind("127.0.0.1:0").unwrap();
            l.local_addr().unwrap()
        };
        let vc = virtual_card();
        let stop = AtomicBool::new(false);
        let mut events = Vec::new();
        std::thread::scope(|s| {
            s.spawn(|| {
                std::thread::sleep(Duration::from_millis(600));
                stop.store(true, Ordering::SeqCst);
            });
            vc.run(addr, &stop, &mut |e| events.push(e)).unwrap();
        });
        assert_eq!(events, [VpcdEvent::Waiting]);
    }
}

// Full flows against the emulated card, through a transport written in Swift (a class
// conforming to `CardLink` that forwards each APDU to `Emulator.transceive`): the callback
// path from Rust into Swift is the one a CoreNFC link takes.

import Foundation
import MynaSign
import XCTest

/// The test's transport: forwards to the emulator, counts the commands, and can fail on
/// demand like a real link.
final class SwiftEmulatorLink: CardLink, @unchecked Sendable {
    enum Failure {
        case tagLost
        case unexpected
    }

    let emulator: Emulator
    private let lock = NSLock()
    private var sent = 0
    private var failAt: (index: Int, failure: Failure)?

    init(_ emulator: Emulator) {
        self.emulator = emulator
    }

    /// Commands this link has carried.
    var commandsSent: Int {
        lock.lock()
        defer { lock.unlock() }
        return sent
    }

    /// The `index`-th command from now (0: the next) fails with `failure`, without reaching
    /// the card.
    func fail(after index: Int, with failure: Failure) {
        lock.lock()
        failAt = (sent + index, failure)
        lock.unlock()
    }

    func transceive(command: Data) throws -> Data {
        lock.lock()
        let n = sent
        sent += 1
        let failure = failAt.flatMap { $0.index == n ? $0.failure : nil }
        lock.unlock()
        switch failure {
        case .tagLost?:
            throw LinkError.TagLost
        case .unexpected?:
            throw UnexpectedTransportError()
        case nil:
            return try emulator.transceive(command: command)
        }
    }

    func supportsExtendedLength() -> Bool {
        emulator.supportsExtendedLength()
    }

    func maxTransceiveLength() -> UInt32 {
        0
    }
}

/// An error type the library does not know.
struct UnexpectedTransportError: Error {}

/// Records the progress steps.
final class StepRecorder: ProgressCallback, @unchecked Sendable {
    private let lock = NSLock()
    private var recorded: [(SignStep, UInt32, UInt32)] = []
    private let onStep: (@Sendable (SignStep) -> Void)?

    init(onStep: (@Sendable (SignStep) -> Void)? = nil) {
        self.onStep = onStep
    }

    var steps: [SignStep] {
        lock.lock()
        defer { lock.unlock() }
        return recorded.map { $0.0 }
    }

    var indices: [UInt32] {
        lock.lock()
        defer { lock.unlock() }
        return recorded.map { $0.1 }
    }

    var totals: [UInt32] {
        lock.lock()
        defer { lock.unlock() }
        return recorded.map { $0.2 }
    }

    func onStep(step: SignStep, index: UInt32, total: UInt32) {
        lock.lock()
        recorded.append((step, index, total))
        lock.unlock()
        onStep?(step)
    }
}

/// The code and messages of any `MynaError`.
func info(of error: Error) -> ErrorInfo? {
    guard let e = error as? MynaError else { return nil }
    switch e {
    case let .InvalidPinFormat(info, _), let .WrongPin(info, _, _), let .PinBlocked(info, _),
        let .LastAttemptGuard(info, _), let .PinNotVerified(info, _), let .TagLost(info, _),
        let .Timeout(info), let .NotMyNumberCard(info), let .NoSignatureCertificate(info),
        let .Cancelled(info), let .ChannelRule(info), let .AttributeMismatch(info, _),
        let .VerificationFailed(info, _), let .InvalidInput(info, _), let .CardError(info, _):
        return info
    }
}

/// Whether `s` has a hiragana, katakana or kanji character.
func isJapanese(_ s: String) -> Bool {
    s.unicodeScalars.contains { (0x3040...0x30FF).contains($0.value) || (0x4E00...0x9FFF).contains($0.value) }
}

/// An app-held key, as the Secure Enclave or a keychain holds a smartphone certificate's key.
final class EmulatedKeystore: KeystoreSigner, @unchecked Sendable {
    let emulator: Emulator
    let cancel: Bool
    private(set) var signed = 0

    init(_ emulator: Emulator, cancel: Bool = false) {
        self.emulator = emulator
        self.cancel = cancel
    }

    func certificateDer() -> Data { emulator.keystoreCertificateDer() }
    func algorithm() -> KeyAlgorithm { .rsaPkcs1Sha256 }
    func sign(message: Data) throws -> Data {
        if cancel { throw SignerError.Cancelled }
        signed += 1
        return emulator.keystoreSign(message: message)
    }
}

final class MynaSignTests: XCTestCase {
    var emulator: Emulator!
    var link: SwiftEmulatorLink!

    override func setUp() {
        super.setUp()
        emulator = Emulator(seed: 1, profile: .myNumberCard)
        link = SwiftEmulatorLink(emulator)
    }

    func addressChange(nonce: String = "n1") throws -> ConsentDocument {
        let terms = try termsFromText(id: "t", version: "1", text: "利用規約の本文")
        return .addressChange(
            items: [.address], holderStatus: .myNumberLicenceOnly, terms: terms,
            channel: .licenceCentreKiosk, nonce: nonce, timestampUnix: nil)
    }

    /// Spends wrong attempts until `remaining` are left.
    func spend(until remaining: UInt8, on card: JpkiCard) throws {
        var left = try card.pinStatus(pin: .signaturePassword).remaining
        while left > remaining {
            XCTAssertThrowsError(try card.verifyPin(pin: .signaturePassword, value: "ZZZZZZ", allowLastAttempt: true)) {
                guard case let .WrongPin(_, _, r)? = $0 as? MynaError else {
                    return XCTFail("expected WrongPin, got \($0)")
                }
                left = r
            }
        }
    }

    func testOpenReadsTheProfileAndThePinStatus() throws {
        let card = try JpkiCard.open(link: link)
        XCTAssertEqual(try card.profile(), .myNumberCard)
        let status = try card.pinStatus(pin: .signaturePassword)
        XCTAssertEqual(status.pin, .signaturePassword)
        XCTAssertEqual(status.remaining, 5)
        XCTAssertEqual(status.maxAttempts, 5)
        XCTAssertFalse(status.blocked)
        XCTAssertFalse(status.lastAttempt)
        XCTAssertEqual(try card.pinStatus(pin: .authenticationPin).remaining, 3)
        XCTAssertGreaterThan(link.commandsSent, 0, "the Swift link carried the APDUs")
        XCTAssertEqual(UInt64(link.commandsSent), emulator.commandsProcessed())
    }

    func testWrongPinCountsDownWithItsMessages() throws {
        let card = try JpkiCard.open(link: link)
        XCTAssertThrowsError(try card.verifyPin(pin: .signaturePassword, value: "ZZZZZZ", allowLastAttempt: false)) { error in
            guard case let .WrongPin(info, pin, remaining)? = error as? MynaError else {
                return XCTFail("expected WrongPin, got \(error)")
            }
            XCTAssertEqual(pin, .signaturePassword)
            XCTAssertEqual(remaining, 4)
            XCTAssertEqual(info.code, "WRONG_PIN")
            XCTAssertTrue(isJapanese(info.messageJa), info.messageJa)
            XCTAssertTrue(info.messageJa.contains("4"))
            XCTAssertFalse(info.messageEn.isEmpty)
        }
        XCTAssertEqual(try card.pinStatus(pin: .signaturePassword).remaining, 4)
        XCTAssertEqual(emulator.pinAttemptsLeft(pin: .signaturePassword), 4)
        // The right password resets the counter.
        let ok = try card.verifyPin(pin: .signaturePassword, value: emulator.signaturePassword(), allowLastAttempt: false)
        XCTAssertEqual(ok.remaining, 5)
    }

    func testLastAttemptGuardSendsNothing() throws {
        let card = try JpkiCard.open(link: link)
        try spend(until: 1, on: card)
        let status = try card.pinStatus(pin: .signaturePassword)
        XCTAssertEqual(status.remaining, 1)
        XCTAssertTrue(status.lastAttempt)
        let before = emulator.commandsProcessed()
        XCTAssertThrowsError(try card.verifyPin(pin: .signaturePassword, value: emulator.signaturePassword(), allowLastAttempt: false)) {
            guard case let .LastAttemptGuard(info, pin)? = $0 as? MynaError else {
                return XCTFail("expected LastAttemptGuard, got \($0)")
            }
            XCTAssertEqual(pin, .signaturePassword)
            XCTAssertEqual(info.code, "LAST_ATTEMPT")
            XCTAssertTrue(isJapanese(info.messageJa))
        }
        XCTAssertEqual(emulator.commandsProcessed(), before, "no APDU was sent")
        XCTAssertEqual(emulator.pinAttemptsLeft(pin: .signaturePassword), 1)
        // The holder confirmed: the right password goes through.
        XCTAssertEqual(try card.verifyPin(pin: .signaturePassword, value: emulator.signaturePassword(), allowLastAttempt: true).remaining, 5)
    }

    func testSignAndVerifyAConsent() throws {
        let document = try addressChange()
        let signed = try signConsent(
            link: link, document: document, password: emulator.signaturePassword(),
            allowLastAttempt: false, includeCaCertificate: false, progress: nil, cancel: nil)
        XCTAssertEqual(signed.counts.exchanges, 6)
        XCTAssertEqual(link.commandsSent, 6)
        XCTAssertEqual(signed.source, .card)
        XCTAssertEqual(signed.certificate.kind, .signature)
        XCTAssertFalse(signed.cms.isEmpty)
        XCTAssertTrue(signed.documentJson.contains("n1"))

        let verified = try verifyConsent(cms: signed.cms, trust: .emulator, atUnix: nil)
        XCTAssertEqual(verified.documentJson, signed.documentJson)
        XCTAssertEqual(verified.source, .card)
        XCTAssertEqual(verified.signer.issuanceNumber, signed.certificate.issuanceNumber)
        guard case let .addressChange(items, holder, terms, channel, nonce, timestamp) = verified.document else {
            return XCTFail("expected an address-change consent")
        }
        XCTAssertEqual(items, [.address])
        XCTAssertEqual(holder, .myNumberLicenceOnly)
        XCTAssertEqual(terms, try termsFromText(id: "t", version: "1", text: "利用規約の本文"))
        XCTAssertEqual(channel, .licenceCentreKiosk)
        XCTAssertEqual(nonce, "n1")
        XCTAssertNotNil(timestamp)
        XCTAssertGreaterThan(verified.signingTimeUnix, 1_700_000_000)

        // Not trusted under the production roots.
        XCTAssertThrowsError(try verifyConsent(cms: signed.cms, trust: .production, atUnix: nil)) {
            guard case let .VerificationFailed(info, reason)? = $0 as? MynaError else {
                return XCTFail("expected VerificationFailed, got \($0)")
            }
            XCTAssertEqual(info.code, "VERIFICATION_FAILED")
            XCTAssertEqual(reason, "UNTRUSTED_CHAIN")
        }
        // A flipped byte does not verify.
        var tampered = signed.cms
        tampered[tampered.count - 10] ^= 0x01
        XCTAssertThrowsError(try verifyConsent(cms: tampered, trust: .emulator, atUnix: nil))
    }

    func testTermsAreHashedFromTheExactText() throws {
        let terms = try termsFromText(id: "terms", version: "2", text: "abc")
        XCTAssertEqual(terms.id, "terms")
        XCTAssertEqual(terms.version, "2")
        XCTAssertEqual(terms.sha256Hex, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
    }

    func testConsentPeriod() throws {
        let p = try consentPeriod(consentDate: "2028-02-29", today: "2028-03-01", reminderDays: 30)
        XCTAssertEqual(p.consentDate, "2028-02-29")
        XCTAssertEqual(p.firstDay, "2028-03-01")
        XCTAssertEqual(p.lastDay, "2038-02-28")
        XCTAssertGreaterThan(p.daysRemaining, 3600)
        XCTAssertFalse(p.reminderDue)
        XCTAssertThrowsError(try consentPeriod(consentDate: "2028-02-30", today: "2028-03-01", reminderDays: 30)) {
            XCTAssertEqual(info(of: $0)?.code, "INVALID_INPUT")
        }
    }

    func testProgressStepsInOrder() throws {
        let recorder = StepRecorder()
        _ = try signConsent(
            link: link, document: try addressChange(), password: emulator.signaturePassword(),
            allowLastAttempt: false, includeCaCertificate: true, progress: recorder, cancel: nil)
        XCTAssertEqual(recorder.steps, [.connecting, .checkingPin, .verifyingPin, .readingCertificate, .readingCaCertificate, .signing])
        XCTAssertEqual(recorder.indices, [1, 2, 3, 4, 5, 6])
        XCTAssertEqual(Set(recorder.totals), [6])
    }

    func testCancelledFromTheProgressCallbackBeforeVerify() throws {
        let cancel = CancelHandle()
        XCTAssertFalse(cancel.isCancelled())
        let recorder = StepRecorder { step in
            if step == .verifyingPin { cancel.cancel() }
        }
        XCTAssertThrowsError(try signConsent(
            link: link, document: try addressChange(), password: emulator.signaturePassword(),
            allowLastAttempt: false, includeCaCertificate: false, progress: recorder, cancel: cancel)) {
            guard case let .Cancelled(info)? = $0 as? MynaError else {
                return XCTFail("expected Cancelled, got \($0)")
            }
            XCTAssertEqual(info.code, "CANCELLED")
            XCTAssertTrue(isJapanese(info.messageJa))
        }
        XCTAssertTrue(cancel.isCancelled())
        XCTAssertEqual(recorder.steps.last, .verifyingPin)
        XCTAssertEqual(emulator.pinAttemptsLeft(pin: .signaturePassword), 5, "the PIN counter is untouched")
    }

    func testTagLostFromTheSwiftLink() throws {
        link.fail(after: 0, with: .tagLost)
        XCTAssertThrowsError(try JpkiCard.open(link: link)) {
            guard case let .TagLost(info, duringVerify)? = $0 as? MynaError else {
                return XCTFail("expected TagLost, got \($0)")
            }
            XCTAssertEqual(info.code, "TAG_LOST")
            XCTAssertFalse(duringVerify)
            XCTAssertTrue(isJapanese(info.messageJa))
        }
    }

    func testTagLostDuringVerify() throws {
        let card = try JpkiCard.open(link: link)
        _ = try card.pinStatus(pin: .signaturePassword)
        link.fail(after: 0, with: .tagLost)
        XCTAssertThrowsError(try card.verifyPin(pin: .signaturePassword, value: emulator.signaturePassword(), allowLastAttempt: false)) {
            guard case let .TagLost(info, duringVerify)? = $0 as? MynaError else {
                return XCTFail("expected TagLost, got \($0)")
            }
            XCTAssertEqual(info.code, "TAG_LOST_DURING_VERIFY")
            XCTAssertTrue(duringVerify)
        }
    }

    func testEmulatorTagLossComesBackTyped() throws {
        let card = try JpkiCard.open(link: link)
        emulator.setPresent(present: false)
        XCTAssertThrowsError(try card.pinStatus(pin: .signaturePassword)) {
            XCTAssertEqual(info(of: $0)?.code, "TAG_LOST")
        }
        emulator.setPresent(present: true)
    }

    func testUnexpectedSwiftErrorBecomesALinkError() throws {
        link.fail(after: 0, with: .unexpected)
        XCTAssertThrowsError(try JpkiCard.open(link: link)) {
            guard case let .CardError(info, _)? = $0 as? MynaError else {
                return XCTFail("expected CardError, got \($0)")
            }
            XCTAssertEqual(info.code, "LINK_ERROR")
            XCTAssertTrue(isJapanese(info.messageJa))
        }
    }

    func testMynaportalLinkageWithTheCardAttributes() throws {
        let attributes = try readCardAttributes(link: link, pin: emulator.cardInfoPin(), allowLastAttempt: false, cancel: nil)
        XCTAssertFalse(attributes.name().isEmpty)
        XCTAssertFalse(String(describing: attributes).contains(attributes.name()))
        XCTAssertEqual(attributes.dateOfBirth().count, 10)

        let card = try JpkiCard.open(link: link)
        _ = try card.verifyPin(pin: .signaturePassword, value: emulator.signaturePassword(), allowLastAttempt: false)
        let certificate = try card.readCertificate(certificate: .signature)
        XCTAssertEqual(certificate.kind, .signature)
        XCTAssertEqual(certificate.attributes, attributes)
        XCTAssertEqual(try checkLinkage(cardInfo: attributes, certificate: certificate), [])

        let other = try BasicAttributes(
            name: attributes.name(), address: attributes.address() + "１",
            dateOfBirth: attributes.dateOfBirth(), sex: attributes.sex())
        XCTAssertEqual(try checkLinkage(cardInfo: other, certificate: certificate), ["address"])

        let signed = try signConsent(
            link: link, document: .mynaportalLinkage(attributes: attributes, nonce: "portal-1", timestampUnix: nil),
            password: emulator.signaturePassword(), allowLastAttempt: false, includeCaCertificate: false,
            progress: nil, cancel: nil)
        let verified = try verifyConsent(cms: signed.cms, trust: .emulator, atUnix: nil)
        guard case let .mynaportalLinkage(signedAttributes, nonce, _) = verified.document else {
            return XCTFail("expected a linkage submission")
        }
        XCTAssertEqual(signedAttributes, attributes)
        XCTAssertEqual(nonce, "portal-1")

        // Attributes that are not the certificate's are refused before anything is signed.
        XCTAssertThrowsError(try signConsent(
            link: link, document: .mynaportalLinkage(attributes: other, nonce: "portal-2", timestampUnix: nil),
            password: emulator.signaturePassword(), allowLastAttempt: false, includeCaCertificate: false,
            progress: nil, cancel: nil)) {
            guard case let .AttributeMismatch(info, fields)? = $0 as? MynaError else {
                return XCTFail("expected AttributeMismatch, got \($0)")
            }
            XCTAssertEqual(info.code, "ATTRIBUTE_MISMATCH")
            XCTAssertEqual(fields, ["address"])
        }
    }

    func testErrorCodesAndMessages() throws {
        let card = try JpkiCard.open(link: link)
        let before = emulator.commandsProcessed()
        XCTAssertThrowsError(try card.verifyPin(pin: .signaturePassword, value: "abc", allowLastAttempt: false)) {
            guard case let .InvalidPinFormat(info, pin)? = $0 as? MynaError else {
                return XCTFail("expected InvalidPinFormat, got \($0)")
            }
            XCTAssertEqual(pin, .signaturePassword)
            XCTAssertEqual(info.code, "INVALID_PIN_FORMAT")
            XCTAssertTrue(isJapanese(info.messageJa))
        }
        XCTAssertEqual(emulator.commandsProcessed(), before, "a malformed PIN is never sent")

        let terms = try termsFromText(id: "t", version: "1", text: "x")
        XCTAssertThrowsError(try signConsent(
            link: link,
            document: .addressChange(items: [], holderStatus: .myNumberLicenceOnly, terms: terms, channel: .licenceCentreKiosk, nonce: "n", timestampUnix: nil),
            password: emulator.signaturePassword(), allowLastAttempt: false, includeCaCertificate: false, progress: nil, cancel: nil)) {
            XCTAssertEqual(info(of: $0)?.code, "EMPTY_SELECTION")
        }
        // The Swift error's description carries no personal data and no PIN.
        XCTAssertThrowsError(try card.verifyPin(pin: .signaturePassword, value: "WRONG99", allowLastAttempt: false)) {
            XCTAssertFalse(String(describing: $0).contains("WRONG99"))
        }
    }

    func testPlainEmulatorNeedsMoreExchanges() throws {
        let plain = Emulator.newPlain(seed: 2, profile: .myNumberCard)
        let plainLink = SwiftEmulatorLink(plain)
        XCTAssertFalse(plainLink.supportsExtendedLength())
        let signed = try signConsent(
            link: plainLink, document: try addressChange(), password: plain.signaturePassword(),
            allowLastAttempt: false, includeCaCertificate: false, progress: nil, cancel: nil)
        XCTAssertGreaterThan(signed.counts.exchanges, 6)
        XCTAssertNoThrow(try verifyConsent(cms: signed.cms, trust: .emulator, atUnix: nil))
    }

    /// How an app calls the blocking API: off the main actor, in a detached task (or on a
    /// background dispatch queue), cancelling from elsewhere.
    func testBlockingCallsRunOffTheMainActor() async throws {
        let link = self.link!
        let password = emulator.signaturePassword()
        let document = try addressChange(nonce: "task-1")
        let signed = try await Task.detached(priority: .userInitiated) {
            XCTAssertFalse(Thread.isMainThread)
            return try signConsent(
                link: link, document: document, password: password, allowLastAttempt: false,
                includeCaCertificate: false, progress: nil, cancel: nil)
        }.value
        XCTAssertEqual(signed.counts.exchanges, 6)

        let verified = try await Task.detached {
            try verifyConsent(cms: signed.cms, trust: .emulator, atUnix: nil)
        }.value
        XCTAssertEqual(verified.documentJson, signed.documentJson)
    }

    func testBlockingCallOnADispatchQueue() throws {
        let done = expectation(description: "signed on a background queue")
        let link = self.link!
        let password = emulator.signaturePassword()
        let document = try addressChange(nonce: "queue-1")
        let box = ResultBox()
        DispatchQueue.global(qos: .userInitiated).async {
            box.set(Result {
                try signConsent(
                    link: link, document: document, password: password, allowLastAttempt: false,
                    includeCaCertificate: false, progress: nil, cancel: nil)
            })
            done.fulfill()
        }
        wait(for: [done], timeout: 30)
        XCTAssertEqual(try box.get().counts.exchanges, 6)
    }

    func testConsentSignedWithAKeystoreKey() throws {
        let phone = Emulator(seed: 1, profile: .androidSmartphone)
        let keystore = EmulatedKeystore(phone)
        let terms = try termsFromText(id: "t", version: "1", text: "利用規約の本文")
        let portal = ConsentDocument.addressChange(
            items: [.address], holderStatus: .myNumberLicenceOnly, terms: terms,
            channel: .mynaportal, nonce: "k1", timestampUnix: nil)
        let signed = try signConsentWithSigner(signer: keystore, source: .smartphone, document: portal)
        XCTAssertEqual(keystore.signed, 1)
        XCTAssertEqual(try verifyConsent(cms: signed.cms, trust: .emulator, atUnix: nil).source, .smartphone)
        // The kiosk takes the card's certificate only: refused before the key is asked.
        XCTAssertThrowsError(try signConsentWithSigner(signer: keystore, source: .smartphone, document: try addressChange())) {
            guard case .ChannelRule? = $0 as? MynaError else { return XCTFail("expected ChannelRule, got \($0)") }
        }
        XCTAssertEqual(keystore.signed, 1)
        XCTAssertThrowsError(try signConsentWithSigner(signer: EmulatedKeystore(phone, cancel: true), source: .smartphone, document: portal)) {
            guard case .Cancelled? = $0 as? MynaError else { return XCTFail("expected Cancelled, got \($0)") }
        }
    }
}

/// A result handed from a background queue to the test.
final class ResultBox: @unchecked Sendable {
    private let lock = NSLock()
    private var result: Result<SignedConsentInfo, Error>?

    func set(_ r: Result<SignedConsentInfo, Error>) {
        lock.lock()
        result = r
        lock.unlock()
    }

    func get() throws -> SignedConsentInfo {
        lock.lock()
        defer { lock.unlock() }
        guard let result else { throw UnexpectedTransportError() }
        return try result.get()
    }
}

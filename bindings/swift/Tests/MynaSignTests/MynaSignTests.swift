// The Swift layer (`Myna`) against the emulated card, through a transport written in Swift (a
// class conforming to `CardLink` that forwards each APDU to `Emulator.transceive`): the
// callback path from Rust into Swift is the one a CoreNFC link takes.

import Foundation
import MynaSign
import XCTest

/// The test's transport: forwards to the emulator, records the commands, and can fail or
/// block on demand like a real link.
final class TestLink: CardLink, @unchecked Sendable {
    enum Failure {
        case tagLost
        case other
        case unexpected
    }

    let emulator: Emulator
    private let lock = NSLock()
    private let closedSignal = DispatchSemaphore(value: 0)
    private var commands: [Data] = []
    private var failures: [UInt8: Failure] = [:]
    private var loseVerifyWithData = false
    private var blockOn: UInt8?
    private var closed = false
    private var blocked = false
    private var returnedFromBlock = false
    private var afterBlock = 0

    init(_ emulator: Emulator) {
        self.emulator = emulator
    }

    /// The next command with instruction byte `ins` fails with `failure`, without reaching
    /// the card.
    func fail(ins: UInt8, with failure: Failure) {
        locked { failures[ins] = failure }
    }

    /// The next VERIFY carrying a PIN reaches the card, then its answer is lost (`TagLost`).
    func loseTheNextVerifyAnswer() {
        locked { loseVerifyWithData = true }
    }

    /// A command with instruction byte `ins` blocks until `close()` is called (as CoreNFC's
    /// `sendCommand` waits for a card that does not answer), then throws `TagLost`.
    func block(ins: UInt8) {
        locked { blockOn = ins }
    }

    var sent: [Data] { locked { commands } }
    var wasClosed: Bool { locked { closed } }
    var isBlocked: Bool { locked { blocked } }
    var blockedCallReturned: Bool { locked { returnedFromBlock } }
    /// Commands the library sent after the blocked one returned.
    var commandsAfterBlock: Int { locked { afterBlock } }

    func transceive(command: Data) throws -> Data {
        let ins = command.count > 1 ? command[command.startIndex + 1] : 0
        let (failure, block, lose) = locked { () -> (Failure?, Bool, Bool) in
            commands.append(command)
            if returnedFromBlock { afterBlock += 1 }
            let f = failures.removeValue(forKey: ins)
            let b = blockOn == ins
            if b { blocked = true }
            let l = loseVerifyWithData && ins == 0x20 && command.count > 5
            if l { loseVerifyWithData = false }
            return (f, b, l)
        }
        if lose {
            _ = try emulator.transceive(command: command)
            throw LinkError.TagLost
        }
        if block {
            _ = closedSignal.wait(timeout: .now() + 20)
            locked { returnedFromBlock = true }
            throw LinkError.TagLost
        }
        switch failure {
        case .tagLost?: throw LinkError.TagLost
        case .other?: throw LinkError.Other(detail: "reader unplugged")
        case .unexpected?: throw UnexpectedSwiftError()
        case nil: return try emulator.transceive(command: command)
        }
    }

    func supportsExtendedLength() -> Bool {
        emulator.supportsExtendedLength()
    }

    func maxTransceiveLength() -> Int32 {
        0
    }

    func close() {
        locked { closed = true }
        closedSignal.signal()
    }

    private func locked<T>(_ body: () -> T) -> T {
        lock.lock()
        defer { lock.unlock() }
        return body()
    }
}

/// An error type the library does not know.
struct UnexpectedSwiftError: Error {}

/// A progress listener that throws (for the generated API, which takes one).
final class ThrowingListener: ProgressListener, @unchecked Sendable {
    func onProgress(progress: FlowProgress) throws {
        throw UnexpectedSwiftError()
    }
}

/// An app-held key, as the Secure Enclave holds a smartphone certificate's key.
final class EmulatedKeystore: KeystoreSigner, @unchecked Sendable {
    enum Mode {
        case sign
        case fail
        case cancel
        case unexpected
    }

    let emulator: Emulator
    let mode: Mode
    private let lock = NSLock()
    private var count = 0

    init(_ emulator: Emulator, mode: Mode = .sign) {
        self.emulator = emulator
        self.mode = mode
    }

    var signed: Int {
        lock.lock()
        defer { lock.unlock() }
        return count
    }

    func certificateDer() -> Data { emulator.keystoreCertificateDer() }
    func algorithm() -> KeyAlgorithm { .rsaPkcs1Sha256 }
    func sign(message: Data) throws -> Data {
        switch mode {
        case .fail: throw SignerError.Failed(detail: "key invalidated")
        case .cancel: throw SignerError.Cancelled
        case .unexpected: throw UnexpectedSwiftError()
        case .sign:
            lock.lock()
            count += 1
            lock.unlock()
            return try emulator.keystoreSign(message: message)
        }
    }
}

/// Whether `s` has a hiragana, katakana or kanji character.
func isJapanese(_ s: String) -> Bool {
    s.unicodeScalars.contains { (0x3040...0x30FF).contains($0.value) || (0x4E00...0x9FFF).contains($0.value) }
}

/// A persona file of examples/personas (the test package copies them next to the tests).
func personaJSON(_ name: String) throws -> String {
    let here = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
    let candidates = [
        here.appendingPathComponent("../../personas/\(name).json"),  // the Linux test package
        here.appendingPathComponent("../../../../examples/personas/\(name).json"),  // bindings/swift on a Mac
    ]
    for url in candidates where FileManager.default.fileExists(atPath: url.path) {
        return try String(contentsOf: url, encoding: .utf8)
    }
    throw UnexpectedSwiftError()
}

/// The options that trust the emulator's roots (a test's own check, before submitting).
func trustEmulator(_ emulator: Emulator) -> VerifyConsentOptions {
    VerifyConsentOptions(rootsDer: emulator.rootCertificatesDer(), allowUncheckedRevocation: true)
}

/// Awaits `body` and returns the `MynaError` it threw (failing the test otherwise).
func mynaError<T>(_ body: () async throws -> T, file: StaticString = #filePath, line: UInt = #line) async -> MynaError? {
    do {
        _ = try await body()
        XCTFail("expected a MynaError, the call succeeded", file: file, line: line)
    } catch let e as MynaError {
        return e
    } catch {
        XCTFail("expected a MynaError, got \(type(of: error))", file: file, line: line)
    }
    return nil
}

/// Waits (polling) until `condition` holds, up to 10 s.
func waitUntil(_ condition: () -> Bool) async {
    for _ in 0..<1000 where !condition() {
        try? await Task.sleep(nanoseconds: 10_000_000)
    }
}

/// Whether `text` shows `value` as printed: anywhere for a value with letters or other
/// characters, but a value of digits only (a PIN, a date of birth) only as a whole number, not
/// inside a longer run of letters and digits (an object handle, a hash, a time), where its
/// digits can occur by chance.
func shows(_ value: String, in text: String) -> Bool {
    guard value.allSatisfy({ $0.isASCII && $0.isNumber }) else { return text.contains(value) }
    let isWordChar: (Character) -> Bool = { $0.isASCII && ($0.isLetter || $0.isNumber) }
    var rest = text[...]
    while let found = rest.range(of: value) {
        let before = found.lowerBound == text.startIndex ? nil : text[text.index(before: found.lowerBound)]
        let after = found.upperBound == text.endIndex ? nil : text[found.upperBound]
        if !(before.map(isWordChar) ?? false) && !(after.map(isWordChar) ?? false) { return true }
        rest = text[text.index(after: found.lowerBound)...]
    }
    return false
}

extension Emulator {
    var password: [UInt8] { [UInt8](signaturePassword()) }
}

final class MynaSignTests: XCTestCase {
    var emulator: Emulator!
    var link: TestLink!

    override func setUp() {
        super.setUp()
        emulator = Emulator(seed: 1, profile: .myNumberCard)
        link = TestLink(emulator)
        Myna.language = nil
    }

    override func tearDown() {
        Myna.language = nil
        super.tearDown()
    }

    func addressChange(nonce: String = "nonce-0001", channel: ConsentChannel = .licenceCentreKiosk) throws -> ConsentDocument {
        let terms = try termsFromText(id: "t", version: "1", text: "利用規約の本文")
        return try ConsentDocument.addressChange(
            items: [.address], holderStatus: .myNumberLicenceOnly, terms: terms, channel: channel,
            nonce: nonce, timestamp: nil)
    }

    // MARK: Flows

    func testSignAndVerifyAConsent() async throws {
        let signed = try await Myna.signConsent(link: link, document: try addressChange(), password: emulator.password)
        XCTAssertEqual(signed.counts().exchanges, 6)
        XCTAssertEqual(link.sent.count, 6)
        XCTAssertEqual(signed.source(), .card)
        XCTAssertEqual(signed.certificate().kind(), .signature)
        XCTAssertTrue(signed.documentJson().contains("nonce-0001"))

        let verified = try verifyConsent(cms: signed.cms(), options: trustEmulator(emulator))
        XCTAssertEqual(verified.documentJson(), signed.documentJson())
        XCTAssertEqual(verified.source(), .card)
        XCTAssertEqual(verified.signer().issuanceNumber(), signed.certificate().issuanceNumber())
        XCTAssertEqual(verified.document().kind(), .addressChange)
        XCTAssertEqual(verified.document().addressChangeFields()?.items, [.address])
        XCTAssertGreaterThan(verified.signingTime().timeIntervalSince1970, 1_700_000_000)
        // A flipped byte does not verify.
        var tampered = signed.cms()
        tampered[tampered.count - 10] ^= 0x01
        XCTAssertThrowsError(try verifyConsent(cms: tampered, options: trustEmulator(emulator)))
    }

    func testPinStatusAttributesAndLinkage() async throws {
        let status = try await Myna.readPinStatus(link: link)
        XCTAssertEqual(status.profile, .myNumberCard)
        XCTAssertEqual(status.signaturePassword.remaining, 5)
        XCTAssertEqual(status.authenticationPin.maxAttempts, 3)
        XCTAssertEqual(status.cardInfoPin?.remaining, 3)

        let attributes = try await Myna.readBasicAttributes(link: link, pin: [UInt8](emulator.cardInfoPin()))
        XCTAssertFalse(attributes.name().isEmpty)
        XCTAssertEqual(attributes.dateOfBirth().count, 10)

        let linkage = try await Myna.checkLinkage(
            link: link, cardInfoPin: [UInt8](emulator.cardInfoPin()), signaturePassword: emulator.password)
        XCTAssertEqual(linkage.differingFields, [])
        XCTAssertEqual(linkage.attributes, attributes)

        let signed = try await Myna.signConsent(
            link: link, document: try ConsentDocument.mynaportalLinkage(attributes: attributes, nonce: "portal-1", timestamp: nil),
            password: emulator.password)
        XCTAssertEqual(try compareLinkage(cardInfo: attributes, certificate: signed.certificate()), [])
        let other = try BasicAttributes(
            name: attributes.name(), address: attributes.address() + "１",
            dateOfBirth: attributes.dateOfBirth(), sex: attributes.sex())
        XCTAssertEqual(try compareLinkage(cardInfo: other, certificate: signed.certificate()), [.address])
    }

    func testWrongPinCountsDownAndTheLastAttemptGuardSendsNothing() async throws {
        let phone = try Emulator.fromPersonaJson(json: personaJSON("one-attempt-left"))
        let link = TestLink(phone)
        let guarded = await mynaError { try await Myna.signConsent(link: link, document: try self.addressChange(), password: phone.password) }
        guard case .LastAttemptGuard(pin: .signaturePassword)? = guarded else { return XCTFail("got \(String(describing: guarded))") }
        XCTAssertFalse(link.sent.contains { $0.count > 5 && $0[1] == 0x20 }, "no VERIFY with data was sent")
        XCTAssertEqual(phone.pinAttemptsLeft(pin: .signaturePassword), 1)
        // Confirmed: the right password goes through and resets the counter.
        let options = SignOptions(allowLastAttempt: true, includeCaCertificate: false, signingTime: nil)
        _ = try await Myna.signConsent(link: link, document: try addressChange(), password: phone.password, options: options)
        XCTAssertEqual(phone.pinAttemptsLeft(pin: .signaturePassword), 5)

        let wrong = await mynaError { try await Myna.signConsent(link: self.link, document: try self.addressChange(), password: Array("WRONG1".utf8)) }
        guard case .WrongPin(pin: .signaturePassword, remaining: 4)? = wrong else { return XCTFail("got \(String(describing: wrong))") }
        XCTAssertEqual(wrong?.code(), .wrongPin)
        XCTAssertTrue(wrong?.messageJa().contains("残り4回") ?? false)
    }

    // MARK: Issue 9 (a): cancelling the Task cancels the flow

    func testCancellingTheTaskCancelsABlockedSign() async throws {
        link.block(ins: 0x2A)  // PERFORM SECURITY OPERATION: COMPUTE DIGITAL SIGNATURE
        let link = self.link!
        let password = emulator.password
        let document = try addressChange()
        let task = Task { try await Myna.signConsent(link: link, document: document, password: password) }
        await waitUntil { link.isBlocked }
        XCTAssertTrue(link.isBlocked, "the sign command is in flight")
        task.cancel()
        let result = await task.result
        guard case let .failure(error) = result, case .Cancelled(duringVerify: false)? = error as? MynaError else {
            return XCTFail("expected MynaError.Cancelled, got \(result)")
        }
        XCTAssertTrue(link.wasClosed, "close() was called")
        XCTAssertTrue(link.blockedCallReturned, "the blocked transceive returned")
        XCTAssertEqual(link.commandsAfterBlock, 0, "nothing was sent after it")
        XCTAssertEqual(link.sent.last?[1], 0x2A)
        XCTAssertEqual(emulator.pinAttemptsLeft(pin: .signaturePassword), 5)
        XCTAssertTrue((error as? MynaError)?.retrySafe() ?? false)
    }

    func testAnAlreadyCancelledTaskSendsNothing() async throws {
        let link = self.link!
        let password = emulator.password
        let document = try addressChange()
        let task = Task {
            withUnsafeCurrentTask { $0?.cancel() }
            return try await Myna.signConsent(link: link, document: document, password: password)
        }
        guard case let .failure(error) = await task.result, case .Cancelled? = error as? MynaError else {
            return XCTFail("expected Cancelled")
        }
        XCTAssertEqual(link.sent.count, 0)
    }

    func testCancellingTheTaskCancelsTheOtherFlows() async throws {
        let pin = [UInt8](emulator.cardInfoPin())
        let password = emulator.password
        let flows: [@Sendable (TestLink) async throws -> Void] = [
            { _ = try await Myna.readBasicAttributes(link: $0, pin: pin) },
            { _ = try await Myna.checkLinkage(link: $0, cardInfoPin: pin, signaturePassword: password) },
            { _ = try await Myna.readPinStatus(link: $0) },
        ]
        for (i, flow) in flows.enumerated() {
            let link = TestLink(emulator)
            link.block(ins: i == 2 ? 0xA4 : 0xB0)  // READ BINARY; SELECT for the PIN status
            let task = Task { try await flow(link) }
            await waitUntil { link.isBlocked }
            task.cancel()
            guard case let .failure(error) = await task.result, case .Cancelled? = error as? MynaError else {
                return XCTFail("flow \(i): expected Cancelled")
            }
            XCTAssertTrue(link.wasClosed, "flow \(i)")
            XCTAssertEqual(link.commandsAfterBlock, 0, "flow \(i)")
        }
    }

    func testEndingTheEventStreamCancelsTheFlow() async throws {
        link.block(ins: 0x2A)
        let link = self.link!
        var steps: [FlowStep] = []
        for try await event in Myna.signConsentEvents(link: link, document: try addressChange(), password: emulator.password) {
            if case let .step(p) = event {
                steps.append(p.step)
                if p.step == .signing {
                    await waitUntil { link.isBlocked }  // the card is signing
                    break
                }
            }
        }
        XCTAssertEqual(steps.last, .signing)
        XCTAssertTrue(link.isBlocked)
        await waitUntil { link.blockedCallReturned }
        XCTAssertTrue(link.wasClosed, "leaving the loop closed the link")
        XCTAssertTrue(link.blockedCallReturned)
        XCTAssertEqual(link.commandsAfterBlock, 0)
    }

    // MARK: Issue 9 (b): progress as a stream, in order

    func testProgressStreamArrivesInOrder() async throws {
        let options = SignOptions(allowLastAttempt: false, includeCaCertificate: true, signingTime: nil)
        var steps: [FlowProgress] = []
        var result: SignedConsent?
        for try await event in Myna.signConsentEvents(link: link, document: try addressChange(), password: emulator.password, options: options) {
            XCTAssertNil(result, "nothing after done")
            switch event {
            case let .step(p): steps.append(p)
            case let .done(signed): result = signed
            }
        }
        XCTAssertEqual(steps.map(\.step), [.connecting, .checkingPin, .verifyingPin, .readingCertificate, .readingCaCertificate, .signing])
        XCTAssertEqual(steps.map(\.index), [1, 2, 3, 4, 5, 6])
        XCTAssertEqual(Set(steps.map(\.total)), [6])
        XCTAssertTrue(steps.allSatisfy { isJapanese($0.messageJa) && !$0.messageEn.isEmpty })
        XCTAssertNotNil(result)

        var pinSteps: [Int32] = []
        var report: PinStatusReport?
        for try await event in Myna.readPinStatusEvents(link: link) {
            switch event {
            case let .step(p): pinSteps.append(p.index)
            case let .done(r): report = r
            }
        }
        XCTAssertEqual(pinSteps, [1, 2, 3, 4])
        XCTAssertEqual(report?.signaturePassword.remaining, 5)

        var attributeSteps: [FlowStep] = []
        for try await event in Myna.readBasicAttributesEvents(link: link, pin: [UInt8](emulator.cardInfoPin())) {
            if case let .step(p) = event { attributeSteps.append(p.step) }
        }
        XCTAssertEqual(attributeSteps, [.connecting, .checkingPin, .verifyingPin, .readingAttributes])

        var linkageSteps: [Int32] = []
        for try await event in Myna.checkLinkageEvents(link: link, cardInfoPin: [UInt8](emulator.cardInfoPin()), signaturePassword: emulator.password) {
            if case let .step(p) = event { linkageSteps.append(p.index) }
        }
        XCTAssertEqual(linkageSteps, [1, 2, 3, 4, 5, 6])

        let phone = Emulator(seed: 1, profile: .androidSmartphone)
        var keystoreEvents: [String] = []
        for try await event in Myna.signConsentWithSignerEvents(
            signer: EmulatedKeystore(phone), source: .smartphone, document: try addressChange(channel: .mynaportal)) {
            switch event {
            case let .step(p): keystoreEvents.append("\(p.step)")
            case .done: keystoreEvents.append("done")
            }
        }
        XCTAssertEqual(keystoreEvents, ["keystoreSigning", "done"])
    }

    func testAFailingStreamThrowsTheTypedError() async throws {
        var steps = 0
        do {
            for try await event in Myna.signConsentEvents(link: link, document: try addressChange(), password: Array("WRONG1".utf8)) {
                if case .step = event { steps += 1 }
            }
            XCTFail("expected WrongPin")
        } catch let e as MynaError {
            guard case .WrongPin = e else { return XCTFail("got \(e)") }
        }
        XCTAssertEqual(steps, 3)
    }

    // MARK: Issue 9 (c): the error texts, in both languages

    /// One error of each case the holder may see, produced by the flows.
    func producedErrors() async throws -> [(String, MynaError)] {
        var out: [(String, MynaError)] = []
        func add(_ name: String, _ body: () async throws -> Void) async {
            if let e = await mynaError(body) { out.append((name, e)) }
        }
        let document = try addressChange()
        let password = emulator.password
        await add("invalid PIN format") { _ = try await Myna.signConsent(link: self.link, document: document, password: Array("abc".utf8)) }
        await add("wrong PIN") { _ = try await Myna.signConsent(link: self.link, document: document, password: Array("WRONG1".utf8)) }
        _ = try await Myna.signConsent(link: link, document: document, password: password)  // resets the counter
        let oneLeft = try Emulator.fromPersonaJson(json: personaJSON("one-attempt-left"))
        await add("last-attempt guard") { _ = try await Myna.signConsent(link: TestLink(oneLeft), document: document, password: oneLeft.password) }
        let blocked = try Emulator.fromPersonaJson(json: personaJSON("blocked-signature-password"))
        await add("PIN blocked") { _ = try await Myna.signConsent(link: TestLink(blocked), document: document, password: blocked.password) }
        let lost = TestLink(emulator)
        lost.fail(ins: 0xA4, with: .tagLost)
        await add("tag lost") { _ = try await Myna.signConsent(link: lost, document: document, password: password) }
        let lostInVerify = TestLink(emulator)
        lostInVerify.loseTheNextVerifyAnswer()
        await add("tag lost during VERIFY") { _ = try await Myna.signConsent(link: lostInVerify, document: document, password: password) }
        let blocking = TestLink(emulator)
        blocking.block(ins: 0x2A)
        let task = Task { try await Myna.signConsent(link: blocking, document: document, password: password) }
        await waitUntil { blocking.isBlocked }
        task.cancel()
        if case let .failure(e as MynaError) = await task.result { out.append(("cancelled", e)) }
        let other = TestLink(emulator)
        other.fail(ins: 0xA4, with: .other)
        await add("link failed") { _ = try await Myna.signConsent(link: other, document: document, password: password) }
        await add("callback failed") {
            _ = try await MynaSign.signConsent(
                link: self.link, document: document, password: try PinCode.of(.signaturePassword, password),
                options: SignOptions(),
                listener: ThrowingListener(), cancel: nil)
        }
        let phone = Emulator(seed: 1, profile: .androidSmartphone)
        let portal = try addressChange(channel: .mynaportal)
        await add("keystore failed") { _ = try await Myna.signConsentWithSigner(signer: EmulatedKeystore(phone, mode: .fail), source: .smartphone, document: portal) }
        await add("verification failed") { _ = try verifyConsent(cms: Data([0x30, 0x03, 0x02, 0x01, 0x00]), options: trustEmulator(self.emulator)) }
        let under15 = try Emulator.fromPersonaJson(json: personaJSON("under-15"))
        await add("no signature certificate") { _ = try await Myna.signConsent(link: TestLink(under15), document: document, password: Array("NOTSET00".utf8)) }
        await add("channel rule") { _ = try await Myna.signConsentWithSigner(signer: EmulatedKeystore(phone), source: .smartphone, document: document) }
        return out
    }

    func testErrorTextsInBothLanguages() async throws {
        let errors = try await producedErrors()
        let codes = errors.map { $0.1.code() }
        XCTAssertEqual(codes, [
            .invalidPinFormat, .wrongPin, .lastAttempt, .pinBlocked, .tagLost, .tagLostDuringVerify,
            .cancelled, .linkFailed, .callbackFailed, .keystoreFailed, .verificationFailed,
            .noSignatureCertificate, .channelRule,
        ])
        for (name, e) in errors {
            Myna.language = "ja"
            XCTAssertTrue(Myna.usesJapanese)
            XCTAssertEqual(e.errorDescription, e.failureJa(), name)
            XCTAssertEqual(e.recoverySuggestion, e.recoveryJa(), name)
            XCTAssertEqual(e.localizedDescription, e.failureJa(), name)
            XCTAssertTrue(isJapanese(e.localizedDescription), "\(name): \(e.localizedDescription)")
            if let r = e.recoverySuggestion { XCTAssertTrue(isJapanese(r), name) }

            Myna.language = "en-US"
            XCTAssertFalse(Myna.usesJapanese)
            XCTAssertEqual(e.errorDescription, e.failureEn(), name)
            XCTAssertEqual(e.recoverySuggestion, e.recoveryEn(), name)
            XCTAssertEqual(e.localizedDescription, e.failureEn(), name)
            XCTAssertFalse(isJapanese(e.localizedDescription), name)
            for text in [e.localizedDescription, "\(e)", String(reflecting: e)] {
                XCTAssertFalse(text.contains("MynaError"), "\(name): not a debug dump: \(text)")
                XCTAssertFalse(text.isEmpty, name)
            }
            XCTAssertEqual("\(e)", e.messageEn(), name)
        }
        let byName = Dictionary(errors, uniquingKeysWith: { a, _ in a })
        Myna.language = "en"
        XCTAssertEqual(byName["keystore failed"]?.errorDescription, "The phone could not sign with its stored certificate.")
        XCTAssertEqual(byName["keystore failed"]?.recoverySuggestion, "Unlock the phone and try again.")
        XCTAssertEqual(byName["wrong PIN"]?.errorDescription, "Wrong signature password: 4 attempts left.")
        XCTAssertEqual(byName["cancelled"]?.errorDescription, "Cancelled.")
        XCTAssertTrue(byName["tag lost during VERIFY"]?.pinCounterUncertain() ?? false)
        XCTAssertTrue(byName["tag lost during VERIFY"]?.errorDescription?.contains("may have been counted") ?? false)
        Myna.language = "ja-JP"
        XCTAssertEqual(byName["cancelled"]?.errorDescription, "中止しました。")
        XCTAssertEqual(byName["keystore failed"]?.recoverySuggestion, "画面のロックを解除して、もう一度お試しください。")
        XCTAssertEqual(byName["wrong PIN"]?.localizedDescription, "署名用パスワードが違います。残り4回です。")
        // Without an override the device's preferred language decides.
        Myna.language = nil
        let preferredJapanese = (Locale.preferredLanguages.first ?? "en").lowercased().hasPrefix("ja")
        XCTAssertEqual(Myna.usesJapanese, preferredJapanese)
    }

    // MARK: Issue 9 (d): printed forms carry no personal data

    func testPinCodeChecksItsFormatIsUsedByOneFlowAndPrintsNoPin() async throws {
        for (kind, bad) in [(PinType.signaturePassword, "ABC12"), (.signaturePassword, "ABC12!"),
                            (.cardInfoPin, "12a4"), (.authenticationPin, "12345")] {
            let e = await mynaError { try PinCode.of(kind, Array(bad.utf8)) }
            guard case .InvalidPinFormat(pin: kind)? = e else { return XCTFail("\(bad): \(String(describing: e))") }
        }
        let printed = try PinCode.of(.signaturePassword, Array("pw4x9q2z".utf8))
        XCTAssertEqual(printed.description, "PinCode(signature password, ***)")
        XCTAssertEqual(String(describing: printed), "PinCode(signature password, ***)")
        XCTAssertEqual(printed.debugDescription, "PinCode(signature password, ***)")
        printed.wipe()
        XCTAssertTrue(printed.isWiped())
        // Read in place: the caller's array is the caller's (not changed, not wiped).
        let password = emulator.password
        let code = try PinCode.of(.signaturePassword, password)
        XCTAssertEqual(password, emulator.password)
        XCTAssertEqual(code.pinType(), .signaturePassword)
        _ = try await signConsent(link: link, document: try addressChange(), password: code)
        XCTAssertTrue(code.isWiped(), "the flow used the value and wiped it")
        let sent = link.sent.count
        for spent in [code, printed] {
            let again = await mynaError { try await signConsent(link: self.link, document: try self.addressChange(), password: spent) }
            guard case .InvalidInput? = again else { return XCTFail("reuse: \(String(describing: again))") }
        }
        // A PinCode of another kind is refused before any VERIFY.
        let info = try PinCode.of(.cardInfoPin, [UInt8](emulator.cardInfoPin()))
        let other = await mynaError { try await signConsent(link: self.link, document: try self.addressChange(), password: info) }
        guard case .InvalidInput? = other else { return XCTFail("kind: \(String(describing: other))") }
        XCTAssertEqual(link.sent.count, sent, "nothing sent for a used, wiped or other-kind PinCode")
        XCTAssertEqual(emulator.pinAttemptsLeft(pin: .signaturePassword), 5)
    }

    func testPrintedFormsOfEveryResultHideThePersonalData() async throws {
        let json = try personaJSON("long-address-non-jis")
        let card = try Emulator.fromPersonaJson(json: json)
        let link = TestLink(card)
        let name = "𠮷田　髙子"
        let address = "京都府京都市中京区寺町通御池上る上本能寺前町４８８－１番地　髙島エミュレータ記念グランドレジデンス京都御池通り北棟二十三階２３０１号室　株式会社マイナサイン試験開発部気付　長い住所の試験担当者様方"
        let identifier = "KOSEKI-0123456789"
        let password = [UInt8]("KYOTO2024".utf8)
        let cardInfoPin = [UInt8]("1357".utf8)
        let pins = ["KYOTO2024", "2468", "1357"]
        // Each value as it would be printed: as text, and each PIN also as the bytes a [UInt8]
        // or Data prints ("[49, 51, 53, 55]") and as hex. Digit-only values are looked for as
        // whole numbers only (shows(_:in:)), so an object handle or a time whose digits happen
        // to contain "1357" is not a leak.
        let pinBytes: [String] = pins.map { (pin: String) -> String in
            let bytes: [String] = pin.utf8.map { (b: UInt8) -> String in String(b) }
            return "[" + bytes.joined(separator: ", ") + "]"
        }
        let pinHex: [String] = pins.map { (pin: String) -> String in
            pin.utf8.map { (b: UInt8) -> String in b < 16 ? "0" + String(b, radix: 16) : String(b, radix: 16) }.joined()
        }
        var forbidden: [String] = [
            name, "𠮷田", "髙子", address, "京都府京都市", "寺町通", "1964-02-29", "19640229", identifier,
        ]
        forbidden += pins
        forbidden += pinBytes
        forbidden += pinHex
        XCTAssertTrue(shows("1357", in: "pin: 1357."), "the check sees a PIN printed on its own")
        XCTAssertTrue(shows("[49, 51, 53, 55]", in: "bytes [49, 51, 53, 55]"))
        XCTAssertFalse(shows("1357", in: "<Certificate: 0x140422613571712>"), "a handle is not a PIN")

        let attributes = try await Myna.readBasicAttributes(link: link, pin: cardInfoPin)
        XCTAssertEqual(attributes.name(), name, "the accessors do hold the data")
        XCTAssertEqual(attributes.address(), address)
        XCTAssertEqual(attributes.dateOfBirth(), "1964-02-29")
        let terms = try termsFromText(id: "t", version: "1", text: "規約")
        let documents: [ConsentDocument] = [
            try ConsentDocument.addressChange(
                items: [.address, .name, .dateOfBirth], holderStatus: .myNumberLicenceOnly, terms: terms,
                channel: .mynaportal, nonce: "n-1", timestamp: nil),
            try ConsentDocument.revocation(consentNonce: "n-1", channel: .mynaportal, nonce: "n-2", consentSha256Hex: nil, timestamp: nil),
            try ConsentDocument.domicileChange(identifier: identifier, firstSubmission: true, nonce: "n-3", timestamp: nil),
            try ConsentDocument.mynaportalLinkage(attributes: attributes, nonce: "n-4", timestamp: nil),
        ]
        XCTAssertEqual(documents.map { $0.kind() }, [.addressChange, .revocation, .domicileChange, .mynaportalLinkage])
        XCTAssertEqual(documents[2].domicileChangeIdentifier(), identifier)
        let signed = try await Myna.signConsent(link: link, document: documents[3], password: password)
        XCTAssertTrue(signed.documentJson().contains("寺町通"), "the signed content does hold the address")
        let verified = try verifyConsent(cms: signed.cms(), options: trustEmulator(card))
        let linkage = try await Myna.checkLinkage(link: link, cardInfoPin: cardInfoPin, signaturePassword: password)
        let report = try await Myna.readPinStatus(link: link)
        let wrong = await mynaError { try await Myna.signConsent(link: link, document: documents[0], password: Array("KYOTO2025".utf8)) }
        let badPin = await mynaError { try await Myna.readBasicAttributes(link: link, pin: Array("13579".utf8)) }

        let values: [(String, Any)] = [
            ("BasicAttributes", attributes),
            ("Certificate", signed.certificate()),
            ("Certificate.attributes", signed.certificate().attributes() as Any),
            ("ConsentDocument.addressChange", documents[0]),
            ("ConsentDocument.revocation", documents[1]),
            ("ConsentDocument.domicileChange", documents[2]),
            ("ConsentDocument.mynaportalLinkage", documents[3]),
            ("SignedConsent", signed),
            ("VerifiedConsent", verified),
            ("VerifiedConsent.document", verified.document()),
            ("LinkageResult", linkage),
            ("PinStatusReport", report),
            ("MynaError.WrongPin", wrong as Any),
            ("MynaError.InvalidPinFormat", badPin as Any),
            ("[documents]", documents),
        ]
        for (label, value) in values {
            var dumped = ""
            dump(value, to: &dumped)
            let forms = [
                "describing": String(describing: value),
                "reflecting": String(reflecting: value),
                "interpolation": "\(value)",
                "dump": dumped,
            ]
            for (form, text) in forms {
                XCTAssertFalse(text.isEmpty, "\(label) \(form)")
                for secret in forbidden {
                    XCTAssertFalse(shows(secret, in: text), "\(label) \(form) shows \(secret): \(text)")
                }
            }
        }
        // The object fields inside a record print redacted.
        XCTAssertTrue(String(describing: linkage).contains("redacted"), String(describing: linkage))
        XCTAssertTrue(String(describing: attributes).contains("redacted"))
    }

    // MARK: Issue 9 (e): throwing callbacks give typed errors

    func testThrowingCallbacksGiveTypedErrors() async throws {
        let document = try addressChange()
        let password = emulator.password
        let unexpected = TestLink(emulator)
        unexpected.fail(ins: 0xA4, with: .unexpected)
        let e1 = await mynaError { try await Myna.signConsent(link: unexpected, document: document, password: password) }
        guard case let .LinkFailed(detail)? = e1 else { return XCTFail("got \(String(describing: e1))") }
        XCTAssertTrue(detail.contains("UnexpectedSwiftError"), detail)

        let e2 = await mynaError {
            try await MynaSign.signConsent(
                link: self.link, document: document, password: try PinCode.of(.signaturePassword, password),
                options: SignOptions(),
                listener: ThrowingListener(), cancel: nil)
        }
        guard case .CallbackFailed(callback: "progress", _)? = e2 else { return XCTFail("got \(String(describing: e2))") }
        XCTAssertEqual(emulator.pinAttemptsLeft(pin: .signaturePassword), 5, "stopped before VERIFY")

        let phone = Emulator(seed: 1, profile: .androidSmartphone)
        let portal = try addressChange(channel: .mynaportal)
        let e3 = await mynaError { try await Myna.signConsentWithSigner(signer: EmulatedKeystore(phone, mode: .fail), source: .smartphone, document: portal) }
        guard case .KeystoreFailed(detail: "key invalidated")? = e3 else { return XCTFail("got \(String(describing: e3))") }
        let e4 = await mynaError { try await Myna.signConsentWithSigner(signer: EmulatedKeystore(phone, mode: .unexpected), source: .smartphone, document: portal) }
        guard case let .KeystoreFailed(detail4)? = e4 else { return XCTFail("got \(String(describing: e4))") }
        XCTAssertTrue(detail4.contains("UnexpectedSwiftError"), detail4)
        let e5 = await mynaError { try await Myna.signConsentWithSigner(signer: EmulatedKeystore(phone, mode: .cancel), source: .smartphone, document: portal) }
        guard case .Cancelled? = e5 else { return XCTFail("got \(String(describing: e5))") }

        let keystore = EmulatedKeystore(phone)
        let signed = try await Myna.signConsentWithSigner(signer: keystore, source: .smartphone, document: portal)
        XCTAssertEqual(keystore.signed, 1)
        XCTAssertEqual(try verifyConsent(cms: signed.cms(), options: trustEmulator(phone)).source(), .smartphone)
    }

    // MARK: Issue 9 (f): PINs as bytes

    func testPinsAreBytes() async throws {
        let document = try addressChange()
        let bytes: [UInt8] = emulator.password
        XCTAssertEqual(String(decoding: bytes, as: UTF8.self).count, bytes.count)
        _ = try await Myna.signConsent(link: link, document: document, password: bytes)
        _ = try await Myna.signConsent(link: link, document: document, password: Data(bytes))
        let lower = Array(String(decoding: bytes, as: UTF8.self).lowercased().utf8)
        _ = try await Myna.signConsent(link: link, document: document, password: lower)
        let before = link.sent.count
        let notUTF8 = await mynaError { try await Myna.signConsent(link: self.link, document: document, password: [0xFF, 0xFE, 0x41, 0x42, 0x43, 0x44]) }
        guard case .InvalidPinFormat(pin: .signaturePassword)? = notUTF8 else { return XCTFail("got \(String(describing: notUTF8))") }
        XCTAssertEqual(link.sent.count, before, "a malformed PIN is never sent")
        let shortPin = await mynaError { try await Myna.readBasicAttributes(link: self.link, pin: [0x31, 0x32]) }
        guard case .InvalidPinFormat(pin: .cardInfoPin)? = shortPin else { return XCTFail("got \(String(describing: shortPin))") }
        XCTAssertEqual(emulator.pinAttemptsLeft(pin: .signaturePassword), 5)
    }

    // MARK: The README's Swift snippet, compiled and run

    func testReadmeSnippetsRunAgainstTheEmulator() async throws {
        XCTAssertFalse(readmeSnippets.isEmpty)
        for snippet in readmeSnippets {
            let session = ReadmeSession()
            var submitted: [Data] = []
            try await snippet(link, try addressChange(), emulator.password, session) { submitted.append($0) }
            XCTAssertEqual(submitted.count, 1)
            XCTAssertEqual(session.alertMessage, "署名しています。カードを動かさないでください")
            XCTAssertNoThrow(try verifyConsent(cms: submitted[0], options: trustEmulator(emulator)))
        }
    }
}

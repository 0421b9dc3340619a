// Issue 26: login with the user-authentication certificate, app side (`Myna.logIn`) and
// service side (`LoginVerifier`), on the emulated card through the Swift transport.

import Foundation
import MynaSign
import XCTest

final class LoginTests: XCTestCase {
    let service = "https://login.example.jp"

    func verifier(_ emulator: Emulator, allowUnchecked: Bool = false) throws -> LoginVerifier {
        let options = VerifierOptions(
            trust: nil, rootsDer: emulator.rootCertificatesDer(), crls: [], maxSkewSeconds: nil,
            allowUncheckedRevocation: allowUnchecked, signatureRootsDer: [], authenticationRootsDer: [])
        return try LoginVerifier(verifier: try Verifier(options: options), service: service, lifetimeSeconds: nil)
    }

    func ocsp(_ result: LoginResult, revokedAt: Date? = nil) throws -> LoginCheck {
        LoginCheck(
            receivedAt: nil,
            ocspResponse: try emulatorOcspResponse(certificateDer: result.certificateDer, revokedAt: revokedAt, nonce: nil),
            ocspNonce: nil)
    }

    func logIn(_ emulator: Emulator, _ challenge: String, link: TestLink? = nil, as name: String? = nil, pin: [UInt8]? = nil) async throws -> LoginResult {
        try await Myna.logIn(
            link: link ?? TestLink(emulator), challengeJson: challenge, service: name ?? service,
            pin: pin ?? [UInt8](emulator.authenticationPin()))
    }

    func refused(_ reason: VerifyFailure, _ body: () throws -> Void, file: StaticString = #filePath, line: UInt = #line) {
        do {
            try body()
            XCTFail("accepted", file: file, line: line)
        } catch MynaError.VerificationFailed(let got) {
            XCTAssertEqual(got, reason, file: file, line: line)
        } catch {
            XCTFail("got \(error)", file: file, line: line)
        }
    }

    func testLogInOnACardAndAPhoneAcceptedWithTheEmulatorOcsp() async throws {
        for profile in [CardProfile.myNumberCard, .androidSmartphone] {
            let emulator = Emulator(seed: 1, profile: profile)
            let login = try verifier(emulator)
            let link = TestLink(emulator)
            let result = try await logIn(emulator, try login.issueChallenge(session: "s", raw: false), link: link)
            XCTAssertEqual(result.exchanges, 6)
            XCTAssertEqual(link.sent.count, 6)
            XCTAssertEqual(result.pinRemainingBefore, 3)
            let v = try login.verify(session: "s", responseJson: result.responseJson, check: try ocsp(result))
            XCTAssertEqual(v.certificateSerial, result.certificateSerial)
            XCTAssertEqual(v.revocation.method, .ocsp)
        }
    }

    func testReplayedExpiredRelayedAndRevokedAreRefused() async throws {
        let emulator = Emulator(seed: 1, profile: .myNumberCard)
        let login = try verifier(emulator)
        let ok = try await logIn(emulator, try login.issueChallenge(session: "s", raw: false))
        _ = try login.verify(session: "s", responseJson: ok.responseJson, check: try ocsp(ok))
        refused(.challengeReplayed) { _ = try login.verify(session: "s", responseJson: ok.responseJson, check: try ocsp(ok)) }
        let old = try login.issueChallengeAt(session: "s", issuedAt: Date().addingTimeInterval(-600), raw: false)
        let late = try await logIn(emulator, old)
        refused(.challengeExpired) { _ = try login.verify(session: "s", responseJson: late.responseJson, check: try ocsp(late)) }
        let relayed = try await logIn(emulator, try login.issueChallenge(session: "s", raw: false), as: "https://phish.example")
        refused(.relayedResponse) { _ = try login.verify(session: "s", responseJson: relayed.responseJson, check: try ocsp(relayed)) }
        let r = try await logIn(emulator, try login.issueChallenge(session: "s", raw: false))
        refused(.revoked) {
            _ = try login.verify(session: "s", responseJson: r.responseJson, check: try ocsp(r, revokedAt: Date().addingTimeInterval(-86_400)))
        }
    }

    func testASignatureCertificateNeverLogsInNorAnAuthenticationKeySignsAConsent() async throws {
        let emulator = Emulator(seed: 1, profile: .myNumberCard)
        let login = try verifier(emulator, allowUnchecked: true)
        // The signature key and certificate (the emulated keystore's) answering a login.
        let forged = try await Myna.logInWithSigner(
            signer: EmulatedKeystore(emulator), challengeJson: try login.issueChallenge(session: "s", raw: false), service: service)
        refused(.signatureCertificateForLogin) {
            _ = try login.verify(session: "s", responseJson: forged, check: LoginCheck(receivedAt: nil, ocspResponse: nil, ocspNonce: nil))
        }
        // The authentication key as a keystore (APDUs on the emulated card: SELECT the JPKI
        // application, VERIFY PIN 0018, COMPUTE DIGITAL SIGNATURE with key 0017 over the
        // SHA-256 DigestInfo; PROTOCOL.md section 4) is refused for a consent before it signs.
        let cert = try await logIn(emulator, try login.issueChallenge(session: "s", raw: false)).certificateDer
        let keystore = AuthenticationKeystore(emulator, certificate: cert)
        let e = await mynaError {
            try await Myna.signConsentWithSigner(
                signer: keystore, source: .card,
                document: try ConsentDocument.addressChange(
                    items: [.address], holderStatus: .myNumberLicenceOnly,
                    terms: try termsFromText(id: "t", version: "1", text: "利用規約の本文"),
                    channel: .mynaportal, nonce: "n", timestamp: nil))
        }
        XCTAssertEqual(e?.code(), .notSignatureCertificate)
        XCTAssertEqual(keystore.signed, 0)
    }

    func testWrongPinCountsDownAndALinkLostDuringVerifyIsReported() async throws {
        let emulator = Emulator(seed: 1, profile: .myNumberCard)
        let login = try verifier(emulator)
        let challenge = try login.issueChallenge(session: "s", raw: false)
        let format = await mynaError { try await self.logIn(emulator, challenge, pin: Array("12a4".utf8)) }
        XCTAssertEqual(format?.code(), .invalidPinFormat)
        let wrongPin = String(decoding: emulator.authenticationPin(), as: UTF8.self) == "9999" ? "1111" : "9999"
        let wrong = await mynaError { try await self.logIn(emulator, challenge, pin: Array(wrongPin.utf8)) }
        guard case .WrongPin(pin: .authenticationPin, remaining: 2)? = wrong else { return XCTFail("got \(String(describing: wrong))") }
        XCTAssertEqual(emulator.pinAttemptsLeft(pin: .authenticationPin), 2)
        let lost = TestLink(emulator)
        lost.loseTheNextVerifyAnswer()
        let e = await mynaError { try await self.logIn(emulator, challenge, link: lost) }
        XCTAssertEqual(e?.code(), .tagLostDuringVerify)
        XCTAssertEqual(e?.pinCounterUncertain(), true)
    }
}

/// The card's authentication key through raw APDUs on the emulator, as a keystore.
final class AuthenticationKeystore: KeystoreSigner, @unchecked Sendable {
    let emulator: Emulator
    let certificate: Data
    private let lock = NSLock()
    private var count = 0

    init(_ emulator: Emulator, certificate: Data) {
        self.emulator = emulator
        self.certificate = certificate
    }

    var signed: Int {
        lock.lock()
        defer { lock.unlock() }
        return count
    }

    func certificateDer() -> Data { certificate }
    func algorithm() -> KeyAlgorithm { .rsaPkcs1Sha256 }
    func sign(message: Data) throws -> Data {
        lock.lock()
        count += 1
        lock.unlock()
        // Only reached if the library asked: the test asserts it never does for a consent.
        throw SignerError.Failed(detail: "not expected to sign")
    }
}

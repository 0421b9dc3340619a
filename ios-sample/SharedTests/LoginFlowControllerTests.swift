// The iOS sample's login flow controller (issue 26), run on Linux against the emulator with the
// library's LoginVerifier standing in for the service, as in the sample's debug build.

import Foundation
import MynaSign
import SignFlow
import XCTest

final class LoginFlowControllerTests: XCTestCase {
    let origin = "https://login.example.jp"
    var emulator: Emulator!
    var link: ControlledLink!
    var flow: LoginFlowController!

    override func setUpWithError() throws {
        try super.setUpWithError()
        emulator = Emulator(seed: 7, profile: .myNumberCard)
        link = ControlledLink(emulator)
        flow = LoginFlowController(connector: FixedLinkConnector(link: link), service: try service())
    }

    /// The service as the app names it (`origin`, or another: a relay), checking with the
    /// emulator's roots and its OCSP responder (`revokedAt`: revoked then).
    func service(appSays: String? = nil, revokedAt: Date? = nil) throws -> LoginService {
        let options = VerifierOptions(
            trust: nil, rootsDer: emulator.rootCertificatesDer(), crls: [], maxSkewSeconds: nil,
            allowUncheckedRevocation: false, signatureRootsDer: [], authenticationRootsDer: [])
        let verifier = try LoginVerifier(verifier: try Verifier(options: options), service: origin, lifetimeSeconds: nil)
        return VerifyingLoginService(verifier: verifier, service: appSays ?? origin) { der in
            try emulatorOcspResponse(certificateDer: der, revokedAt: revokedAt, nonce: nil)
        }
    }

    var pin: [UInt8] { [UInt8](emulator.authenticationPin()) }
    var wrongPin: [UInt8] { Array((String(decoding: pin, as: UTF8.self) == "9999" ? "1111" : "9999").utf8) }

    func prompt() -> LoginPinPrompt? {
        if case let .pinEntry(p) = flow.state { return p }
        return nil
    }

    func testALoginEndsWithTheCertificateTheServiceRecognised() async throws {
        XCTAssertEqual(prompt(), LoginPinPrompt(remaining: nil, lastAttempt: false, notice: nil))
        await flow.logIn(pin: pin, confirmLastAttempt: false)
        guard case let .done(account, exchanges) = flow.state else { return XCTFail("expected done, got \(flow.state)") }
        XCTAssertEqual(exchanges, 6)
        XCTAssertFalse(account.certificateSerial.isEmpty)
        XCTAssertNotNil(account.keyId)
        XCTAssertGreaterThan(account.notAfter, Date())
        XCTAssertEqual(emulator.pinAttemptsLeft(pin: .authenticationPin), 3)
    }

    func testAPinOfTheWrongFormatIsRefusedBeforeTheCard() async throws {
        await flow.logIn(pin: Array("12a4".utf8), confirmLastAttempt: false)
        XCTAssertEqual(prompt()?.notice?.code, "invalidPinFormat")
        await flow.logIn(pin: Array("123".utf8), confirmLastAttempt: false)
        XCTAssertEqual(prompt()?.notice?.code, "invalidPinFormat")
        XCTAssertFalse(link.wasClosed, "the card was not asked for")
    }

    func testWrongPinsCountDownThenTheLastAttemptNeedsConfirmation() async throws {
        await flow.logIn(pin: wrongPin, confirmLastAttempt: false)
        XCTAssertEqual(prompt()?.remaining, 2)
        XCTAssertEqual(prompt()?.notice?.code, "wrongPin")
        await flow.logIn(pin: wrongPin, confirmLastAttempt: false)
        XCTAssertEqual(prompt()?.remaining, 1)
        XCTAssertEqual(prompt()?.lastAttempt, true)
        await flow.logIn(pin: pin, confirmLastAttempt: false)
        XCTAssertEqual(prompt()?.notice?.code, "lastAttempt")
        XCTAssertEqual(emulator.pinAttemptsLeft(pin: .authenticationPin), 1)
        await flow.logIn(pin: pin, confirmLastAttempt: true)
        guard case .done = flow.state else { return XCTFail("expected done, got \(flow.state)") }
        XCTAssertEqual(emulator.pinAttemptsLeft(pin: .authenticationPin), 3)
    }

    func testTheCardLeavingDuringVerifyIsReported() async throws {
        link.loseTheNextVerifyAnswer()
        await flow.logIn(pin: pin, confirmLastAttempt: false)
        guard case let .failed(message, uncertain) = flow.state else { return XCTFail("expected failed, got \(flow.state)") }
        XCTAssertEqual(message.code, "tagLostDuringVerify")
        XCTAssertTrue(uncertain)
    }

    func testCancelWhileTheCardSignsClosesTheLink() async throws {
        link.blockTheSignature()
        let flow = self.flow!
        let link = self.link!
        let pin = self.pin
        let running = Task { await flow.logIn(pin: pin, confirmLastAttempt: false) }
        for _ in 0..<1000 where !link.isBlocked { try await Task.sleep(nanoseconds: 10_000_000) }
        XCTAssertTrue(link.isBlocked)
        flow.cancel()
        await running.value
        XCTAssertEqual(flow.state, .cancelled)
        XCTAssertTrue(link.wasClosed)
    }

    func testTheServiceRefusesARelayedResponseAndARevokedCertificate() async throws {
        for service in [try service(appSays: "https://phish.example"), try service(revokedAt: Date(timeIntervalSinceNow: -86_400))] {
            let flow = LoginFlowController(connector: FixedLinkConnector(link: ControlledLink(emulator)), service: service)
            await flow.logIn(pin: pin, confirmLastAttempt: false)
            guard case let .failed(message, _) = flow.state else { return XCTFail("expected failed, got \(flow.state)") }
            XCTAssertEqual(message.code, "verificationFailed")
        }
    }

    func testWithoutAConfiguredServiceNothingIsSent() async throws {
        let flow = LoginFlowController(connector: FixedLinkConnector(link: link), service: ServiceLogin(service: origin))
        await flow.logIn(pin: pin, confirmLastAttempt: false)
        guard case let .failed(message, _) = flow.state else { return XCTFail("expected failed, got \(flow.state)") }
        XCTAssertEqual(message.code, "noLoginService")
        XCTAssertFalse(link.wasClosed)
        XCTAssertEqual(emulator.pinAttemptsLeft(pin: .authenticationPin), 3)
    }
}

// Issue 27: the basic four with what proves them, read through a Swift transport, verified
// again as a back end does, and each tampered case refused.

import Foundation
import MynaSign
import XCTest

final class CardInfoAuthTests: XCTestCase {
    /// `json` with one hex digit changed, `at` digits into the value of `key`.
    private func flipped(_ json: String, _ key: String, at: Int) -> String {
        var chars = Array(json)
        let marker = Array("\"\(key)\":\"")
        var start = 0
        while start + marker.count <= chars.count && Array(chars[start..<start + marker.count]) != marker {
            start += 1
        }
        let i = start + marker.count + at
        chars[i] = chars[i] == "0" ? "1" : "0"
        return String(chars)
    }

    private func reason(_ json: String, _ trust: CardInfoTrust, _ challenge: Data?) -> VerifyFailure? {
        do {
            _ = try verifyCardInfoEvidence(evidenceJson: json, trust: trust, challenge: challenge)
            XCTFail("the evidence verified")
        } catch let MynaError.VerificationFailed(reason) {
            return reason
        } catch {
            XCTFail("expected VerificationFailed, got \(error)")
        }
        return nil
    }

    func testAuthenticAttributesThenEveryChangeIsRefused() async throws {
        let emulator = Emulator(seed: 1, profile: .myNumberCard)
        let trust = emulatorCardInfoTrust()
        let challenge = newPresenceChallenge()
        let got = try await Myna.readAuthenticBasicAttributes(
            link: TestLink(emulator), pin: [UInt8](emulator.cardInfoPin()), trust: trust, challenge: challenge)
        XCTAssertTrue(got.cardPresent())
        XCTAssertEqual(got.exchanges(), 8)
        let name = got.attributes().name()
        XCTAssertFalse("\(got)".contains(name))
        let evidence = got.evidenceJson()

        let back = try verifyCardInfoEvidence(evidenceJson: evidence, trust: trust, challenge: challenge)
        XCTAssertEqual(back.attributes().name(), name)

        XCTAssertEqual(reason(flipped(evidence, "basic_four", at: 40), trust, challenge), .cardInfoAttributesDigest)
        XCTAssertEqual(reason(flipped(evidence, "integrity_record", at: 30), trust, challenge), .cardInfoRecordSignature)
        XCTAssertEqual(reason(flipped(evidence, "ap_certificate", at: 400), trust, challenge), .cardInfoCertificateSignature)
        for other in [CardInfoTrust.production(), CardInfoTrust.test()] {
            XCTAssertEqual(reason(evidence, other, nil), .cardInfoUntrustedAuthority)
        }
        // A replayed answer: the same evidence for a new challenge.
        XCTAssertEqual(reason(evidence, trust, newPresenceChallenge()), .presenceChallengeMismatch)
    }
}

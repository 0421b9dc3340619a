// How long each card flow may need inside one NFC reader session, so that the session can
// refuse to start a flow that cannot finish before iOS ends the session (60 seconds after it
// began). The exchange counts are the most the flows send on the emulated card in the worst
// transport case (short APDUs only, no short-EF-id shortcuts), measured by the Swift tests
// (NFCSessionTests.testBudgetsCoverTheMeasuredExchanges fails if a flow sends more).

import Foundation
#if canImport(MynaSignCore)
import MynaSignCore  // the generated Swift, a module of its own where the package builds it so
#endif

/// A card flow the NFC session runs, with its time budget.
public enum NFCFlowKind: String, CaseIterable, Sendable {
    /// `readPinStatus`: every PIN's retry counter.
    case readPinStatus
    /// `signConsent`: VERIFY, certificate, RSA signature.
    case signConsent
    /// `signConsent` with `includeCaCertificate` (one more certificate read).
    case signConsentWithCaCertificate
    /// `readBasicAttributes`: VERIFY of the card-info PIN, the attributes.
    case readBasicAttributes
    /// `checkLinkage`: two VERIFYs, the attributes and the certificate.
    case checkLinkage
    /// `logIn`: the authentication certificate, VERIFY of the authentication PIN, RSA signature.
    case logIn

    /// The most exchanges (APDU round trips) the flow sends, short APDUs only.
    public var maxExchanges: Int {
        switch self {
        case .readPinStatus: return 12
        case .signConsent: return 18
        case .signConsentWithCaCertificate: return 25
        case .readBasicAttributes: return 8
        case .checkLinkage: return 24
        case .logIn: return 18
        }
    }

    /// PIN checks (VERIFY with a PIN) in the flow.
    public var pinVerifications: Int {
        switch self {
        case .readPinStatus: return 0
        case .signConsent, .signConsentWithCaCertificate, .readBasicAttributes, .logIn: return 1
        case .checkLinkage: return 2
        }
    }

    /// RSA-2048 signatures the card computes.
    public var cardSignatures: Int {
        switch self {
        case .signConsent, .signConsentWithCaCertificate, .logIn: return 1
        case .readPinStatus, .readBasicAttributes, .checkLinkage: return 0
        }
    }

    /// Seconds the flow may take once the card is connected: every exchange at
    /// `NFCTiming.secondsPerExchange`, every PIN check and card signature at their allowance,
    /// plus `NFCTiming.marginSeconds`.
    public var budgetSeconds: Double {
        Double(maxExchanges) * NFCTiming.secondsPerExchange
            + Double(pinVerifications) * NFCTiming.secondsPerPinCheck
            + Double(cardSignatures) * NFCTiming.secondsPerCardSignature
            + NFCTiming.marginSeconds
    }
}

/// The time allowances the budgets use (see bindings/swift/README.md, "Fits the NFC
/// session", for where each comes from).
public enum NFCTiming {
    /// iOS ends a reader session this many seconds after it began.
    public static let sessionLimitSeconds: Double = 60
    /// One APDU round trip over ISO 14443 through CoreNFC, a 256-byte read included.
    public static let secondsPerExchange: Double = 0.25
    /// A VERIFY: the card compares the PIN and updates its counter.
    public static let secondsPerPinCheck: Double = 1
    /// One RSA-2048 signature computed on the card: a generous allowance (apps set their
    /// NFC timeouts for RSA operations between 5 and 20 seconds; the flow's own step text
    /// says about a second).
    public static let secondsPerCardSignature: Double = 5
    /// Slack for the connection and the app.
    public static let marginSeconds: Double = 3
}

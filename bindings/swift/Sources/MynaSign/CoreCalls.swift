// The generated flow functions, under one name whichever way the package is built: the layer's
// own types have methods of the same names (`Myna.signConsent`, `MynaNFCSession.signConsent`),
// which hide the generated top-level functions, so the layer calls them as `Core.…`. Where the
// generated Swift is a module of its own (`MynaSignCore`, Package.swift and the Linux tests:
// Swift 5 mode, the layer in Swift 6 mode) they are `MynaSignCore.…`; where both are one module
// (the release package), `MynaSign.…`.

import Foundation
#if canImport(MynaSignCore)
import MynaSignCore
#endif

enum Core {
    static func signConsent(
        link: CardLink, document: ConsentDocument, password: PinCode, options: SignOptions,
        listener: ProgressListener?, cancel: CancelHandle?
    ) async throws -> SignedConsent {
        #if canImport(MynaSignCore)
        try await MynaSignCore.signConsent(link: link, document: document, password: password, options: options, listener: listener, cancel: cancel)
        #else
        try await MynaSign.signConsent(link: link, document: document, password: password, options: options, listener: listener, cancel: cancel)
        #endif
    }

    static func readPinStatus(link: CardLink, listener: ProgressListener?, cancel: CancelHandle?) async throws -> PinStatusReport {
        #if canImport(MynaSignCore)
        try await MynaSignCore.readPinStatus(link: link, listener: listener, cancel: cancel)
        #else
        try await MynaSign.readPinStatus(link: link, listener: listener, cancel: cancel)
        #endif
    }

    static func readBasicAttributes(
        link: CardLink, pin: PinCode, options: PinOptions, listener: ProgressListener?, cancel: CancelHandle?
    ) async throws -> BasicAttributes {
        #if canImport(MynaSignCore)
        try await MynaSignCore.readBasicAttributes(link: link, pin: pin, options: options, listener: listener, cancel: cancel)
        #else
        try await MynaSign.readBasicAttributes(link: link, pin: pin, options: options, listener: listener, cancel: cancel)
        #endif
    }

    static func checkLinkage(
        link: CardLink, cardInfoPin: PinCode, signaturePassword: PinCode, options: PinOptions,
        listener: ProgressListener?, cancel: CancelHandle?
    ) async throws -> LinkageResult {
        #if canImport(MynaSignCore)
        try await MynaSignCore.checkLinkage(
            link: link, cardInfoPin: cardInfoPin, signaturePassword: signaturePassword, options: options, listener: listener, cancel: cancel)
        #else
        try await MynaSign.checkLinkage(
            link: link, cardInfoPin: cardInfoPin, signaturePassword: signaturePassword, options: options, listener: listener, cancel: cancel)
        #endif
    }

    static func signConsentWithSigner(
        signer: KeystoreSigner, source: CertificateSource, document: ConsentDocument, options: SignOptions,
        listener: ProgressListener?, cancel: CancelHandle?
    ) async throws -> SignedConsent {
        #if canImport(MynaSignCore)
        try await MynaSignCore.signConsentWithSigner(
            signer: signer, source: source, document: document, options: options, listener: listener, cancel: cancel)
        #else
        try await MynaSign.signConsentWithSigner(
            signer: signer, source: source, document: document, options: options, listener: listener, cancel: cancel)
        #endif
    }
}

"""What a receiving service calls, made strict: ``Verifier.verify`` takes the check
(``verify(cms)`` alone, which checked neither nonce nor channel, is refused), and
``VerifiedConsent.issuance_number`` is a property."""

from . import ffi as _ffi


def install() -> None:
    if not hasattr(_ffi, "Verifier"):  # a build without the verify feature
        return
    generated = _ffi.Verifier.verify

    def verify(self, cms: bytes, check: "_ffi.ConsentCheck") -> "_ffi.VerifiedConsent":
        """Verifies a consent (CMS, DER) as received, against ``check``: the nonce the service
        issued for this submission (``ConsentCheck(nonce=...)``), the channel, the receipt
        time and any OCSP response. ``check`` is required: a service that means to check
        no nonce says so with ``ConsentCheck(nonce=None)``."""
        if not isinstance(check, _ffi.ConsentCheck):
            raise TypeError("check must be a ConsentCheck (the nonce this service issued), not {}".format(
                type(check).__name__))
        return generated(self, cms, check)

    _ffi.Verifier.verify = verify
    number = _ffi.VerifiedConsent.issuance_number
    if not isinstance(number, property):
        # A property: ``verified.issuance_number`` (the signer certificate's serial; kept out
        # of the printed forms, as it identifies the holder's certificate).
        _ffi.VerifiedConsent.issuance_number = property(
            number, doc="The issuance number (発行番号) of the signer certificate.")

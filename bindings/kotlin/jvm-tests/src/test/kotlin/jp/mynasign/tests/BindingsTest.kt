package jp.mynasign.tests

import java.util.Collections
import java.util.concurrent.Executors
import java.util.concurrent.TimeUnit
import java.util.concurrent.atomic.AtomicInteger
import jp.mynasign.BasicAttributes
import jp.mynasign.CancelHandle
import jp.mynasign.CardLink
import jp.mynasign.CardProfile
import jp.mynasign.CertificateSource
import jp.mynasign.CertificateType
import jp.mynasign.ConsentChannel
import jp.mynasign.ConsentDocument
import jp.mynasign.ConsentItem
import jp.mynasign.Emulator
import jp.mynasign.HolderStatus
import jp.mynasign.JpkiCard
import jp.mynasign.KeyAlgorithm
import jp.mynasign.KeystoreSigner
import jp.mynasign.SignerException
import jp.mynasign.LinkException
import jp.mynasign.MynaException
import jp.mynasign.PinType
import jp.mynasign.ProgressCallback
import jp.mynasign.SignStep
import jp.mynasign.TrustAnchors
import jp.mynasign.checkLinkage
import jp.mynasign.consentPeriod
import jp.mynasign.readCardAttributes
import jp.mynasign.signConsent
import jp.mynasign.signConsentWithSigner
import jp.mynasign.termsFromText
import jp.mynasign.verifyConsent
import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.Assertions.assertFalse
import org.junit.jupiter.api.Assertions.assertNotEquals
import org.junit.jupiter.api.Assertions.assertNotNull
import org.junit.jupiter.api.Assertions.assertTrue
import org.junit.jupiter.api.Test
import org.junit.jupiter.api.assertThrows

/** An app-held key, as the Android Keystore holds a smartphone certificate's key. */
class EmulatedKeystore(private val emulator: Emulator, private val cancel: Boolean = false) : KeystoreSigner {
    var signed = 0
    override fun certificateDer(): ByteArray = emulator.keystoreCertificateDer()
    override fun algorithm(): KeyAlgorithm = KeyAlgorithm.RSA_PKCS1_SHA256
    override fun sign(message: ByteArray): ByteArray {
        if (cancel) throw SignerException.Cancelled()
        signed++
        return emulator.keystoreSign(message)
    }
}

/** The transport written in Kotlin: every APDU crosses Rust → Kotlin → Rust. */
class ForwardingLink(private val emulator: Emulator) : CardLink {
    val commands = AtomicInteger()
    val threads: MutableSet<String> = Collections.synchronizedSet(mutableSetOf())

    override fun transceive(command: ByteArray): ByteArray {
        commands.incrementAndGet()
        threads.add(Thread.currentThread().name)
        return emulator.transceive(command)
    }

    override fun supportsExtendedLength(): Boolean = true

    override fun maxTransceiveLength(): UInt = 0u
}

/**
 * Throws [failure] on the first command whose INS is [ins] and that carries data (so for
 * VERIFY the PIN check, not the retry-counter query), or on any command when [ins] is null.
 */
class FailingLink(
    private val emulator: Emulator,
    private val ins: Int?,
    private val failure: () -> Exception,
) : CardLink {
    override fun transceive(command: ByteArray): ByteArray {
        if (ins == null || (command.size > 5 && (command[1].toInt() and 0xff) == ins)) throw failure()
        return emulator.transceive(command)
    }

    override fun supportsExtendedLength(): Boolean = true

    override fun maxTransceiveLength(): UInt = 0u
}

private const val INS_VERIFY = 0x20
private const val WRONG_PASSWORD = "ZZZZZZ"

private fun hasJapanese(s: String) = s.any { it.code in 0x3040..0x30ff || it.code in 0x4e00..0x9fff }

private fun addressChange(nonce: String = "n1", channel: ConsentChannel = ConsentChannel.LICENCE_CENTRE_KIOSK) =
    ConsentDocument.AddressChange(
        items = listOf(ConsentItem.ADDRESS),
        holderStatus = HolderStatus.MY_NUMBER_LICENCE_ONLY,
        terms = termsFromText("terms", "1", "利用規約の本文"),
        channel = channel,
        nonce = nonce,
        timestampUnix = null,
    )

class BindingsTest {
    private val emu = Emulator(1uL, CardProfile.MY_NUMBER_CARD)

    @Test
    fun `open reads the profile and the PIN status without spending an attempt`() {
        val link = ForwardingLink(emu)
        JpkiCard.open(link).use { card ->
            assertEquals(CardProfile.MY_NUMBER_CARD, card.profile())
            val s = card.pinStatus(PinType.SIGNATURE_PASSWORD)
            assertEquals(5, s.remaining.toInt())
            assertEquals(5, s.maxAttempts.toInt())
            assertFalse(s.blocked)
            assertFalse(s.lastAttempt)
            assertEquals(3, card.pinStatus(PinType.AUTHENTICATION_PIN).remaining.toInt())
        }
        assertTrue(link.commands.get() >= 3, "the Kotlin transport carried the APDUs")
        assertEquals(5, emu.pinAttemptsLeft(PinType.SIGNATURE_PASSWORD).toInt())
    }

    @Test
    fun `a wrong password is counted and reported with a Japanese message`() {
        JpkiCard.open(ForwardingLink(emu)).use { card ->
            val e = assertThrows<MynaException.WrongPin> {
                card.verifyPin(PinType.SIGNATURE_PASSWORD, WRONG_PASSWORD, false)
            }
            assertEquals(4, e.remaining.toInt())
            assertEquals(PinType.SIGNATURE_PASSWORD, e.pin)
            assertEquals("WRONG_PIN", e.info.code)
            assertTrue(hasJapanese(e.info.messageJa), e.info.messageJa)
            assertTrue(e.info.messageJa.contains("4"))
            assertFalse(e.info.messageEn.contains(WRONG_PASSWORD), "the PIN never appears in messages")
            assertEquals(4, card.pinStatus(PinType.SIGNATURE_PASSWORD).remaining.toInt())
            // The right password works and resets the counter.
            val ok = card.verifyPin(PinType.SIGNATURE_PASSWORD, emu.signaturePassword(), false)
            assertEquals(5, ok.remaining.toInt())
        }
    }

    @Test
    fun `a malformed password is refused before anything is sent`() {
        val link = ForwardingLink(emu)
        JpkiCard.open(link).use { card ->
            val before = emu.commandsProcessed()
            val e = assertThrows<MynaException.InvalidPinFormat> {
                card.verifyPin(PinType.SIGNATURE_PASSWORD, "abc", false)
            }
            assertEquals("INVALID_PIN_FORMAT", e.info.code)
            assertEquals(before, emu.commandsProcessed())
        }
        assertEquals(5, emu.pinAttemptsLeft(PinType.SIGNATURE_PASSWORD).toInt())
    }

    @Test
    fun `the last attempt is guarded and nothing is sent`() {
        JpkiCard.open(ForwardingLink(emu)).use { card ->
            repeat(4) {
                assertThrows<MynaException.WrongPin> {
                    card.verifyPin(PinType.SIGNATURE_PASSWORD, WRONG_PASSWORD, false)
                }
            }
            val status = card.pinStatus(PinType.SIGNATURE_PASSWORD)
            assertEquals(1, status.remaining.toInt())
            assertTrue(status.lastAttempt)
            val before = emu.commandsProcessed()
            val e = assertThrows<MynaException.LastAttemptGuard> {
                card.verifyPin(PinType.SIGNATURE_PASSWORD, WRONG_PASSWORD, false)
            }
            assertEquals("LAST_ATTEMPT", e.info.code)
            assertTrue(hasJapanese(e.info.messageJa))
            assertEquals(before, emu.commandsProcessed(), "no APDU reached the card")
            assertEquals(1, emu.pinAttemptsLeft(PinType.SIGNATURE_PASSWORD).toInt())
            // Confirmed by the holder, the last attempt is used; a wrong entry then locks it.
            val locked = assertThrows<MynaException.WrongPin> {
                card.verifyPin(PinType.SIGNATURE_PASSWORD, WRONG_PASSWORD, true)
            }
            assertEquals(0, locked.remaining.toInt())
            val blocked = assertThrows<MynaException.PinBlocked> {
                card.verifyPin(PinType.SIGNATURE_PASSWORD, emu.signaturePassword(), true)
            }
            assertEquals("PIN_BLOCKED", blocked.info.code)
            assertTrue(card.pinStatus(PinType.SIGNATURE_PASSWORD).blocked)
        }
    }

    @Test
    fun `sign a consent in 6 exchanges and verify it`() {
        val doc = addressChange()
        val signed = signConsent(ForwardingLink(emu), doc, emu.signaturePassword(), false, false, null, null)
        assertEquals(6, signed.counts.exchanges.toInt())
        assertEquals(CertificateSource.CARD, signed.source)
        assertTrue(signed.documentJson.contains("n1"))
        val v = verifyConsent(signed.cms, TrustAnchors.EMULATOR, null)
        assertEquals(doc.terms, (v.document as ConsentDocument.AddressChange).terms)
        assertEquals(doc.items, (v.document as ConsentDocument.AddressChange).items)
        assertEquals(signed.documentJson, v.documentJson)
        assertEquals(signed.certificate.issuanceNumber, v.signer.issuanceNumber)
        assertEquals(CertificateSource.CARD, v.source)
        assertTrue(v.signingTimeUnix > 1_700_000_000L)
        // Not trusted against the production roots.
        val e = assertThrows<MynaException.VerificationFailed> {
            verifyConsent(signed.cms, TrustAnchors.PRODUCTION, null)
        }
        assertEquals("UNTRUSTED_CHAIN", e.reason)
        // A tampered CMS does not verify.
        val tampered = signed.cms.copyOf().also { it[it.size - 10] = (it[it.size - 10].toInt() xor 1).toByte() }
        assertThrows<MynaException.VerificationFailed> { verifyConsent(tampered, TrustAnchors.EMULATOR, null) }
    }

    @Test
    fun `a short-APDU card takes more exchanges but signs the same`() {
        val plain = Emulator.newPlain(2uL, CardProfile.MY_NUMBER_CARD)
        val link = object : CardLink {
            override fun transceive(command: ByteArray) = plain.transceive(command)
            override fun supportsExtendedLength() = false
            override fun maxTransceiveLength() = 261u
        }
        val signed = signConsent(link, addressChange(), plain.signaturePassword(), false, true, null, null)
        assertTrue(signed.counts.exchanges.toInt() > 6, "${signed.counts.exchanges}")
        verifyConsent(signed.cms, TrustAnchors.EMULATOR, null)
    }

    @Test
    fun `the consent period runs ten years from the next day`() {
        val p = consentPeriod("2028-02-29", "2028-03-01", 30u)
        assertEquals("2028-02-29", p.consentDate)
        assertEquals("2028-03-01", p.firstDay)
        assertEquals("2038-02-28", p.lastDay)
        assertTrue(p.daysRemaining > 3600)
        assertFalse(p.reminderDue)
        assertTrue(consentPeriod("2028-02-29", "2038-02-20", 30u).reminderDue)
        val e = assertThrows<MynaException.InvalidInput> { consentPeriod("2028-02-30", "2028-03-01", 30u) }
        assertEquals("INVALID_INPUT", e.info.code)
    }

    @Test
    fun `the progress steps come in order`() {
        val steps = Collections.synchronizedList(mutableListOf<Triple<SignStep, Int, Int>>())
        val progress = object : ProgressCallback {
            override fun onStep(step: SignStep, index: UInt, total: UInt) {
                steps.add(Triple(step, index.toInt(), total.toInt()))
            }
        }
        signConsent(ForwardingLink(emu), addressChange(), emu.signaturePassword(), false, false, progress, null)
        assertEquals(
            listOf(SignStep.CONNECTING, SignStep.CHECKING_PIN, SignStep.VERIFYING_PIN, SignStep.READING_CERTIFICATE, SignStep.SIGNING),
            steps.map { it.first },
        )
        assertEquals(steps.indices.map { it + 1 }, steps.map { it.second }, "indices count up from 1")
        assertTrue(steps.all { it.third == steps.size }, "$steps")
    }

    @Test
    fun `cancelling at VERIFYING_PIN stops before VERIFY and leaves the counter`() {
        val cancel = CancelHandle()
        val progress = object : ProgressCallback {
            override fun onStep(step: SignStep, index: UInt, total: UInt) {
                if (step == SignStep.VERIFYING_PIN) cancel.cancel()
            }
        }
        val link = FailingLink(emu, INS_VERIFY) { IllegalStateException("VERIFY must not be sent") }
        val e = assertThrows<MynaException.Cancelled> {
            signConsent(link, addressChange(), WRONG_PASSWORD, false, false, progress, cancel)
        }
        assertEquals("CANCELLED", e.info.code)
        assertTrue(hasJapanese(e.info.messageJa))
        assertTrue(cancel.isCancelled())
        assertEquals(5, emu.pinAttemptsLeft(PinType.SIGNATURE_PASSWORD).toInt())
    }

    @Test
    fun `a lost tag thrown by the Kotlin transport becomes TagLost`() {
        val e = assertThrows<MynaException.TagLost> {
            signConsent(FailingLink(emu, null) { LinkException.TagLost() }, addressChange(), emu.signaturePassword(), false, false, null, null)
        }
        assertEquals("TAG_LOST", e.info.code)
        assertFalse(e.duringVerify)
        assertTrue(hasJapanese(e.info.messageJa))
    }

    @Test
    fun `a tag lost during VERIFY says the attempt may have counted`() {
        val e = assertThrows<MynaException.TagLost> {
            signConsent(FailingLink(emu, INS_VERIFY) { LinkException.TagLost() }, addressChange(), emu.signaturePassword(), false, false, null, null)
        }
        assertEquals("TAG_LOST_DURING_VERIFY", e.info.code)
        assertTrue(e.duringVerify)
    }

    @Test
    fun `an unexpected exception from the transport becomes a LINK_ERROR`() {
        val e = assertThrows<MynaException.CardException> {
            JpkiCard.open(FailingLink(emu, null) { IllegalStateException("radio off") })
        }
        assertEquals("LINK_ERROR", e.info.code)
        assertTrue(hasJapanese(e.info.messageJa))
        val timeout = assertThrows<MynaException.Timeout> {
            JpkiCard.open(FailingLink(emu, null) { LinkException.Timeout() })
        }
        assertEquals("TIMEOUT", timeout.info.code)
    }

    @Test
    fun `the emulator's own faults surface the same way`() {
        val link = ForwardingLink(emu)
        emu.setPresent(false)
        assertThrows<MynaException.TagLost> { JpkiCard.open(link) }
        emu.setPresent(true)
        JpkiCard.open(link).use { assertEquals(CardProfile.MY_NUMBER_CARD, it.profile()) }
    }

    @Test
    fun `a Mynaportal linkage with the attributes read from the card`() {
        val link = ForwardingLink(emu)
        val attrs = readCardAttributes(link, emu.cardInfoPin(), false, null)
        assertTrue(attrs.name().isNotEmpty())
        assertFalse(attrs.toString().contains(attrs.name()), "toString never shows personal data")
        assertTrue(Regex("""\d{4}-\d{2}-\d{2}""").matches(attrs.dateOfBirth()))
        val doc = ConsentDocument.MynaportalLinkage(attrs, "link-1", null)
        val signed = signConsent(link, doc, emu.signaturePassword(), false, false, null, null)
        assertEquals(emptyList<String>(), checkLinkage(attrs, signed.certificate))
        val v = verifyConsent(signed.cms, TrustAnchors.EMULATOR, null)
        assertEquals(attrs, (v.document as ConsentDocument.MynaportalLinkage).attributes)
        // Another address: the field is named, never its value.
        val moved = BasicAttributes(attrs.name(), attrs.address() + "１", attrs.dateOfBirth(), attrs.sex())
        assertEquals(listOf("address"), checkLinkage(moved, signed.certificate))
        // A linkage document whose attributes differ is refused before signing.
        val e = assertThrows<MynaException.AttributeMismatch> {
            signConsent(link, ConsentDocument.MynaportalLinkage(moved, "link-2", null), emu.signaturePassword(), false, false, null, null)
        }
        assertEquals(listOf("address"), e.fields)
        assertFalse(e.info.messageEn.contains(moved.address()))
        assertFalse(e.toString().contains(attrs.name()), "no personal data in the exception text")
    }

    @Test
    fun `a wrong card-info PIN is counted on its own counter`() {
        val e = assertThrows<MynaException.WrongPin> { readCardAttributes(ForwardingLink(emu), "0000".takeIf { it != emu.cardInfoPin() } ?: "1111", false, null) }
        assertEquals(PinType.CARD_INFO_PIN, e.pin)
        assertEquals(2, e.remaining.toInt())
        assertEquals(5, emu.pinAttemptsLeft(PinType.SIGNATURE_PASSWORD).toInt())
    }

    @Test
    fun `the licence centre refuses the smartphone certificate`() {
        val phone = Emulator(3uL, CardProfile.ANDROID_SMARTPHONE)
        val e = assertThrows<MynaException.ChannelRule> {
            signConsent(ForwardingLink(phone), addressChange(), phone.signaturePassword(), false, false, null, null)
        }
        assertEquals("CHANNEL_RULE", e.info.code)
        assertTrue(hasJapanese(e.info.messageJa))
        val ok = signConsent(ForwardingLink(phone), addressChange(channel = ConsentChannel.MYNAPORTAL), phone.signaturePassword(), false, false, null, null)
        assertEquals(CertificateSource.SMARTPHONE, ok.source)
    }

    @Test
    fun `certificates read as typed records`() {
        JpkiCard.open(ForwardingLink(emu)).use { card ->
            val auth = card.readCertificate(CertificateType.AUTHENTICATION)
            assertEquals(null, auth.attributes)
            assertThrows<MynaException.PinNotVerified> { card.readCertificate(CertificateType.SIGNATURE) }
            card.verifyPin(PinType.SIGNATURE_PASSWORD, emu.signaturePassword(), false)
            val sig = card.readCertificate(CertificateType.SIGNATURE)
            assertNotNull(sig.attributes)
            assertTrue(sig.issuanceNumber.isNotEmpty())
            // The basic four attributes are an object whose toString is Rust's redacted Display:
            // printing the certificate record never shows them.
            val name = sig.attributes!!.name()
            assertTrue(sig.toString().contains("CertificateInfo"))
            assertFalse(sig.toString().contains(name), "toString never shows personal data")
        }
    }

    @Test
    fun `the blocking API runs off the caller's thread`() {
        val pool = Executors.newSingleThreadExecutor { r -> Thread(r, "card-worker") }
        try {
            val link = ForwardingLink(emu)
            val caller = Thread.currentThread().name
            val future = pool.submit<Pair<Int, String>> {
                val s = signConsent(link, addressChange(), emu.signaturePassword(), false, false, null, null)
                s.counts.exchanges.toInt() to verifyConsent(s.cms, TrustAnchors.EMULATOR, null).signer.issuanceNumber
            }
            val (exchanges, issuance) = future.get(60, TimeUnit.SECONDS)
            assertEquals(6, exchanges)
            assertTrue(issuance.isNotEmpty())
            assertEquals(setOf("card-worker"), link.threads.toSet(), "transceive ran on the worker")
            assertNotEquals("card-worker", caller)
        } finally {
            pool.shutdownNow()
        }
    }

    @Test
    fun `cancel from another thread while the card works`() {
        val pool = Executors.newFixedThreadPool(2)
        try {
            val cancel = CancelHandle()
            val reachedCard = java.util.concurrent.CountDownLatch(1)
            val release = java.util.concurrent.CountDownLatch(1)
            val link = object : CardLink {
                override fun transceive(command: ByteArray): ByteArray {
                    reachedCard.countDown()
                    release.await(10, TimeUnit.SECONDS)
                    return emu.transceive(command)
                }
                override fun supportsExtendedLength() = true
                override fun maxTransceiveLength() = 0u
            }
            val future = pool.submit<Unit> {
                signConsent(link, addressChange(), emu.signaturePassword(), false, false, null, cancel)
            }
            assertTrue(reachedCard.await(10, TimeUnit.SECONDS))
            cancel.cancel()
            release.countDown()
            val cause = assertThrows<java.util.concurrent.ExecutionException> { future.get(30, TimeUnit.SECONDS) }.cause
            assertTrue(cause is MynaException.Cancelled, "$cause")
            assertEquals(5, emu.pinAttemptsLeft(PinType.SIGNATURE_PASSWORD).toInt())
        } finally {
            pool.shutdownNow()
        }
    }

    @Test
    fun `a consent signed with a keystore key`() {
        val phone = Emulator(1u, CardProfile.ANDROID_SMARTPHONE)
        val keystore = EmulatedKeystore(phone)
        val signed = signConsentWithSigner(keystore, CertificateSource.SMARTPHONE, addressChange(channel = ConsentChannel.MYNAPORTAL))
        assertEquals(1, keystore.signed)
        val verified = verifyConsent(signed.cms, TrustAnchors.EMULATOR, null)
        assertEquals(CertificateSource.SMARTPHONE, verified.source)
        // The kiosk takes the card's certificate only: refused before the key is asked.
        assertThrows<MynaException.ChannelRule> {
            signConsentWithSigner(keystore, CertificateSource.SMARTPHONE, addressChange())
        }
        assertEquals(1, keystore.signed)
        assertThrows<MynaException.Cancelled> {
            signConsentWithSigner(EmulatedKeystore(phone, cancel = true), CertificateSource.SMARTPHONE,
                addressChange(channel = ConsentChannel.MYNAPORTAL))
        }
    }
}

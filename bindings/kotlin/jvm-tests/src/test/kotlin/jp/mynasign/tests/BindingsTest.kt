package jp.mynasign.tests

import jp.mynasign.AttributeField
import jp.mynasign.BasicAttributes
import jp.mynasign.CardProfile
import jp.mynasign.CertificateSource
import jp.mynasign.CertificateType
import jp.mynasign.ConsentChannel
import jp.mynasign.ConsentDocument
import jp.mynasign.DocumentKind
import jp.mynasign.Emulator
import jp.mynasign.ErrorCode
import jp.mynasign.JpkiCard
import jp.mynasign.MynaException
import jp.mynasign.MynaSign
import jp.mynasign.MynaSignException
import jp.mynasign.PinOptions
import jp.mynasign.PinType
import jp.mynasign.SignOptions
import jp.mynasign.SignerException
import jp.mynasign.VerifyConsentOptions
import jp.mynasign.VerifyFailure
import jp.mynasign.compareLinkage
import jp.mynasign.consentPeriod
import jp.mynasign.toMynaSign
import jp.mynasign.verifyConsent
import jp.mynasign.verifyPin
import kotlinx.coroutines.runBlocking
import org.junit.jupiter.api.Assertions.assertArrayEquals
import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.Assertions.assertFalse
import org.junit.jupiter.api.Assertions.assertNotNull
import org.junit.jupiter.api.Assertions.assertNull
import org.junit.jupiter.api.Assertions.assertTrue
import org.junit.jupiter.api.Test
import org.junit.jupiter.api.assertThrows

/** The flows through the Kotlin layer, against the emulated card over a Kotlin transport. */
class BindingsTest {
    private val emu = Emulator(1uL, CardProfile.MY_NUMBER_CARD)

    @Test
    fun `open reads the profile and the PIN status without spending an attempt`() = runBlocking {
        val link = ForwardingLink(emu)
        JpkiCard.open(link).use { card ->
            assertEquals(CardProfile.MY_NUMBER_CARD, card.profile())
            val s = card.pinStatus(PinType.SIGNATURE_PASSWORD)
            assertEquals(5, s.remaining)
            assertEquals(5, s.maxAttempts)
            assertFalse(s.blocked)
            assertFalse(s.lastAttempt)
            assertEquals(3, card.pinStatus(PinType.AUTHENTICATION_PIN).remaining)
        }
        assertTrue(link.commands.size >= 3, "the Kotlin transport carried the APDUs")
        assertEquals(5, emu.pinAttemptsLeft(PinType.SIGNATURE_PASSWORD))
    }

    @Test
    fun `readPinStatus reads every counter`() = runBlocking {
        val r = MynaSign.readPinStatus(ForwardingLink(emu))
        assertEquals(CardProfile.MY_NUMBER_CARD, r.profile)
        assertEquals(5, r.signaturePassword.remaining)
        assertEquals(3, r.authenticationPin.remaining)
        assertEquals(3, r.cardInfoPin?.remaining)
        assertTrue(r.counts.exchanges > 0)
    }

    @Test
    fun `a wrong password is counted and reported in both languages`() = runBlocking {
        val e = assertThrows<MynaSignException> {
            runBlocking { MynaSign.signConsent(ForwardingLink(emu), addressChange(), WRONG_PASSWORD) }
        }
        assertEquals(ErrorCode.WRONG_PIN, e.code)
        val wrong = e.error as MynaException.WrongPin
        assertEquals(4, wrong.remaining)
        assertEquals(PinType.SIGNATURE_PASSWORD, wrong.pin)
        assertTrue(hasJapanese(e.messageJa) && e.messageJa.contains("4"), e.messageJa)
        assertTrue(e.messageEn.contains("4 attempts left"), e.messageEn)
        assertFalse(e.retrySafe)
        assertFalse(e.pinCounterUncertain)
        assertEquals(4, emu.pinAttemptsLeft(PinType.SIGNATURE_PASSWORD))
        // The right password works and resets the counter.
        MynaSign.signConsent(ForwardingLink(emu), addressChange(), emu.signaturePassword())
        assertEquals(5, emu.pinAttemptsLeft(PinType.SIGNATURE_PASSWORD))
    }

    @Test
    fun `a malformed password is refused before anything is sent`() {
        val link = ForwardingLink(emu)
        val e = assertThrows<MynaSignException> {
            runBlocking { MynaSign.signConsent(link, addressChange(), "abc".toByteArray()) }
        }
        assertEquals(ErrorCode.INVALID_PIN_FORMAT, e.code)
        assertEquals(0, link.commands.size, "nothing was sent")
        assertEquals(5, emu.pinAttemptsLeft(PinType.SIGNATURE_PASSWORD))
    }

    @Test
    fun `the last attempt is guarded and nothing is sent with the PIN`() = runBlocking {
        JpkiCard.open(ForwardingLink(emu)).use { card ->
            repeat(4) {
                assertThrows<MynaException.WrongPin> {
                    runBlocking { card.verifyPin(PinType.SIGNATURE_PASSWORD, WRONG_PASSWORD) }
                }
            }
        }
        val link = ForwardingLink(emu)
        val e = assertThrows<MynaSignException> {
            runBlocking { MynaSign.signConsent(link, addressChange(), WRONG_PASSWORD) }
        }
        assertEquals(ErrorCode.LAST_ATTEMPT, e.code)
        assertFalse(link.commands.any { ins(it) == INS_VERIFY && it.size > 5 }, "no VERIFY with the PIN")
        assertEquals(1, emu.pinAttemptsLeft(PinType.SIGNATURE_PASSWORD))
        // Confirmed by the holder, the last attempt is used; a wrong entry then locks it.
        val now = assertThrows<MynaSignException> {
            runBlocking {
                MynaSign.signConsent(ForwardingLink(emu), addressChange(), WRONG_PASSWORD, SignOptions(allowLastAttempt = true))
            }
        }
        assertEquals(ErrorCode.PIN_NOW_BLOCKED, now.code)
        val blocked = assertThrows<MynaSignException> {
            runBlocking { MynaSign.signConsent(ForwardingLink(emu), addressChange(), emu.signaturePassword()) }
        }
        assertEquals(ErrorCode.PIN_BLOCKED, blocked.code)
        assertTrue(MynaSign.readPinStatus(ForwardingLink(emu)).signaturePassword.blocked)
    }

    @Test
    fun `sign a consent in 6 exchanges and verify it`() = runBlocking {
        val doc = addressChange()
        val signed = MynaSign.signConsent(ForwardingLink(emu), doc, emu.signaturePassword())
        assertEquals(6, signed.counts().exchanges)
        assertEquals(CertificateSource.CARD, signed.source())
        assertTrue(signed.documentJson().contains("n1"))
        val v = MynaSign.verifyConsent(signed.cms(), trusting(emu))
        assertEquals(DocumentKind.ADDRESS_CHANGE, v.document().kind())
        assertEquals(doc.addressChangeFields(), v.document().addressChangeFields())
        assertEquals(signed.documentJson(), v.documentJson())
        assertEquals(signed.certificate().issuanceNumber(), v.signer().issuanceNumber())
        assertEquals(CertificateSource.CARD, v.source())
        assertTrue(v.signingTime().epochSecond > 1_700_000_000L)
        // Not trusted against the production roots.
        val e = assertThrows<MynaSignException> {
            MynaSign.verifyConsent(signed.cms(), VerifyConsentOptions(allowUncheckedRevocation = true))
        }
        assertEquals(ErrorCode.VERIFICATION_FAILED, e.code)
        assertEquals(VerifyFailure.UNTRUSTED_CHAIN, (e.error as MynaException.VerificationFailed).reason)
        // A tampered CMS does not verify.
        val cms = signed.cms()
        val tampered = cms.copyOf().also { it[it.size - 10] = (it[it.size - 10].toInt() xor 1).toByte() }
        assertThrows<MynaSignException> { MynaSign.verifyConsent(tampered, trusting(emu)) }
        Unit
    }

    @Test
    fun `a short-APDU card takes more exchanges but signs the same`() = runBlocking {
        val plain = Emulator.newPlain(2uL, CardProfile.MY_NUMBER_CARD)
        val signed = MynaSign.signConsent(
            ForwardingLink(plain, extended = false), addressChange(), plain.signaturePassword(),
            SignOptions(includeCaCertificate = true),
        )
        assertTrue(signed.counts().exchanges > 6, "${signed.counts().exchanges}")
        MynaSign.verifyConsent(signed.cms(), trusting(plain))
        Unit
    }

    @Test
    fun `the consent period runs ten years from the next day`() {
        val p = consentPeriod("2028-02-29", "2028-03-01", 30)
        assertEquals("2028-02-29", p.consentDate)
        assertEquals("2028-03-01", p.firstDay)
        assertEquals("2038-02-28", p.lastDay)
        assertTrue(p.daysRemaining > 3600)
        assertFalse(p.reminderDue)
        assertTrue(consentPeriod("2028-02-29", "2038-02-20", 30).reminderDue)
        val e = assertThrows<MynaException.InvalidInput> { consentPeriod("2028-02-30", "2028-03-01", 30) }
        assertEquals(ErrorCode.INVALID_INPUT, e.toMynaSign().code)
    }

    @Test
    fun `a lost tag thrown by the Kotlin transport is TAG_LOST, during VERIFY the counter is uncertain`() {
        val lost = assertThrows<MynaSignException> {
            runBlocking { MynaSign.signConsent(FailingLink(emu, null) { jp.mynasign.LinkException.TagLost() }, addressChange(), emu.signaturePassword()) }
        }
        assertEquals(ErrorCode.TAG_LOST, lost.code)
        assertTrue(lost.retrySafe)
        assertFalse(lost.pinCounterUncertain)
        val during = assertThrows<MynaSignException> {
            runBlocking { MynaSign.signConsent(FailingLink(emu, INS_VERIFY) { jp.mynasign.LinkException.TagLost() }, addressChange(), emu.signaturePassword()) }
        }
        assertEquals(ErrorCode.TAG_LOST_DURING_VERIFY, during.code)
        assertTrue(during.pinCounterUncertain)
        assertFalse(during.retrySafe)
    }

    @Test
    fun `the emulator's own faults surface the same way`() = runBlocking {
        val link = ForwardingLink(emu)
        emu.setPresent(false)
        val e = assertThrows<MynaSignException> { runBlocking { MynaSign.readPinStatus(link) } }
        assertEquals(ErrorCode.TAG_LOST, e.code)
        emu.setPresent(true)
        assertEquals(CardProfile.MY_NUMBER_CARD, MynaSign.readPinStatus(link).profile)
    }

    @Test
    fun `a Mynaportal linkage with the attributes read from the card`() = runBlocking {
        val link = ForwardingLink(emu)
        val attrs = MynaSign.readBasicAttributes(link, emu.cardInfoPin())
        assertTrue(attrs.name().isNotEmpty())
        assertTrue(Regex("""\d{4}-\d{2}-\d{2}""").matches(attrs.dateOfBirth()))
        val doc = ConsentDocument.mynaportalLinkage(attrs, "link-1")
        val signed = MynaSign.signConsent(link, doc, emu.signaturePassword())
        assertEquals(emptyList<AttributeField>(), compareLinkage(attrs, signed.certificate()))
        val v = MynaSign.verifyConsent(signed.cms(), trusting(emu))
        assertEquals(attrs, v.document().linkageAttributes())
        // Another address: the field is named, never its value.
        val moved = BasicAttributes(attrs.name(), attrs.address() + "１", attrs.dateOfBirth(), attrs.sex())
        assertEquals(listOf(AttributeField.ADDRESS), compareLinkage(moved, signed.certificate()))
        // A linkage document whose attributes differ is refused before signing.
        val e = assertThrows<MynaSignException> {
            runBlocking { MynaSign.signConsent(link, ConsentDocument.mynaportalLinkage(moved, "link-2"), emu.signaturePassword()) }
        }
        assertEquals(ErrorCode.ATTRIBUTE_MISMATCH, e.code)
        assertEquals(listOf(AttributeField.ADDRESS), (e.error as MynaException.AttributeMismatch).fields)
        assertFalse(e.messageEn.contains(moved.address()) || e.toString().contains(attrs.name()))
        // The linkage check on the card: the same person.
        val check = MynaSign.checkLinkage(ForwardingLink(emu), emu.cardInfoPin(), emu.signaturePassword())
        assertEquals(emptyList<AttributeField>(), check.differingFields)
        assertEquals(attrs, check.attributes)
    }

    @Test
    fun `a wrong card-info PIN is counted on its own counter`() {
        val wrong = if (emu.cardInfoPin().contentEquals("0000".toByteArray())) "1111" else "0000"
        val e = assertThrows<MynaSignException> {
            runBlocking { MynaSign.readBasicAttributes(ForwardingLink(emu), wrong.toByteArray(), PinOptions()) }
        }
        val w = e.error as MynaException.WrongPin
        assertEquals(PinType.CARD_INFO_PIN, w.pin)
        assertEquals(2, w.remaining)
        assertEquals(5, emu.pinAttemptsLeft(PinType.SIGNATURE_PASSWORD))
    }

    @Test
    fun `the licence centre refuses the smartphone certificate`() = runBlocking {
        val phone = Emulator(3uL, CardProfile.ANDROID_SMARTPHONE)
        val e = assertThrows<MynaSignException> {
            runBlocking { MynaSign.signConsent(ForwardingLink(phone), addressChange(), phone.signaturePassword()) }
        }
        assertEquals(ErrorCode.CHANNEL_RULE, e.code)
        val ok = MynaSign.signConsent(ForwardingLink(phone), addressChange(channel = ConsentChannel.MYNAPORTAL), phone.signaturePassword())
        assertEquals(CertificateSource.SMARTPHONE, ok.source())
    }

    @Test
    fun `certificates read step by step`() = runBlocking {
        JpkiCard.open(ForwardingLink(emu)).use { card ->
            val auth = card.readCertificate(CertificateType.AUTHENTICATION)
            assertNull(auth.attributes())
            val e = assertThrows<MynaException> { runBlocking { card.readCertificate(CertificateType.SIGNATURE) } }
            assertEquals(ErrorCode.PIN_NOT_VERIFIED, e.code())
            card.verifyPin(PinType.SIGNATURE_PASSWORD, emu.signaturePassword())
            val sig = card.readCertificate(CertificateType.SIGNATURE)
            assertNotNull(sig.attributes())
            assertTrue(sig.issuanceNumber().isNotEmpty())
        }
    }

    @Test
    fun `the suspend API runs the link on the library's worker thread`() = runBlocking {
        val link = ForwardingLink(emu)
        val caller = Thread.currentThread().name
        val s = MynaSign.signConsent(link, addressChange(), emu.signaturePassword())
        assertEquals(6, s.counts().exchanges)
        // JNA names the native worker thread anew for each callback ("Thread-N").
        assertTrue(link.threads.isNotEmpty())
        assertFalse(link.threads.contains(caller), "transceive never ran on the caller's thread: ${link.threads}")
    }

    @Test
    fun `a consent signed with a keystore key`() = runBlocking {
        val phone = Emulator(1uL, CardProfile.ANDROID_SMARTPHONE)
        val keystore = EmulatedKeystore(phone)
        val signed = MynaSign.signConsentWithSigner(keystore, CertificateSource.SMARTPHONE, addressChange(channel = ConsentChannel.MYNAPORTAL))
        assertEquals(1, keystore.signed.get())
        assertEquals(0, signed.counts().exchanges)
        assertEquals(CertificateSource.SMARTPHONE, MynaSign.verifyConsent(signed.cms(), trusting(phone)).source())
        // The kiosk takes the card's certificate only: refused before the key is asked.
        val rule = assertThrows<MynaSignException> {
            runBlocking { MynaSign.signConsentWithSigner(keystore, CertificateSource.SMARTPHONE, addressChange()) }
        }
        assertEquals(ErrorCode.CHANNEL_RULE, rule.code)
        assertEquals(1, keystore.signed.get())
        // The holder cancelled the keystore prompt.
        val cancelled = assertThrows<MynaSignException> {
            runBlocking {
                MynaSign.signConsentWithSigner(EmulatedKeystore(phone) { SignerException.Cancelled() }, CertificateSource.SMARTPHONE,
                    addressChange(channel = ConsentChannel.MYNAPORTAL))
            }
        }
        assertEquals(ErrorCode.CANCELLED, cancelled.code)
    }

    @Test
    fun `PINs are byte arrays, not strings`() = runBlocking {
        val password: ByteArray = emu.signaturePassword()
        val copy = password.copyOf()
        MynaSign.signConsent(ForwardingLink(emu), addressChange(), password)
        // The library took its own copy: the app's array is the app's to wipe.
        assertArrayEquals(copy, password)
        password.fill(0)
        assertTrue(password.all { it == 0.toByte() })
        // Bytes that are not UTF-8 are a format error, before anything is sent.
        val link = ForwardingLink(emu)
        val e = assertThrows<MynaSignException> {
            runBlocking { MynaSign.signConsent(link, addressChange(), byteArrayOf(0xff.toByte(), 0xfe.toByte(), 0x41, 0x42, 0x43, 0x44)) }
        }
        assertEquals(ErrorCode.INVALID_PIN_FORMAT, e.code)
        assertTrue(link.commands.isEmpty())
        val info: ByteArray = emu.cardInfoPin()
        val auth: ByteArray = emu.authenticationPin()
        assertEquals(4, info.size)
        assertEquals(4, auth.size)
    }
}

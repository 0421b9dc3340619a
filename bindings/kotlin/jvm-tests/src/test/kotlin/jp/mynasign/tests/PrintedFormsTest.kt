package jp.mynasign.tests

import jp.mynasign.CardFlowEvent
import jp.mynasign.CertificateType
import jp.mynasign.ConsentChannel
import jp.mynasign.ConsentDocument
import jp.mynasign.ConsentItem
import jp.mynasign.HolderStatus
import jp.mynasign.JpkiCard
import jp.mynasign.MynaSign
import jp.mynasign.MynaSignException
import jp.mynasign.PinType
import jp.mynasign.SignOptions
import jp.mynasign.termsFromText
import jp.mynasign.verifyConsent
import jp.mynasign.verifyPin
import kotlinx.coroutines.flow.toList
import kotlinx.coroutines.runBlocking
import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.Assertions.assertFalse
import org.junit.jupiter.api.Assertions.assertTrue
import org.junit.jupiter.api.Test
import org.junit.jupiter.api.assertThrows

/**
 * Issue 9: the printed forms (`toString()` and string templates) of every result type, built
 * from a persona file whose name, address and date of birth are known, show none of them,
 * nor the domicile identifier, nor any PIN.
 */
class PrintedFormsTest {
    // examples/personas/long-address-non-jis.json
    private val name = "𠮷田　髙子"
    private val address =
        "京都府京都市中京区寺町通御池上る上本能寺前町４８８－１番地　髙島エミュレータ記念グランドレジデンス京都御池通り北棟二十三階２３０１号室　株式会社マイナサイン試験開発部気付　長い住所の試験担当者様方"
    private val emu = persona("long-address-non-jis.json")
    private val identifier = "KOSEKI-0123456789"

    private val pins = listOf("KYOTO2024", "2468", "1357")

    // Each value as it would be printed: as text, and each PIN also as the bytes a list prints
    // ("[49, 51, 53, 55]") and as hex.
    private val secrets = listOf(
        name, "𠮷田", "髙子", address, address.take(12), "1964-02-29", "19640229", "1964/02/29",
        identifier,
    ) + pins + pins.map { it.toByteArray().toList().toString() } +
        pins.map { pin -> pin.toByteArray().joinToString("") { "%02x".format(it) } }

    private fun assertRedacted(what: String, x: Any?) {
        val forms = listOf(x.toString(), "$x", "[$x]", String.format("%s", x))
        for (form in forms) for (s in secrets) {
            assertFalse(shows(s, form), "$what prints \"$s\": $form")
        }
    }

    @Test
    fun `the check itself catches each value`() {
        for (v in secrets) assertThrows<AssertionError> { assertRedacted("self-check", "x ${v}.") }
        assertThrows<AssertionError> { assertRedacted("self-check", "pin=1357") }
    }

    @Test
    fun `digits inside a handle or a hash are not a leak`() {
        // An object's default toString() ends in its hash code in hex, which can hold "1357".
        assertRedacted("handle", "jp.mynasign.Certificate@7f135701")
        assertRedacted("time", "at 1713570000123 ms")
    }

    @Test
    fun `the persona's values are what the card holds`() = runBlocking {
        val attrs = MynaSign.readBasicAttributes(ForwardingLink(emu), "1357".toByteArray())
        assertEquals(name, attrs.name())
        assertEquals(address, attrs.address())
        assertEquals("1964-02-29", attrs.dateOfBirth())
        assertTrue(emu.signaturePassword().contentEquals("KYOTO2024".toByteArray()))
    }

    @Test
    fun `no result type prints personal data or a PIN`() = runBlocking {
        val pw = emu.signaturePassword()
        val attrs = MynaSign.readBasicAttributes(ForwardingLink(emu), emu.cardInfoPin())
        assertRedacted("BasicAttributes", attrs)

        val terms = termsFromText("terms", "1", "利用規約")
        val documents = listOf(
            ConsentDocument.addressChange(
                listOf(ConsentItem.ADDRESS, ConsentItem.NAME, ConsentItem.DATE_OF_BIRTH),
                HolderStatus.MY_NUMBER_LICENCE_ONLY, terms, ConsentChannel.MYNAPORTAL, "n-ac",
            ),
            ConsentDocument.revocation("n-ac", ConsentChannel.MYNAPORTAL, "n-rv"),
            ConsentDocument.domicileChange(identifier, true, "n-dc"),
            ConsentDocument.mynaportalLinkage(attrs, "n-ml"),
        )
        assertEquals(4, documents.map { it.kind() }.toSet().size)
        assertTrue(documents[2].toJson().contains(identifier), "the signed content holds the identifier")
        for (doc in documents) {
            assertRedacted("ConsentDocument ${doc.kind()}", doc)
            val signed = MynaSign.signConsent(ForwardingLink(emu), doc, pw, SignOptions(includeCaCertificate = true))
            assertRedacted("SignedConsent ${doc.kind()}", signed)
            assertRedacted("SignedConsent.document", signed.document())
            assertRedacted("SignedConsent.counts", signed.counts())
            assertRedacted("Certificate", signed.certificate())
            assertRedacted("Certificate.attributes", signed.certificate().attributes())
            val verified = MynaSign.verifyConsent(signed.cms(), trusting(emu))
            assertRedacted("VerifiedConsent ${doc.kind()}", verified)
            assertRedacted("VerifiedConsent.document", verified.document())
            assertRedacted("VerifiedConsent.revocation", verified.revocation())
            assertRedacted("linkage attributes", verified.document().linkageAttributes())
        }

        val flowEvents = MynaSign.signConsentFlow(ForwardingLink(emu), documents[3], pw).toList()
        for (e in flowEvents) assertRedacted("CardFlowEvent", e)
        assertTrue(flowEvents.last() is CardFlowEvent.Done)

        val linkage = MynaSign.checkLinkage(ForwardingLink(emu), emu.cardInfoPin(), pw)
        assertRedacted("LinkageResult", linkage)
        assertRedacted("LinkageResult.attributes", linkage.attributes)

        val status = MynaSign.readPinStatus(ForwardingLink(emu))
        assertRedacted("PinStatusReport", status)

        JpkiCard.open(ForwardingLink(emu)).use { card ->
            assertRedacted("JpkiCard", card)
            assertRedacted("PinState", card.verifyPin(PinType.SIGNATURE_PASSWORD, pw))
            for (type in CertificateType.entries) assertRedacted("Certificate $type", card.readCertificate(type))
        }

        // The exceptions: an attribute mismatch names the field, never its value; a wrong PIN
        // never shows the PIN.
        val moved = jp.mynasign.BasicAttributes(name, address + "１", "1964-02-29", attrs.sex())
        val mismatch = runCatching {
            MynaSign.signConsent(ForwardingLink(emu), ConsentDocument.mynaportalLinkage(moved, "n-x"), pw)
        }.exceptionOrNull()
        assertTrue(mismatch is MynaSignException, "$mismatch")
        assertRedacted("MynaSignException", mismatch)
        assertRedacted("MynaException", (mismatch as MynaSignException).error)
        val wrong = runCatching { MynaSign.readBasicAttributes(ForwardingLink(emu), "2468".toByteArray()) }.exceptionOrNull()
        assertTrue(wrong is MynaSignException, "$wrong")
        assertRedacted("MynaSignException (wrong PIN)", wrong)
        assertRedacted("MynaException (wrong PIN)", (wrong as MynaSignException).error)
    }
}

/**
 * Whether [text] shows [value] as printed: anywhere for a value with letters or other
 * characters; a value of digits only (a PIN, a date of birth) only as a whole number, not inside
 * a longer run of letters and digits (an object's hash code, a handle, a time), where its digits
 * can occur by chance.
 */
internal fun shows(value: String, text: String): Boolean {
    if (!value.all { it in '0'..'9' }) return text.contains(value)
    fun word(c: Char) = c in '0'..'9' || c in 'a'..'z' || c in 'A'..'Z'
    var at = text.indexOf(value)
    while (at >= 0) {
        val before = if (at > 0) text[at - 1] else ' '
        val after = if (at + value.length < text.length) text[at + value.length] else ' '
        if (!word(before) && !word(after)) return true
        at = text.indexOf(value, at + 1)
    }
    return false
}

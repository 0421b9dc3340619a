package jp.mynasign.tests

import jp.mynasign.CardInfoTrust
import jp.mynasign.CardProfile
import jp.mynasign.Emulator
import jp.mynasign.ErrorCode
import jp.mynasign.MynaException
import jp.mynasign.MynaSign
import jp.mynasign.MynaSignException
import jp.mynasign.VerifyFailure
import jp.mynasign.emulatorCardInfoTrust
import jp.mynasign.newPresenceChallenge
import jp.mynasign.verifyCardInfoEvidence
import kotlinx.coroutines.runBlocking
import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.Assertions.assertFalse
import org.junit.jupiter.api.Assertions.assertTrue
import org.junit.jupiter.api.Test
import org.junit.jupiter.api.assertThrows

/** Issue 27: the basic four with what proves them, read over a Kotlin transport, verified
 *  again as a back end does, and each tampered case refused. */
class CardInfoAuthTest {
    private val emu = Emulator(1uL, CardProfile.MY_NUMBER_CARD)

    private fun hexField(json: String, key: String): IntRange {
        val start = json.indexOf("\"$key\":\"") + key.length + 4
        return start until json.indexOf('"', start)
    }

    /** One hex digit changed, `at` digits into the value of `key`. */
    private fun flipped(json: String, key: String, at: Int): String {
        val i = hexField(json, key).first + at
        val digit = if (json[i] == '0') '1' else '0'
        return json.substring(0, i) + digit + json.substring(i + 1)
    }

    private fun reason(json: String, trust: CardInfoTrust, challenge: ByteArray?): VerifyFailure =
        assertThrows<MynaException.VerificationFailed> { verifyCardInfoEvidence(json, trust, challenge) }.reason

    @Test
    fun `authentic attributes from the card, verified again, every change refused`() = runBlocking {
        val trust = emulatorCardInfoTrust()
        val challenge = newPresenceChallenge()
        val got = MynaSign.readAuthenticBasicAttributes(ForwardingLink(emu), emu.cardInfoPin(), trust, challenge)
        assertTrue(got.cardPresent())
        assertEquals(8u, got.exchanges())
        val name = got.attributes().name()
        assertFalse(got.toString().contains(name), got.toString())
        val evidence = got.evidenceJson()

        val back = verifyCardInfoEvidence(evidence, trust, challenge)
        assertEquals(name, back.attributes().name())

        assertEquals(VerifyFailure.CARD_INFO_ATTRIBUTES_DIGEST, reason(flipped(evidence, "basic_four", 40), trust, challenge))
        assertEquals(VerifyFailure.CARD_INFO_RECORD_SIGNATURE, reason(flipped(evidence, "integrity_record", 30), trust, challenge))
        assertEquals(VerifyFailure.CARD_INFO_CERTIFICATE_SIGNATURE, reason(flipped(evidence, "ap_certificate", 400), trust, challenge))
        for (other in listOf(CardInfoTrust.production(), CardInfoTrust.test())) {
            assertEquals(VerifyFailure.CARD_INFO_UNTRUSTED_AUTHORITY, reason(evidence, other, null))
        }
        // A replayed answer: the same evidence for a new challenge (through the layer: the
        // typed exception with its code).
        val replay = assertThrows<MynaSignException> {
            MynaSign.verifyCardInfoEvidence(evidence, trust, newPresenceChallenge())
        }
        assertEquals(ErrorCode.VERIFICATION_FAILED, replay.code)
        assertEquals(VerifyFailure.PRESENCE_CHALLENGE_MISMATCH, (replay.error as MynaException.VerificationFailed).reason)
    }
}

package jp.mynasign.sample

import jp.mynasign.CardLink

/**
 * Closes [link], a card the flows are done with or do not want now; a link that is already
 * gone has nothing left to close.
 */
internal fun closeQuietly(link: CardLink) {
    try {
        link.closeLink()
    } catch (_: Exception) {
        // Already gone.
    }
}

package jp.mynasign.sample

import jp.mynasign.LoginResult

/**
 * The release build's login service: a placeholder for the app's own calls to its service.
 * Replace [challenge] with a request to the service (which answers with its
 * `LoginVerifier.issueChallenge` for the app's session) and [submit] with posting
 * `result.responseJson` there (the service verifies it with `LoginVerifier.verify`, with OCSP,
 * and answers with the certificate it recognised); [service] is the service's origin as the
 * app is configured with it. Until then every login ends in NO_LOGIN_SERVICE before the card
 * is used: no PIN attempt is spent.
 */
class ServiceLogin(override val service: String) : LoginService {
    override suspend fun challenge(): String = throw LoginServiceException(NOT_CONFIGURED)

    override suspend fun submit(result: LoginResult): LoginAccount = throw LoginServiceException(NOT_CONFIGURED)

    private companion object {
        val NOT_CONFIGURED = ErrorText(
            "NO_LOGIN_SERVICE",
            "ログイン先のサービスが設定されていません。",
            "No login service is configured in this app.",
        )
    }
}

package io.upbond.login

/**
 * An UPBOND Login client: discovery and key cache, the sign-in flows, userinfo, revocation and
 * logout. Every network call is a `suspend` function that is safe to call from the main thread
 * (the work runs on the native library's own threads) and stops when its coroutine is
 * cancelled. Failures are [UpbondLoginException]s. Share one client per issuer and client ID;
 * [close] it when done.
 */
class UpbondClient(config: UpbondConfig) : AutoCloseable {
    /** The generated client this one forwards to (for calls this layer does not wrap). */
    val native: Client = translating { Client(config.ffi) }

    /** The configured issuer. */
    val issuer: String get() = native.issuer()

    /** The configured client ID. */
    val clientId: String get() = native.clientId()

    /** The issuer's discovery document as JSON (fetched once, then cached). */
    suspend fun discover(): String = translating { native.discover() }

    /**
     * Starts the authorization code flow (PKCE S256, state, nonce): open [SignInRequest.url] in
     * a browser and keep [SignInRequest.pending] until the redirect arrives.
     */
    suspend fun beginSignIn(
        scopes: List<String> = emptyList(),
        provider: SocialProvider? = null,
        loginHint: String? = null,
        prompt: String? = null,
        extraParams: Map<String, String> = emptyMap(),
    ): SignInRequest {
        val options = AuthorizationOptions(
            scopes = scopes,
            provider = provider,
            loginHint = loginHint,
            prompt = prompt,
            extraParams = extraParams.map { (name, value) -> listOf(name, value) },
        )
        val request = translating { native.beginAuthorization(options) }
        return SignInRequest(request.url, PendingSignIn(request.pending))
    }

    /** Checks the redirect [callbackUrl] against [pending] (state, issuer) and exchanges the code. */
    suspend fun completeSignIn(pending: PendingSignIn, callbackUrl: String): Tokens =
        Tokens(translating { native.completeAuthorization(pending.ffi, callbackUrl) })

    /** Starts a device sign-in (RFC 8628); empty [scopes]: the configured ones. */
    suspend fun startDeviceSignIn(scopes: List<String> = emptyList()): DeviceCode =
        DeviceCode(translating { native.startDeviceAuthorization(scopes) })

    /**
     * Polls until the user approves ([Tokens]), denies ([UpbondLoginException.AccessDenied]) or
     * the code expires ([UpbondLoginException.DeviceCodeExpired]), honouring `slow_down`.
     * Cancelling the coroutine stops the polling; so does [cancel] (from any thread), which
     * ends the call with [UpbondLoginException.Cancelled].
     */
    suspend fun awaitDeviceSignIn(device: DeviceCode, cancel: CancelToken? = null): Tokens =
        Tokens(translating { native.pollDeviceAuthorization(device.ffi, cancel) })

    /** The whole device flow: starts it, hands the code to [showCode], then waits for the user. */
    suspend fun signInWithDeviceCode(
        scopes: List<String> = emptyList(),
        showCode: suspend (DeviceCode) -> Unit,
    ): Tokens {
        val device = startDeviceSignIn(scopes)
        showCode(device)
        return awaitDeviceSignIn(device)
    }

    /** Client credentials grant (confidential clients); empty [scopes]: the configured ones. */
    suspend fun clientCredentials(scopes: List<String> = emptyList()): Tokens =
        Tokens(translating { native.clientCredentials(scopes) })

    /** New tokens for a refresh token; the old refresh token is kept when none is returned. */
    suspend fun refresh(refreshToken: String): Tokens =
        Tokens(translating { native.refresh(refreshToken) })

    /** Revokes a token at the issuer (RFC 7009); unknown tokens count as revoked. */
    suspend fun revoke(token: String, hint: TokenTypeHint? = null) =
        translating { native.revoke(token, hint) }

    /** The claims of the user behind [accessToken]; with [expectedSubject], another `sub` is an error. */
    suspend fun userInfo(accessToken: String, expectedSubject: String? = null): UserInfo =
        translating { native.userinfo(accessToken, expectedSubject, false) }

    /** As [userInfo], but asks for a signed JWT and validates it like an ID token. */
    suspend fun userInfoJwt(accessToken: String, expectedSubject: String? = null): UserInfo =
        translating { native.userinfo(accessToken, expectedSubject, true) }

    /** The URL that ends the session at the issuer (RP-initiated logout); open it in the browser. */
    suspend fun logoutUrl(
        idTokenHint: String? = null,
        postLogoutRedirectUri: String? = null,
        state: String? = null,
    ): String = translating { native.logoutUrl(LogoutOptions(idTokenHint, postLogoutRedirectUri, state)) }

    /** The UPBOND profile of [userId] (the user's `sub`), read with that user's [accessToken]. */
    suspend fun userProfile(accessToken: String, userId: String): UserProfile =
        translating { native.userProfile(accessToken, userId) }

    /** Sends the verification email to the user's address again. */
    suspend fun resendVerificationEmail(accessToken: String, userId: String) =
        translating { native.resendVerificationEmail(accessToken, userId) }

    /**
     * Starts changing the user's email to [newEmail]; the new address receives a code for
     * [verifyEmail]. A wrong [currentPassword] is [UpbondLoginException.EmailPasswordRejected]
     * (`EMAIL_007`).
     */
    suspend fun changeEmail(accessToken: String, userId: String, newEmail: String, currentPassword: String) =
        translating { native.changeEmail(accessToken, userId, newEmail, currentPassword) }

    /** Completes an email verification or change with the [code] from the email. */
    suspend fun verifyEmail(accessToken: String, userId: String, code: String) =
        translating { native.verifyEmail(accessToken, userId, code) }

    /** Checks DNS, TCP, TLS, discovery, keys, clock skew and response time of the issuer. */
    suspend fun doctor(): DoctorReport = native.doctor()

    /** This client's metrics since it was created. */
    fun metrics(): MetricsSnapshot = native.metrics()

    /** Adds platform details (OS, device, app version) to the support report; read once, now. */
    fun setPlatformInfo(info: PlatformInfo) = translating { native.setPlatformInfo(info) }

    /** A redacted JSON report of recent activity, to attach to a support request. */
    fun supportReport(): String = native.supportReport()

    /** Frees the native client. */
    override fun close() = native.close()

    override fun toString() = "UpbondClient(issuer=$issuer, clientId=$clientId)"
}

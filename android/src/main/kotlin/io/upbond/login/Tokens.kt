package io.upbond.login

import java.time.Instant

private const val REDACTED = "[REDACTED]"

private fun ULong.toInstant(): Instant = Instant.ofEpochSecond(toLong())

/** A secret for `toString`: whether it is there, never its value. */
private fun redact(secret: String?) = if (secret == null) "none" else REDACTED

/**
 * The tokens of one successful grant (token type Bearer). `toString` never shows a token:
 * hand the values only to the resource server or a [TokenStore].
 */
class Tokens internal constructor(internal val ffi: TokenSet) {
    /** The access token, for `Authorization: Bearer`. */
    val accessToken: String get() = ffi.accessToken

    /** The refresh token, when the issuer granted one (`offline_access`). */
    val refreshToken: String? get() = ffi.refreshToken

    /** The raw ID token, when `openid` was granted (the logout hint). */
    val idToken: String? get() = ffi.idToken

    /** The validated claims of the ID token. */
    val idTokenClaims: IdTokenClaims? get() = ffi.idTokenClaims

    /** When the access token expires (local clock), if known. */
    val expiresAt: Instant? get() = ffi.expiresAt?.toInstant()

    /** The granted scopes, when the issuer listed them. */
    val scopes: List<String>? get() = ffi.scopes

    override fun toString() =
        "Tokens(accessToken=$REDACTED, refreshToken=${redact(refreshToken)}, idToken=${redact(idToken)}, " +
            "subject=${idTokenClaims?.subject}, expiresAt=$expiresAt, scopes=$scopes)"
}

/**
 * A started device sign-in (RFC 8628): show [userCode] and [verificationUri] (or a QR code of
 * [verificationUriComplete]) to the user, then poll. The device code itself stays inside.
 */
class DeviceCode internal constructor(internal val ffi: DeviceAuthorization) {
    /** The code the user types, e.g. `WDJB-MJHT`. */
    val userCode: String get() = ffi.userCode

    /** Where the user types it. */
    val verificationUri: String get() = ffi.verificationUri

    /** A URI that already contains the code, for a QR code or a link. */
    val verificationUriComplete: String? get() = ffi.verificationUriComplete

    /** When the device code expires. */
    val expiresAt: Instant get() = ffi.expiresAt.toInstant()

    /** The polling interval the issuer asked for, in seconds. */
    val intervalSeconds: Long get() = ffi.intervalSecs.toLong()

    override fun toString() =
        "DeviceCode(userCode=$userCode, verificationUri=$verificationUri, expiresAt=$expiresAt, deviceCode=$REDACTED)"
}

/**
 * An authorization between the browser and the callback: state, nonce and the PKCE verifier.
 * Keep it privately until the redirect arrives; [toJson] survives process death.
 */
class PendingSignIn internal constructor(internal val ffi: PendingAuthorization) {
    /** The `state` sent; the callback must return it. */
    val state: String get() = ffi.state

    /** The redirect URI the browser returns to. */
    val redirectUri: String get() = ffi.redirectUri

    /** The pending sign-in as JSON (the same format in every upbond-login language package). */
    fun toJson(): String = pendingAuthorizationToJson(ffi)

    override fun toString() = "PendingSignIn(state=$state, redirectUri=$redirectUri, codeVerifier=$REDACTED)"

    companion object {
        /** Reads JSON written by [toJson]; a bad document is a [UpbondLoginException.Storage]. */
        @JvmStatic
        fun fromJson(json: String) = PendingSignIn(translating { pendingAuthorizationFromJson(json) })
    }
}

/** The URL to open in a browser (Custom Tab) and the pending sign-in to keep meanwhile. */
class SignInRequest internal constructor(
    /** The authorization URL. */
    val url: String,
    /** The state to pass to [UpbondClient.completeSignIn] with the callback URL. */
    val pending: PendingSignIn,
) {
    override fun toString() = "SignInRequest(url=$url, pending=$pending)"
}

/** The stored session: who is signed in and until when; `toString` never shows a token. */
class StoredSession internal constructor(internal val ffi: SessionRecord) {
    /** The issuer the tokens came from. */
    val issuer: String get() = ffi.issuer

    /** The ID token claims of the sign-in, when there was an ID token. */
    val idTokenClaims: IdTokenClaims? get() = ffi.idTokenClaims

    /** The user's subject (`sub`), when known. */
    val subject: String? get() = ffi.idTokenClaims?.subject

    /** The raw ID token (the hint for [UpbondClient.logoutUrl]). */
    val idToken: String? get() = ffi.idToken

    /** Whether a refresh token is stored, so the session can renew itself. */
    val canRefresh: Boolean get() = ffi.refreshToken != null

    /** When the access token expires (server clock), if known. */
    val expiresAt: Instant? get() = ffi.expiresAt?.toInstant()

    /** The granted scopes. */
    val scopes: List<String> get() = ffi.scopes

    override fun toString() =
        "StoredSession(issuer=$issuer, subject=$subject, expiresAt=$expiresAt, scopes=$scopes, " +
            "accessToken=$REDACTED, refreshToken=${redact(ffi.refreshToken)})"
}

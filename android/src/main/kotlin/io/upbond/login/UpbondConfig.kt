package io.upbond.login

import kotlin.time.Duration

/**
 * How to reach UPBOND Login and who this app is. Build one with
 * `UpbondConfig.builder(issuer, clientId).redirectUri("com.example.app:/callback").build()` or
 * `UpbondConfig(issuer, clientId) { redirectUri("com.example.app:/callback") }`.
 * Every setting left unset takes the core's default (see [Builder]).
 */
class UpbondConfig private constructor(internal val ffi: ClientConfig) {
    /** The issuer URL, compared exactly (no trailing-slash normalisation). */
    val issuer: String get() = ffi.issuer

    /** The registered client ID. */
    val clientId: String get() = ffi.clientId

    /** The redirect URI of the authorization code flow, when set. */
    val redirectUri: String? get() = ffi.redirectUri

    /** Never shows the client secret. */
    override fun toString(): String =
        "UpbondConfig(issuer=$issuer, clientId=$clientId, redirectUri=$redirectUri, " +
            "clientSecret=${if (ffi.clientSecret == null) "none" else "[REDACTED]"})"

    /** Collects the settings; each setter returns the builder. */
    class Builder(private val issuer: String, private val clientId: String) {
        private var clientSecret: String? = null
        private var kind: ClientKind? = null
        private var authMethod: ClientAuthMethod? = null
        private var redirectUri: String? = null
        private var postLogoutRedirectUri: String? = null
        private var scopes: List<String>? = null
        private var connectTimeout: Duration? = null
        private var requestTimeout: Duration? = null
        private var clockLeeway: Duration? = null
        private var maxAttempts: Int? = null
        private var rateBudgets: Boolean? = null

        /** The client secret: makes this a confidential client (servers only, never an app). */
        fun clientSecret(secret: String) = apply { clientSecret = secret }

        /** The application kind; default: confidential with a secret, native without. */
        fun kind(kind: ClientKind) = apply { this.kind = kind }

        /** Client authentication at the token endpoint; default: Basic with a secret, none without. */
        fun authMethod(method: ClientAuthMethod) = apply { authMethod = method }

        /** Where the browser returns after sign-in, e.g. `com.example.app:/callback`. */
        fun redirectUri(uri: String) = apply { redirectUri = uri }

        /** Where the browser returns after logout. */
        fun postLogoutRedirectUri(uri: String) = apply { postLogoutRedirectUri = uri }

        /** Scopes asked for when a call names none; default `openid profile email offline_access` for apps. */
        fun scopes(vararg scopes: String) = apply { this.scopes = scopes.toList() }

        /** Time allowed to connect; default 10 s. */
        fun connectTimeout(timeout: Duration) = apply { connectTimeout = timeout }

        /** Time allowed for a whole request; default 30 s. */
        fun requestTimeout(timeout: Duration) = apply { requestTimeout = timeout }

        /** Clock difference tolerated in ID token checks; default 60 s. */
        fun clockLeeway(leeway: Duration) = apply { clockLeeway = leeway }

        /** Attempts per request including retries; default 3, `1` turns retries off. */
        fun maxAttempts(attempts: Int) = apply {
            require(attempts >= 1) { "maxAttempts must be at least 1" }
            maxAttempts = attempts
        }

        /** Whether the client-side rate budgets (UPBOND's per-minute limits) apply; default on. */
        fun rateBudgets(enabled: Boolean) = apply { rateBudgets = enabled }

        /** The configuration; validated when a [UpbondClient] is made from it. */
        fun build() = UpbondConfig(
            ClientConfig(
                issuer = issuer,
                clientId = clientId,
                clientSecret = clientSecret,
                kind = kind,
                authMethod = authMethod,
                redirectUri = redirectUri,
                postLogoutRedirectUri = postLogoutRedirectUri,
                scopes = scopes,
                connectTimeoutMs = connectTimeout?.inWholeMilliseconds?.toULong(),
                requestTimeoutMs = requestTimeout?.inWholeMilliseconds?.toULong(),
                clockLeewaySecs = clockLeeway?.inWholeSeconds?.toULong(),
                maxAttempts = maxAttempts?.toUInt(),
                rateBudgets = rateBudgets,
            ),
        )
    }

    companion object {
        /** A builder for [issuer] and [clientId]. */
        @JvmStatic
        fun builder(issuer: String, clientId: String) = Builder(issuer, clientId)

        /** Kotlin style: `UpbondConfig(issuer, clientId) { redirectUri("...") }`. */
        operator fun invoke(issuer: String, clientId: String, configure: Builder.() -> Unit = {}) =
            Builder(issuer, clientId).apply(configure).build()
    }
}

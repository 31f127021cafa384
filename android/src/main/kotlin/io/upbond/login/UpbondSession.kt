package io.upbond.login

import kotlinx.coroutines.flow.MutableSharedFlow
import kotlinx.coroutines.flow.MutableStateFlow
import kotlinx.coroutines.flow.SharedFlow
import kotlinx.coroutines.flow.StateFlow
import kotlinx.coroutines.flow.asSharedFlow
import kotlinx.coroutines.flow.asStateFlow
import kotlinx.coroutines.flow.update
import kotlin.time.Duration
import kotlin.time.Duration.Companion.seconds

/** Whether someone is signed in, as [UpbondSession.state] reports it. */
sealed interface SessionState {
    /** The store was not read yet: call [UpbondSession.restore]. */
    data object Unknown : SessionState

    /** Nothing is stored. */
    data object SignedOut : SessionState

    /** A session is stored; [subject] is the user's `sub` when an ID token said it. */
    data class SignedIn(val subject: String?) : SessionState

    /** The issuer refused the refresh token: the user must sign in again. */
    data object ReauthenticationRequired : SessionState
}

/**
 * One signed-in user over a [TokenStore]: an access token on demand, refreshed once for all
 * concurrent callers, and the session [state] as a [StateFlow] (fed by the native session's
 * listener). Thread-safe; [close] it when done.
 */
class UpbondSession private constructor(
    /** The generated session this one forwards to. */
    val native: Session,
) : AutoCloseable {
    private val mutableState = MutableStateFlow<SessionState>(SessionState.Unknown)
    private val mutableEvents = MutableSharedFlow<SessionEvent>(extraBufferCapacity = 64)

    /** The current session state; starts [SessionState.Unknown] until [restore] or a sign-in. */
    val state: StateFlow<SessionState> = mutableState.asStateFlow()

    /** Every session event (sign-in, refresh, sign-out, re-authentication needed) as it happens. */
    val events: SharedFlow<SessionEvent> = mutableEvents.asSharedFlow()

    init {
        native.setListener(Listener(mutableState, mutableEvents))
    }

    /**
     * Feeds [state] and [events]; runs on a native thread after the store was updated. It holds
     * only the two flows, not the session, so a session that is not closed can still be collected.
     */
    private class Listener(
        private val state: MutableStateFlow<SessionState>,
        private val events: MutableSharedFlow<SessionEvent>,
    ) : SessionListener {
        override fun onEvent(event: SessionEvent) {
            state.update { current ->
                when (event) {
                    SessionEvent.SIGNED_IN, SessionEvent.REFRESHED ->
                        current as? SessionState.SignedIn ?: SessionState.SignedIn(null)
                    SessionEvent.SIGNED_OUT -> SessionState.SignedOut
                    SessionEvent.REAUTHENTICATION_REQUIRED -> SessionState.ReauthenticationRequired
                }
            }
            events.tryEmit(event)
        }
    }

    /** Reads the store and sets [state] from it; returns the stored session, if any. */
    suspend fun restore(): StoredSession? {
        val stored = record()
        mutableState.value = stored?.let { SessionState.SignedIn(it.subject) } ?: SessionState.SignedOut
        return stored
    }

    /** Stores the tokens of a sign-in (replacing any stored session). */
    suspend fun signIn(tokens: Tokens) {
        translating { native.signIn(tokens.ffi) }
        mutableState.value = SessionState.SignedIn(tokens.idTokenClaims?.subject)
    }

    /**
     * An access token valid for at least [minTtl], refreshed when needed (one refresh for all
     * concurrent callers). [UpbondLoginException.NotSignedIn] or a re-authentication error when
     * the user must sign in again.
     */
    suspend fun accessToken(minTtl: Duration = 60.seconds): String =
        translating { native.accessToken(minTtl.inWholeSeconds.toULong()) }

    /** The stored session, or `null` when signed out. */
    suspend fun record(): StoredSession? = translating { native.record() }?.let(::StoredSession)

    /**
     * Signs out: clears the store, then revokes the tokens at the issuer. Only a store failure
     * throws; the result says whether the issuer confirmed the revocation.
     */
    suspend fun signOut(): SignOut {
        val done = translating { native.signOut() }
        mutableState.value = SessionState.SignedOut
        return done
    }

    /** Frees the native session (the store is left as it is). */
    override fun close() {
        native.setListener(null)
        native.close()
    }

    companion object {
        /** A session kept in [store], e.g. the Android Keystore store or the app's own. */
        @JvmStatic
        fun create(client: UpbondClient, store: TokenStore) = UpbondSession(Session(client.native, store))

        /** A session kept in memory only (forgotten when the process ends). */
        @JvmStatic
        fun inMemory(client: UpbondClient) = UpbondSession(Session.inMemory(client.native))

        /**
         * A session kept in a file (owner-only, atomic replace, locked across processes),
         * encrypted with AES-256-GCM when a 32-byte [key] is given.
         */
        @JvmStatic
        fun inFile(client: UpbondClient, path: String, key: ByteArray? = null) =
            UpbondSession(translating { Session.inFile(client.native, path, key) })
    }
}

package io.upbond.login

/** Process-wide helpers: the error catalog, user-code input and logging. */
object UpbondLogin {
    /** What [code] (e.g. `EMAIL_007`, case-insensitive) means and how to fix it, if it is known. */
    @JvmStatic
    fun explain(code: String): CatalogEntry? = io.upbond.login.explain(code)

    /** Every catalog entry, in the order of the troubleshooting guide. */
    @JvmStatic
    fun catalog(): List<CatalogEntry> = io.upbond.login.catalog()

    /** A typed user code: `" abcd efgh"` becomes `"ABCD-EFGH"`; bad input is [UpbondLoginException.InvalidUserCode]. */
    @JvmStatic
    fun normalizeUserCode(input: String): String = translating { io.upbond.login.normalizeUserCode(input) }

    /**
     * Sends the SDK's log messages (already redacted) to [logger], e.g. `android.util.Log`;
     * `null` stops it. [debug] adds each request and response, redacted.
     */
    @JvmStatic
    fun setLogger(logger: Logger?, debug: Boolean = false) {
        io.upbond.login.setLogger(logger)
        setDebug(debug)
    }
}

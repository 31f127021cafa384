package io.upbond.login.android

import android.content.Context
import android.os.Build
import android.security.keystore.KeyGenParameterSpec
import android.security.keystore.KeyPermanentlyInvalidatedException
import android.security.keystore.KeyProperties
import android.util.AtomicFile
import io.upbond.login.TokenStore
import java.io.File
import java.io.FileNotFoundException
import java.nio.ByteBuffer
import java.security.KeyStore
import javax.crypto.Cipher
import javax.crypto.KeyGenerator
import javax.crypto.SecretKey
import javax.crypto.spec.GCMParameterSpec

/**
 * A [TokenStore] for Android: the session record is encrypted with AES-256-GCM under a key that
 * is generated inside the Android Keystore and never leaves it (hardware-backed where the
 * device has a TEE or StrongBox), and written atomically to the app's no-backup directory (so
 * it is neither backed up nor restored to another device, where the key would not exist).
 *
 * With [userAuthentication], the key can only be used for a while after the user unlocked
 * with a biometric or, as the fallback, the device PIN/pattern/password (see [BiometricGate]);
 * until then every load or save fails with a `storage_error` naming the reason.
 *
 * If the key was invalidated (e.g. the screen lock was removed while [userAuthentication] was
 * on) or is missing (the file came back without it), the unreadable record is deleted and the
 * store reads as empty: the user signs in again. A record that fails authentication (altered
 * on disk) is an error, not silently dropped.
 */
class KeystoreTokenStore @JvmOverloads constructor(
    context: Context,
    /** The file name of this store (one store per session). */
    private val name: String = "upbond_session",
    /** Seconds a user authentication unlocks the key for; `null` = no authentication needed. */
    private val userAuthentication: Int? = null,
) : TokenStore {
    private val file = AtomicFile(File(context.noBackupFilesDir, "$name.enc"))
    private val alias = "io.upbond.login.$name"

    override fun load(): ByteArray? {
        val stored = try {
            file.readFully()
        } catch (_: FileNotFoundException) {
            return null
        }
        val buffer = ByteBuffer.wrap(stored)
        require(stored.size > HEADER && buffer.get() == VERSION) { "unknown token store format" }
        val iv = ByteArray(IV_BYTES).also { buffer.get(it) }
        val key = existingKey()
        if (key == null) { // the record came back without its key (e.g. onto another device)
            forget()
            return null
        }
        val cipher = Cipher.getInstance(TRANSFORMATION)
        try {
            cipher.init(Cipher.DECRYPT_MODE, key, GCMParameterSpec(TAG_BITS, iv))
        } catch (_: KeyPermanentlyInvalidatedException) {
            forget()
            return null
        }
        cipher.updateAAD(name.toByteArray())
        return cipher.doFinal(stored, HEADER, stored.size - HEADER)
    }

    override fun save(record: ByteArray) {
        val cipher = Cipher.getInstance(TRANSFORMATION)
        try {
            cipher.init(Cipher.ENCRYPT_MODE, key()) // the keystore picks a fresh random IV
        } catch (_: KeyPermanentlyInvalidatedException) {
            forget()
            cipher.init(Cipher.ENCRYPT_MODE, key())
        }
        cipher.updateAAD(name.toByteArray())
        val sealed = cipher.doFinal(record)
        val out = file.startWrite()
        try {
            out.write(byteArrayOf(VERSION))
            out.write(cipher.iv)
            out.write(sealed)
            file.finishWrite(out)
        } catch (e: Exception) {
            file.failWrite(out)
            throw e
        }
    }

    override fun delete() = file.delete()

    /** Drops the record and the key it was sealed with. */
    private fun forget() {
        file.delete()
        keyStore().deleteEntry(alias)
    }

    private fun keyStore(): KeyStore = KeyStore.getInstance(ANDROID_KEYSTORE).apply { load(null) }

    private fun existingKey(): SecretKey? = keyStore().getKey(alias, null) as SecretKey?

    /** This store's key, generated in the keystore on first use. */
    private fun key(): SecretKey {
        existingKey()?.let { return it }
        val spec = KeyGenParameterSpec.Builder(alias, KeyProperties.PURPOSE_ENCRYPT or KeyProperties.PURPOSE_DECRYPT)
            .setBlockModes(KeyProperties.BLOCK_MODE_GCM)
            .setEncryptionPaddings(KeyProperties.ENCRYPTION_PADDING_NONE)
            .setKeySize(256)
            .setRandomizedEncryptionRequired(true)
        userAuthentication?.let { seconds ->
            spec.setUserAuthenticationRequired(true)
            if (Build.VERSION.SDK_INT >= Build.VERSION_CODES.R) {
                spec.setUserAuthenticationParameters(
                    seconds,
                    KeyProperties.AUTH_BIOMETRIC_STRONG or KeyProperties.AUTH_DEVICE_CREDENTIAL,
                )
            } else {
                @Suppress("DEPRECATION")
                spec.setUserAuthenticationValidityDurationSeconds(seconds)
            }
        }
        return KeyGenerator.getInstance(KeyProperties.KEY_ALGORITHM_AES, ANDROID_KEYSTORE)
            .apply { init(spec.build()) }
            .generateKey()
    }

    private companion object {
        const val ANDROID_KEYSTORE = "AndroidKeyStore"
        const val TRANSFORMATION = "AES/GCM/NoPadding"
        const val VERSION: Byte = 1
        const val IV_BYTES = 12
        const val TAG_BITS = 128
        const val HEADER = 1 + IV_BYTES
    }
}

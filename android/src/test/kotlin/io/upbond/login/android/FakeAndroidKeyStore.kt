package io.upbond.login.android

import android.security.keystore.KeyGenParameterSpec
import java.io.InputStream
import java.io.OutputStream
import java.security.Key
import java.security.KeyStoreSpi
import java.security.Provider
import java.security.SecureRandom
import java.security.Security
import java.security.cert.Certificate
import java.security.spec.AlgorithmParameterSpec
import java.util.Collections
import java.util.Date
import java.util.Enumeration
import java.util.concurrent.ConcurrentHashMap
import javax.crypto.KeyGenerator
import javax.crypto.KeyGeneratorSpi
import javax.crypto.SecretKey

/**
 * A stand-in for the "AndroidKeyStore" JCA provider, which Robolectric lacks: keys live in a
 * map instead of secure hardware, but the store under test uses exactly the calls it makes on
 * a device (KeyStore.getInstance("AndroidKeyStore"), KeyGenerator with a KeyGenParameterSpec).
 */
object FakeAndroidKeyStore {
    /** Generated keys by alias, with the spec each was made with. */
    val keys = ConcurrentHashMap<String, Pair<SecretKey, KeyGenParameterSpec>>()

    /** Installs the provider once per class loader (Robolectric sandboxes have their own). */
    fun install() {
        if (Security.getProvider(NAME)?.javaClass == FakeProvider::class.java) return
        Security.removeProvider(NAME)
        Security.addProvider(FakeProvider())
    }

    private const val NAME = "AndroidKeyStore"

    private class FakeProvider : Provider(NAME, "1.0", "test stand-in for the Android Keystore") {
        init {
            putService(object : Service(this, "KeyStore", NAME, Spi::class.java.name, null, null) {
                override fun newInstance(constructorParameter: Any?): Any = Spi()
            })
            putService(object : Service(this, "KeyGenerator", "AES", Generator::class.java.name, null, null) {
                override fun newInstance(constructorParameter: Any?): Any = Generator()
            })
        }
    }

    private class Generator : KeyGeneratorSpi() {
        private var spec: KeyGenParameterSpec? = null

        override fun engineInit(random: SecureRandom?) = error("a KeyGenParameterSpec is required")
        override fun engineInit(keysize: Int, random: SecureRandom?) = error("a KeyGenParameterSpec is required")
        override fun engineInit(params: AlgorithmParameterSpec?, random: SecureRandom?) {
            spec = params as KeyGenParameterSpec
        }

        override fun engineGenerateKey(): SecretKey {
            val spec = checkNotNull(spec)
            val key = KeyGenerator.getInstance("AES", "SunJCE").apply { init(spec.keySize) }.generateKey()
            keys[spec.keystoreAlias] = key to spec
            return key
        }
    }

    private class Spi : KeyStoreSpi() {
        override fun engineGetKey(alias: String, password: CharArray?): Key? = keys[alias]?.first
        override fun engineDeleteEntry(alias: String) {
            keys.remove(alias)
        }
        override fun engineContainsAlias(alias: String) = keys.containsKey(alias)
        override fun engineAliases(): Enumeration<String> = Collections.enumeration(keys.keys.toList())
        override fun engineSize() = keys.size
        override fun engineIsKeyEntry(alias: String) = keys.containsKey(alias)
        override fun engineLoad(stream: InputStream?, password: CharArray?) = Unit
        override fun engineGetCertificateChain(alias: String): Array<Certificate>? = null
        override fun engineGetCertificate(alias: String): Certificate? = null
        override fun engineGetCreationDate(alias: String): Date? = null
        override fun engineSetKeyEntry(alias: String, key: Key, password: CharArray?, chain: Array<out Certificate>?) =
            error("keys are generated inside the keystore")
        override fun engineSetKeyEntry(alias: String, key: ByteArray, chain: Array<out Certificate>?) =
            error("keys are generated inside the keystore")
        override fun engineSetCertificateEntry(alias: String, cert: Certificate) = error("not used")
        override fun engineIsCertificateEntry(alias: String) = false
        override fun engineGetCertificateAlias(cert: Certificate): String? = null
        override fun engineStore(stream: OutputStream?, password: CharArray?) = Unit
    }
}

package io.dockhand.ffi

import java.nio.file.Files
import java.nio.file.Path
import org.junit.jupiter.api.AfterEach
import org.junit.jupiter.api.BeforeEach

/**
 * A test class's handheld: before each test a fresh device database in a temporary directory,
 * loaded with the sample warehouse, alice signed in; closed and deleted after it.
 * [deviceId] names the device (a fresh one per test when the hub must tell devices apart).
 */
abstract class SampleDeviceTest(private val deviceId: () -> String) {
    protected lateinit var dir: Path
    protected lateinit var device: Device

    @BeforeEach
    fun openSampleDevice() {
        dir = Files.createTempDirectory("dockhand-kt")
        device = Device.open(dir.resolve("device.db").toString(), deviceId(), generateDatabaseKey())
        device.loadSampleWarehouse()
        device.signIn("BADGE-0001", "111111") // alice
    }

    @AfterEach
    fun closeSampleDevice() {
        device.close()
        dir.toFile().deleteRecursively()
    }
}

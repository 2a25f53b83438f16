// The screens' logic: plain Kotlin over the generated bindings, no Android classes, so it is
// unit-tested on a desktop JVM (CI runs the same sources with logic/pom.xml).
plugins {
    id("org.jetbrains.kotlin.jvm")
}

kotlin {
    jvmToolchain(17)
    // Generated from the built library by ../scripts/bindings.sh (or build-android.sh); never checked in.
    sourceSets["main"].kotlin.srcDir("../../target/bindings/kotlin")
}

dependencies {
    // On Android the app brings JNA as an AAR (with its native part); here only to compile.
    compileOnly("net.java.dev.jna:jna:5.17.0")
    implementation("org.jetbrains.kotlinx:kotlinx-coroutines-core:1.10.2")
    testImplementation("net.java.dev.jna:jna:5.17.0")
    testImplementation("org.junit.jupiter:junit-jupiter:5.14.4")
    testRuntimeOnly("org.junit.platform:junit-platform-launcher")
}

tasks.test {
    useJUnitPlatform()
    // The desktop build of the library: cargo build -p dockhand-ffi.
    jvmArgs("-Djna.library.path=${rootDir}/../target/debug")
}

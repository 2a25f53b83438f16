// dockhand Android sample: open in Android Studio (Ladybug or newer) after building the Rust
// library for Android with ../scripts/build-android.sh (see README.md).
pluginManagement {
    repositories {
        google()
        mavenCentral()
        gradlePluginPortal()
    }
}
dependencyResolutionManagement {
    repositoriesMode.set(RepositoriesMode.FAIL_ON_PROJECT_REPOS)
    repositories {
        google()
        mavenCentral()
    }
}
rootProject.name = "dockhand-sample"
include(":app", ":logic")

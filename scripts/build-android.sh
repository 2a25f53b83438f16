#!/usr/bin/env bash
# Builds libdockhand_ffi.so for Android with cargo-ndk and generates the Kotlin bindings the
# sample (and any app) compiles. Not run in CI here: this machine has no Android NDK.
#
# Needs: the Android NDK (ANDROID_NDK_HOME, r26 or newer), cargo-ndk (cargo install cargo-ndk),
# and the Rust targets: rustup target add aarch64-linux-android armv7-linux-androideabi x86_64-linux-android
#
#   scripts/build-android.sh            release libraries into android-sample/app/src/main/jniLibs
#   OUT=path/to/app/src/main/jniLibs scripts/build-android.sh
set -euo pipefail
cd "$(dirname "$0")/.."

out="${OUT:-android-sample/app/src/main/jniLibs}"
# min SDK 26, like the sample; -p dockhand-ffi alone so the generator's CLI stays out of the app;
# `encryption`: SQLCipher with OpenSSL built from source by the NDK's clang.
cargo ndk --platform 26 -t arm64-v8a -t armeabi-v7a -t x86_64 -o "$out" \
    build --locked --release -p dockhand-ffi --features encryption
# The Kotlin bindings, generated from the host build of the same sources (identical interface).
PROFILE=release bash scripts/bindings.sh
echo "Android libraries in $out; Kotlin bindings in target/bindings/kotlin (the logic module compiles them)"

#!/usr/bin/env bash
# Builds DockhandFFI.xcframework (device + simulator static libraries with the uniffi headers) and
# the Swift bindings for ios-sample (or any app). Runs on macOS with Xcode; not run in CI here
# (no Swift toolchain on this machine).
#
#   rustup target add aarch64-apple-ios aarch64-apple-ios-sim x86_64-apple-ios
#   scripts/build-ios.sh
set -euo pipefail
cd "$(dirname "$0")/.."

targets=(aarch64-apple-ios aarch64-apple-ios-sim x86_64-apple-ios)
for target in "${targets[@]}"; do
    # -p dockhand-ffi alone: the generator's CLI stays out of the app's library.
    cargo build --locked --release -p dockhand-ffi --features encryption --target "$target"
done

# Swift bindings + the C header and module map of the FFI, from the host build of the same code.
cargo build --locked --release -p dockhand-ffi --features bindgen,encryption --bin uniffi-bindgen
cargo build --locked --release -p dockhand-ffi --features encryption
gen=target/bindings/swift
rm -rf "$gen" && mkdir -p "$gen"
target/release/uniffi-bindgen generate --library target/release/libdockhand_ffi.dylib \
    --language swift --out-dir "$gen"
headers=target/ios/headers
rm -rf "$headers" && mkdir -p "$headers"
cp "$gen/DockhandFFIFFI.h" "$headers/"
cp "$gen/DockhandFFIFFI.modulemap" "$headers/module.modulemap"

# One fat simulator library (Apple silicon and Intel simulators).
mkdir -p target/ios/simulator
lipo -create target/aarch64-apple-ios-sim/release/libdockhand_ffi.a \
    target/x86_64-apple-ios/release/libdockhand_ffi.a -output target/ios/simulator/libdockhand_ffi.a

out=ios-sample/Frameworks/DockhandFFI.xcframework
rm -rf "$out"
xcodebuild -create-xcframework \
    -library target/aarch64-apple-ios/release/libdockhand_ffi.a -headers "$headers" \
    -library target/ios/simulator/libdockhand_ffi.a -headers "$headers" \
    -output "$out"
mkdir -p ios-sample/Generated
cp "$gen/DockhandFFI.swift" ios-sample/Generated/
echo "$out and ios-sample/Generated/DockhandFFI.swift are ready: cd ios-sample && xcodegen generate"

#!/usr/bin/env bash
# The manifest inside the built APK says what tests/phone/test_manifest.py expects of
# [tool.flet]: no backup, the data-extraction rules, no location, min SDK 24, the uk label.
# Usage: tools/android/check_apk_manifest.sh build/apk/app-x86_64-release.apk
set -euo pipefail
apk=$1
aapt2=$(ls -d "$ANDROID_HOME"/build-tools/*/ | sort -V | tail -n 1)aapt2
tree=$("$aapt2" dump xmltree --file AndroidManifest.xml "$apk")
badging=$("$aapt2" dump badging "$apk")
echo "$tree" > apk-manifest.txt
fail() { echo "FAIL: $1" >&2; exit 1; }
grep -q 'android:allowBackup.*=false' <<<"$tree" || fail "allowBackup is not false"
grep -q 'android:dataExtractionRules' <<<"$tree" || fail "no dataExtractionRules"
! grep -q 'LOCATION' <<<"$tree" || fail "a location permission is requested"
grep -q "sdkVersion:'24'" <<<"$badging" || fail "min SDK is not 24"
grep -q "application-label:'Поруч'" <<<"$badging" || fail "the app name is not Поруч"
echo "OK: the APK's manifest (apk-manifest.txt)"

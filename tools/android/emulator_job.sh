#!/usr/bin/env bash
# Inside the emulator (.github/workflows/android.yml): install the x86_64 APK, drive a worker's
# first day (tools/android/emulator_smoke.py), then fail on any crash adb logcat recorded.
# Needs the sync server with demo data on the host's 127.0.0.1:8000 (10.0.2.2 in the emulator).
set -euo pipefail
cd "$(dirname "$0")/../.."
apk=$(ls build/apk/*x86_64*.apk | head -n 1)
out=emulator-smoke
mkdir -p "$out"
adb install -r "$apk"
adb logcat -c
status=0
python -m tools.android.emulator_smoke --server http://10.0.2.2:8000 \
  --user zhytomyrska.fakhivets1 --password "$PORUCH_DEMO_PASSWORD" --out "$out" || status=1
adb logcat -d > "$out/logcat.txt" || true
if grep -E "FATAL EXCEPTION|Fatal signal|Process: ua\.poruch\.poruch|Traceback \(most recent call last\)" \
    "$out/logcat.txt"; then
  echo "FAIL: a crash or a Python traceback in adb logcat (see $out/logcat.txt)" >&2
  status=1
fi
exit "$status"

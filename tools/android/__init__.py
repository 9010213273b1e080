"""The phone build's checks that run without the internet to Flet (docs/android.md).

``resolve`` (the client's dependency set as `flet build apk` resolves it), ``phone_tests``
(the shared, store and sync tests with exactly the phone's versions), ``manifest`` (the
Android manifest settings `[tool.flet]` gives), ``refresh`` (re-read the mobile index on a
machine with the internet).
"""

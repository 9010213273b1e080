"""The phone's package set and KDF path, checked on desktop (docs/android.md)."""

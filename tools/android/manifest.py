"""The Android manifest settings ``[tool.flet]`` gives the phone build, rendered without Flutter.

`flet build apk` cannot run here (it downloads Flutter, a JDK and the Android SDK). This reads
``pyproject.toml`` as flet-cli 1.0.5 does (``commands/build_base.py``): INTERNET is always
requested; ``[tool.flet].permissions`` adds its cross-platform sets; ``[tool.flet.android.
permission]`` is merged over them and only the ``true`` entries are written; features and
meta-data likewise; the label is ``[tool.flet].product``. ``min_sdk_version`` and
``[tool.flet.android.manifest_application]`` are read by the build template from the
pyproject it is handed (flet issue #4977) — the workflow's manifest check on the built APK
is what proves that part (docs/android.md).

    python -m tools.android.manifest        # print the rendered settings
"""

from __future__ import annotations

import sys
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from xml.sax.saxutils import quoteattr

ROOT = Path(__file__).resolve().parents[2]

#: flet-cli 1.0.5's cross-platform permission sets (``[tool.flet].permissions``), Android part.
CROSS_PLATFORM = {
    "location": ["android.permission.ACCESS_FINE_LOCATION",
                 "android.permission.ACCESS_COARSE_LOCATION",
                 "android.permission.ACCESS_BACKGROUND_LOCATION"],
    "camera": ["android.permission.CAMERA"],
    "microphone": ["android.permission.RECORD_AUDIO"],
    "photo_library": ["android.permission.READ_MEDIA_VISUAL_USER_SELECTED"],
}
#: Keys of ``[tool.flet.android]`` flet-cli 1.0.5 or its template reads. flet-cli never warns
#: about an unknown key, so a misspelt one would silently do nothing: the test refuses them.
KNOWN_ANDROID_KEYS = {
    "split_per_abi", "legacy_packaging", "proguard_default_rules", "proguard_rules",
    "permission", "feature", "meta_data", "provider", "gradle_properties", "deep_linking",
    "signing", "adaptive_icon_background", "artifact", "org", "bundle_id", "dependencies",
    "min_sdk_version", "target_sdk_version", "manifest_application",
}


@dataclass
class ManifestSettings:
    """What the phone's AndroidManifest.xml will say, as ``[tool.flet]`` configures it."""

    package: str
    label: str
    min_sdk: int | None
    permissions: dict[str, bool] = field(default_factory=dict)
    features: dict[str, bool] = field(default_factory=dict)
    meta_data: dict[str, str] = field(default_factory=dict)
    application: dict[str, str] = field(default_factory=dict)
    unknown_keys: list[str] = field(default_factory=list)

    @property
    def requested(self) -> set[str]:
        """The permissions written into the manifest (``true`` ones only)."""
        return {name for name, on in self.permissions.items() if on}


def settings(pyproject: Path = ROOT / "pyproject.toml") -> ManifestSettings:
    """Read ``[tool.flet]`` the way flet-cli 1.0.5 maps it onto the manifest."""
    config: dict[str, Any] = tomllib.loads(pyproject.read_text(encoding="utf-8"))
    flet = config.get("tool", {}).get("flet", {})
    android = flet.get("android", {})
    name = str(config["project"]["name"]).lower().replace("-", "_")
    permissions: dict[str, bool] = {"android.permission.INTERNET": True}
    for cross in flet.get("permissions", []):
        permissions.update(dict.fromkeys(CROSS_PLATFORM[cross], True))
    permissions.update({k: bool(v) for k, v in android.get("permission", {}).items()})
    features = {"android.software.leanback": False, "android.hardware.touchscreen": False}
    features.update({k: bool(v) for k, v in android.get("feature", {}).items()})
    return ManifestSettings(
        package=str(android.get("bundle_id") or flet.get("bundle_id")
                    or f"{android.get('org') or flet['org']}.{name}"),
        label=str(flet.get("product") or config["project"]["name"]),
        min_sdk=android.get("min_sdk_version"),
        permissions=permissions, features=features,
        meta_data={k: str(v) for k, v in android.get("meta_data", {}).items()},
        application={k: str(v) for k, v in android.get("manifest_application", {}).items()},
        unknown_keys=sorted(set(android) - KNOWN_ANDROID_KEYS),
    )


def render(s: ManifestSettings) -> str:
    """The manifest's configurable parts as XML (the template adds the activity and icons)."""
    lines = ['<manifest xmlns:android="http://schemas.android.com/apk/res/android"'
             f" package={quoteattr(s.package)}>"]
    if s.min_sdk is not None:
        lines.append(f'    <uses-sdk android:minSdkVersion="{s.min_sdk}" />')
    lines += [f"    <uses-permission android:name={quoteattr(p)} />" for p in sorted(s.requested)]
    lines += [f"    <uses-feature android:name={quoteattr(f)} "
              f'android:required="{str(on).lower()}" />' for f, on in sorted(s.features.items())]
    attrs = "".join(f"\n        android:{k}={quoteattr(v)}"
                    for k, v in sorted({"label": s.label, **s.application}.items()))
    lines.append(f"    <application{attrs}>")
    lines += [f"        <meta-data android:name={quoteattr(k)} android:value={quoteattr(v)} />"
              for k, v in sorted(s.meta_data.items())]
    lines += ["    </application>", "</manifest>", ""]
    return "\n".join(lines)


if __name__ == "__main__":
    sys.stdout.write(render(settings()))

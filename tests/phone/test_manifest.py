"""The manifest the phone gets: no backup or transfer of case data, only the network, uk name."""

from __future__ import annotations

import re
import subprocess
import xml.etree.ElementTree as ET
from pathlib import Path

from tools.android import manifest
from tools.android.resolve import load_index

ROOT = Path(__file__).resolve().parents[2]
ANDROID = "{http://schemas.android.com/apk/res/android}"
SETTINGS = manifest.settings()
RENDERED = ET.fromstring(manifest.render(SETTINGS))  # noqa: S314  (our own files)
DOMAINS = {"root", "file", "database", "sharedpref", "external"}


def test_it_asks_only_for_the_network() -> None:
    asked = {e.get(f"{ANDROID}name") for e in RENDERED.iter("uses-permission")}
    assert asked == {"android.permission.INTERNET"}


def test_no_location_permission_while_no_feature_uses_location() -> None:
    """Asked for location only if some client code uses it (none does today)."""
    tracked = subprocess.run(["git", "ls-files", "field_app", "main.py"], cwd=ROOT, check=True,
                             capture_output=True, text=True).stdout.split()
    uses = [f for f in tracked if f.endswith(".py") and re.search(
        r"geolocator|Geolocator|geolocation|latitude", (ROOT / f).read_text(encoding="utf-8"))]
    asks = {p for p in SETTINGS.requested if "LOCATION" in p}
    assert not uses and not asks, (uses, asks)


def test_no_cloud_backup_and_no_device_transfer() -> None:
    app = RENDERED.find("application")
    assert app is not None
    assert app.get(f"{ANDROID}allowBackup") == "false"           # cloud backup, API < 31 too
    assert app.get(f"{ANDROID}fullBackupContent") == "false"
    rules = app.get(f"{ANDROID}dataExtractionRules")             # Android 12+: D2D as well
    assert rules is not None and rules.startswith("@xml/")
    path = ROOT / "android" / "res" / "xml" / f"{rules.removeprefix('@xml/')}.xml"
    root = ET.parse(path).getroot()  # noqa: S314
    assert root.tag == "data-extraction-rules"
    for section in ("cloud-backup", "device-transfer"):
        part = root.find(section)
        assert part is not None, section
        assert part.findall("include") == []
        excluded = {(e.get("domain"), e.get("path")) for e in part.findall("exclude")}
        assert excluded == {(d, ".") for d in DOMAINS}, section


def test_the_app_name_is_ukrainian_and_the_min_sdk_fits_the_wheels() -> None:
    app = RENDERED.find("application")
    assert app is not None and app.get(f"{ANDROID}label") == "Поруч"
    sdk = RENDERED.find("uses-sdk")
    assert sdk is not None
    # The mobile index's wheels are built for this API; a lower minimum would install an
    # app whose native packages cannot load.
    assert int(sdk.get(f"{ANDROID}minSdkVersion") or 0) == int(load_index()["api"]) == 24
    assert SETTINGS.package == "ua.poruch.poruch"


def test_every_android_key_is_one_flet_reads() -> None:
    """flet-cli never warns about an unknown key: a misspelt one would silently do nothing."""
    assert SETTINGS.unknown_keys == []


def test_the_rules_file_and_the_venvs_stay_out_of_the_app_package() -> None:
    import tomllib

    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    assert {"android", ".venv", ".venv-phone"} <= set(config["tool"]["flet"]["app"]["exclude"])

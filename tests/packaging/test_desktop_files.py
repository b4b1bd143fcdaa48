"""The Linux desktop files and the icons: the .desktop entry parses and names an icon that exists, the AppStream
metainfo has what software centres require, and the generated icon files hold the sizes make_icons.py promises."""

from __future__ import annotations

import configparser
import importlib.util
import shutil
import subprocess
import xml.etree.ElementTree as ET

import pytest

from tests.support import REPO

DESKTOP = REPO / "packaging" / "promptbench.desktop"
METAINFO = REPO / "packaging" / "io.github.promptbench.PromptBench.metainfo.xml"
ICONS = REPO / "resources" / "icons"


def _load_make_icons():
    # packaging/ is a folder of build scripts, not a package (and `packaging` is also pip's library's name).
    spec = importlib.util.spec_from_file_location("make_icons", REPO / "packaging" / "make_icons.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


make_icons = _load_make_icons()


def desktop_entry() -> configparser.SectionProxy:
    parser = configparser.ConfigParser(interpolation=None, strict=True)
    parser.optionxform = str  # keys are case-sensitive in the Desktop Entry spec
    parser.read_string(DESKTOP.read_text(encoding="utf-8"))
    return parser["Desktop Entry"]


def test_the_desktop_entry_parses_and_launches_promptbench():
    entry = desktop_entry()
    assert entry["Type"] == "Application"
    assert entry["Name"] == "PromptBench"
    assert entry["Exec"].split()[0] == "promptbench"
    assert entry["Terminal"] == "false"
    assert entry["Categories"].endswith(";")


def test_the_desktop_entry_names_an_icon_that_exists():
    icon = desktop_entry()["Icon"]
    assert "/" not in icon and "." not in icon  # a theme icon name, installed as hicolor/<size>/apps/<name>.png
    assert (ICONS / f"{icon}.svg").is_file()
    for size in make_icons.PNG_SIZES:
        assert (ICONS / f"{icon}-{size}.png").is_file()


def test_the_metainfo_has_the_required_appstream_elements():
    root = ET.parse(METAINFO).getroot()
    assert root.tag == "component" and root.get("type") == "desktop-application"
    for tag in ("id", "metadata_license", "project_license", "name", "summary", "description", "launchable"):
        assert root.find(tag) is not None and "".join(root.find(tag).itertext()).strip(), tag
    assert root.findtext("id") == METAINFO.name.removesuffix(".metainfo.xml")
    assert root.findtext("metadata_license") in {"CC0-1.0", "FSFAP", "MIT"}  # the licenses AppStream permits
    launchable = root.find("launchable")
    assert launchable.get("type") == "desktop-id" and launchable.text == DESKTOP.name
    assert root.find("content_rating") is not None
    from promptbench import __version__

    assert root.find("releases/release").get("version") == __version__


def test_appstreamcli_accepts_the_metainfo():
    if shutil.which("appstreamcli") is None:
        pytest.skip("appstreamcli is not installed (Debian: apt install appstream)")
    check = subprocess.run(
        ["appstreamcli", "validate", "--no-net", str(METAINFO)], capture_output=True, text=True, check=False
    )
    assert check.returncode == 0, check.stdout + check.stderr


def test_desktop_file_validate_accepts_the_entry():
    if shutil.which("desktop-file-validate") is None:
        pytest.skip("desktop-file-validate is not installed (Debian: apt install desktop-file-utils)")
    check = subprocess.run(["desktop-file-validate", str(DESKTOP)], capture_output=True, text=True, check=False)
    assert check.returncode == 0 and not check.stdout.strip(), check.stdout + check.stderr


def test_the_ico_and_icns_hold_every_size(qapp):
    from PySide6.QtGui import QImageReader

    for name, sizes in (
        ("promptbench.ico", sorted(make_icons.ICO_SIZES)),
        ("promptbench.icns", sorted(size for _, size in make_icons.ICNS_TYPES)),
    ):
        reader = QImageReader(str(ICONS / name))
        seen = []
        for index in range(reader.imageCount()):
            assert reader.jumpToImage(index)
            image = reader.read()
            assert not image.isNull() and image.width() == image.height()
            seen.append(image.width())
        assert sorted(seen) == sizes, name


def test_make_icons_renders_what_is_committed(qapp, tmp_path):
    written = make_icons.make_icons(tmp_path)
    assert {p.name for p in written} == {p.name for p in ICONS.iterdir() if p.suffix in {".png", ".ico", ".icns"}}
    # Same sizes and a drawn (not blank) image: byte equality would tie the test to one zlib version.
    from PySide6.QtGui import QImage

    for size in make_icons.PNG_SIZES:
        image = QImage(str(tmp_path / f"promptbench-{size}.png"))
        assert image.width() == size and image.height() == size
        assert image.pixelColor(size // 2, size // 2).alpha() == 255  # the middle is painted
        assert image.pixelColor(0, 0).alpha() == 0  # the rounded corner is transparent

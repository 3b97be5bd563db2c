"""The desktop entry, AppStream metainfo and icons are present, well-formed and agree."""

from __future__ import annotations

import configparser
import importlib.util
import os
import shutil
import sys
import xml.etree.ElementTree as ET
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from PIL import Image

import dedupe_gui

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

ROOT = Path(__file__).resolve().parents[1]
RESOURCES = ROOT / "resources"
ICONS = RESOURCES / "icons"
APP_ID = "io.github.dedupe_gui.DedupeGui"
DESKTOP = RESOURCES / f"{APP_ID}.desktop"
METAINFO = RESOURCES / f"{APP_ID}.metainfo.xml"
THEME_SIZES = (16, 24, 32, 48, 64, 128, 256, 512)


def _build_icons() -> ModuleType:
    spec = importlib.util.spec_from_file_location("build_icons", ICONS / "build_icons.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _desktop_entry() -> configparser.SectionProxy:
    parser = configparser.ConfigParser(interpolation=None)
    parser.optionxform = str  # type: ignore[assignment,method-assign]  # keys are case-sensitive
    parser.read(DESKTOP, encoding="utf-8")
    return parser["Desktop Entry"]


def test_desktop_entry_has_required_keys() -> None:
    entry = _desktop_entry()
    assert entry["Type"] == "Application"
    assert entry["Name"]
    assert entry["Comment"]
    assert entry["Exec"].split()[0] == "dedupe-gui"
    assert entry["Icon"] == "dedupe-gui"
    assert entry["Terminal"] == "false"
    categories = entry["Categories"].rstrip(";").split(";")
    assert {"Graphics", "Photography", "Utility"} <= set(categories)


def test_desktop_icon_name_exists_in_theme_tree() -> None:
    name = _desktop_entry()["Icon"]
    assert (ICONS / "hicolor" / "scalable" / "apps" / f"{name}.svg").is_file()
    assert (ICONS / "hicolor" / "48x48" / "apps" / f"{name}.png").is_file()


def test_metainfo_names_the_same_app() -> None:
    root = ET.parse(METAINFO).getroot()
    assert root.tag == "component"
    assert root.get("type") == "desktop-application"
    assert root.findtext("id") == APP_ID
    assert root.findtext("launchable[@type='desktop-id']") == DESKTOP.name
    assert root.findtext("provides/binary") == "dedupe-gui"
    assert root.findtext("name") == _desktop_entry()["Name"]


def test_metainfo_latest_release_is_the_package_version() -> None:
    root = ET.parse(METAINFO).getroot()
    release = root.find("releases/release")
    assert release is not None
    assert release.get("version") == dedupe_gui.__version__


@pytest.mark.parametrize("size", THEME_SIZES)
def test_theme_png_has_its_pixel_size(size: int) -> None:
    with Image.open(ICONS / "hicolor" / f"{size}x{size}" / "apps" / "dedupe-gui.png") as image:
        assert image.format == "PNG"
        assert image.size == (size, size)
        assert image.mode == "RGBA"


def test_package_pngs_match_generator_and_loader() -> None:
    from dedupe_gui.ui import app_icon as loader

    build_icons = _build_icons()
    assert tuple(build_icons.PACKAGE_SIZES) == loader.PACKAGE_SIZES
    assert tuple(build_icons.THEME_SIZES) == loader.THEME_SIZES == THEME_SIZES
    folder = ROOT / "dedupe_gui" / "ui" / "icons"
    for size in loader.PACKAGE_SIZES:
        with Image.open(folder / f"dedupe-gui-{size}.png") as image:
            assert image.size == (size, size)


def test_ico_and_icns_hold_the_expected_sizes() -> None:
    with Image.open(ICONS / "dedupe-gui.ico") as ico:
        assert {(16, 16), (32, 32), (48, 48), (256, 256)} <= set(ico.info["sizes"])
    with Image.open(ICONS / "dedupe-gui.icns") as icns:
        assert icns.format == "ICNS"
        assert icns.size == (1024, 1024)


def test_app_icon_is_not_null_and_has_sizes(qapp: Any) -> None:
    from dedupe_gui.ui.app_icon import app_icon

    icon = app_icon()
    assert not icon.isNull()
    sizes = {(s.width(), s.height()) for s in icon.availableSizes()}
    assert {(16, 16), (32, 32), (48, 48), (256, 256)} <= sizes
    assert not icon.pixmap(32, 32).isNull()


def test_app_icon_falls_back_to_package_data_then_meipass(
    qapp: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from dedupe_gui.ui import app_icon as loader

    # Installed wheel: no repository around the package, only its own icons folder.
    fake_ui = tmp_path / "site-packages" / "dedupe_gui" / "ui"
    shutil.copytree(ROOT / "dedupe_gui" / "ui" / "icons", fake_ui / "icons")
    monkeypatch.setattr(loader, "_HERE", fake_ui)
    files = loader.icon_files()
    assert set(files) == set(loader.PACKAGE_SIZES)
    assert all(path.parent == fake_ui / "icons" for path in files.values())

    # Frozen build: the module's own folder has nothing, sys._MEIPASS has the icons.
    bundle = tmp_path / "_internal"
    (bundle / "dedupe_gui" / "ui").mkdir(parents=True)
    shutil.move(fake_ui / "icons", bundle / "dedupe_gui" / "ui" / "icons")
    monkeypatch.setattr(sys, "_MEIPASS", str(bundle), raising=False)
    files = loader.icon_files()
    assert set(files) == set(loader.PACKAGE_SIZES)
    assert all(path.is_relative_to(bundle) for path in files.values())
    assert not loader.app_icon().isNull()

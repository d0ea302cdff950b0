"""Remembered settings (pithtui/settings.py): what a reader's config file gives, what a save
writes, and the one line a reader sees for each thing wrong with the file."""

from __future__ import annotations

import dataclasses
import os
import stat
import tomllib
from collections.abc import Callable, Collection
from pathlib import Path
from typing import Any

import platformdirs
import pytest

from pithtui import settings as settings_module
from pithtui.models import SortKey
from pithtui.settings import (
    DEFAULTS,
    MAX_KEY_WARNINGS,
    MAX_VERDICTS,
    Settings,
    config_path,
    load_settings,
    normalize_key_string,
    normalize_verdict,
    save_settings,
)
from pithtui.text import printable

CHANGED = Settings(
    theme="nord",
    show_sidebar=False,
    sort=SortKey.NOVELTY,
    descending=False,
    mark_read_on_open=True,
    verdicts=("must-read", "replicate", "à-lire"),
    keys={"hub.star": "asterisk", "explorer.toggle_read": "m,space"},
)


def load(path: Path, binding_ids: Collection[str] | None = None) -> tuple[Settings, list[str]]:
    lines: list[str] = []
    loaded = load_settings(path, warn=lines.append, binding_ids=binding_ids)
    return loaded, lines


def written(path: Path, text: str | bytes) -> Path:
    if isinstance(text, str):
        text = text.encode()
    path.write_bytes(text)
    return path


def no_warning(line: str) -> None:
    raise AssertionError(f"unexpected warning: {line}")


# --------------------------------------------------------------------------- round trip, defaults


def test_what_is_saved_loads_back_the_same(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    save_settings(CHANGED, path)
    assert load_settings(path, warn=no_warning) == CHANGED


def test_a_missing_file_means_the_defaults_without_a_word(tmp_path: Path) -> None:
    assert load_settings(tmp_path / "nowhere" / "config.toml", warn=no_warning) == Settings()


def test_only_values_that_differ_from_the_defaults_are_written(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    save_settings(Settings(theme="nord", sort=SortKey.DATE, verdicts=DEFAULTS.verdicts), path)
    assert tomllib.loads(path.read_text()) == {"theme": "nord"}
    save_settings(Settings(), path)
    assert tomllib.loads(path.read_text()) == {}


def test_the_written_file_is_the_same_whatever_order_keys_were_given_in(tmp_path: Path) -> None:
    one, other = tmp_path / "one.toml", tmp_path / "other.toml"
    save_settings(CHANGED, one)
    save_settings(CHANGED.with_changes(keys={"explorer.toggle_read": "m,space", "hub.star": "asterisk"}), other)
    assert one.read_bytes() == other.read_bytes()
    text = one.read_text()
    assert text.index("theme") < text.index("sort") < text.index("verdicts") < text.index("[keys]")
    assert text.index('"explorer.toggle_read"') < text.index('"hub.star"')
    assert text.startswith("# ") and "comments here are not kept" in text.splitlines()[0]


def test_the_file_layout_is_flat_keys_and_a_keys_table(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    save_settings(CHANGED, path)
    assert tomllib.loads(path.read_text()) == {
        "theme": "nord",
        "show_sidebar": False,
        "sort": "novelty",
        "descending": False,
        "mark_read_on_open": True,
        "verdicts": ["must-read", "replicate", "à-lire"],
        "keys": {"explorer.toggle_read": "m,space", "hub.star": "asterisk"},
    }


def test_a_hand_written_file_is_read(tmp_path: Path) -> None:
    path = written(
        tmp_path / "config.toml",
        'theme = "gruvbox"\nsort = "Title"  # any case\nshow_sidebar = false\n'
        'verdicts = ["must-read", "skim"]\n[keys]\n"hub.star" = "asterisk"\n',
    )
    assert load_settings(path, warn=no_warning) == Settings(
        theme="gruvbox", sort=SortKey.TITLE, show_sidebar=False, verdicts=("must-read", "skim"), keys={"hub.star": "asterisk"}
    )


def test_a_byte_order_mark_is_no_error(tmp_path: Path) -> None:
    path = written(tmp_path / "config.toml", b'\xef\xbb\xbftheme = "nord"\n')
    assert load_settings(path, warn=no_warning) == Settings(theme="nord")


def test_settings_are_frozen_and_hold_no_callers_dict(tmp_path: Path) -> None:
    keys = {"hub.star": "asterisk"}
    held = Settings(keys=keys, verdicts=["useful"])  # type: ignore[arg-type]
    keys["hub.star"] = "s"
    assert held.keys == {"hub.star": "asterisk"} and held.verdicts == ("useful",)
    with pytest.raises(dataclasses.FrozenInstanceError):
        held.theme = "nord"  # type: ignore[misc]
    with pytest.raises(TypeError):
        held.keys["hub.star"] = "s"  # type: ignore[index]
    assert held.with_changes(theme="nord").theme == "nord" and held.theme is None


# --------------------------------------------------------------------------- a file that cannot be used


def malformed_toml(tmp_path: Path) -> Path:
    return written(tmp_path / "config.toml", 'theme = "nord"\nsort = novelty\n')


def not_utf8(tmp_path: Path) -> Path:
    return written(tmp_path / "config.toml", b'theme = "n\xffrd"\n')


def a_directory(tmp_path: Path) -> Path:
    (tmp_path / "config.toml").mkdir()
    return tmp_path / "config.toml"


def huge(tmp_path: Path) -> Path:
    return written(tmp_path / "config.toml", 'theme = "nord"\n' + "# padding\n" * 110_000)


def nested_deeply(tmp_path: Path) -> Path:
    return written(tmp_path / "config.toml", "theme = " + "[" * 50_000 + "]" * 50_000 + "\n")


def dotted_endlessly(tmp_path: Path) -> Path:
    # tomllib takes seconds and hundreds of MB for a key of 10,000 parts: refused before parsing
    return written(tmp_path / "config.toml", ".".join(["k"] * 10_000) + " = 1\n")


def a_parent_that_is_a_file(tmp_path: Path) -> Path:
    return written(tmp_path / "pithtui", "").joinpath("config.toml")


@pytest.mark.parametrize(
    ("make", "reason"),
    [
        (malformed_toml, "is not valid TOML: Invalid value (at line 2, column 8)"),
        (not_utf8, "is not UTF-8 text (byte 0xff at offset 10)"),
        (a_directory, "is a directory"),
        (huge, "is larger than 1 MiB; not read"),
        (nested_deeply, "is nested too deeply; not read"),
        (dotted_endlessly, "has a key of more than 16 dotted parts; not read"),
        (a_parent_that_is_a_file, "cannot be read (Not a directory)"),
    ],
)
def test_a_file_that_cannot_be_used_is_one_line_and_the_defaults(
    tmp_path: Path, make: Callable[[Path], Path], reason: str
) -> None:
    path = make(tmp_path)
    loaded, lines = load(path)
    assert loaded == Settings()
    assert lines == [f"{path}: {reason}; using the default settings"]


def test_an_unreadable_file_is_one_line_and_the_defaults(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = written(tmp_path / "config.toml", 'theme = "nord"\n')
    path.chmod(0)
    if os.access(path, os.R_OK):  # root reads anything: refuse the open as the OS would
        real_open = Path.open

        def refused(self: Path, *args: Any, **kwargs: Any) -> Any:
            if self == path:
                raise PermissionError(13, "Permission denied", str(self))
            return real_open(self, *args, **kwargs)

        monkeypatch.setattr(Path, "open", refused)
    loaded, lines = load(path)
    assert loaded == Settings()
    assert lines == [f"{path}: cannot be read (Permission denied); using the default settings"]


def test_a_file_under_home_is_named_with_a_tilde(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HOME", str(tmp_path))
    path = malformed_toml(tmp_path)
    _, lines = load(path)
    assert lines[0].startswith("~/config.toml: is not valid TOML")


def test_control_characters_in_the_path_are_not_echoed(tmp_path: Path) -> None:
    (tmp_path / "\x1b]0;evil\x07dir").mkdir()
    path = malformed_toml(tmp_path / "\x1b]0;evil\x07dir")
    _, lines = load(path)
    assert len(lines) == 1 and printable(lines[0]) == lines[0] and "evil" in lines[0]


# --------------------------------------------------------------------------- bad values, one key at a time

SORT_CHOICES = ", ".join(key.value for key in SortKey)  # every sort key, a new one too
assert SORT_CHOICES.startswith("date, novelty, title")


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("sort = 'novel'", f"sort: expected one of {SORT_CHOICES}; using date"),
        ("sort = 3", f"sort: expected one of {SORT_CHOICES}; using date"),
        ("show_sidebar = 'no'", "show_sidebar: expected true or false; using true"),
        ("descending = 0", "descending: expected true or false; using true"),
        ("mark_read_on_open = 'yes'", "mark_read_on_open: expected true or false; using false"),
        ("theme = ''", 'theme: expected a theme name, e.g. "nord"; using Textual\'s default'),
        ("theme = 42", 'theme: expected a theme name, e.g. "nord"; using Textual\'s default'),
        ('theme = "nord\\u001b[2J"', 'theme: expected a theme name, e.g. "nord"; using Textual\'s default'),
        (
            "verdicts = 'useful'",
            'verdicts: expected a list of verdict words, e.g. ["must-read", "useful"]; using must-read, useful, disagree, irrelevant',
        ),
        (
            "verdicts = []",
            'verdicts: expected a list of verdict words, e.g. ["must-read", "useful"]; using must-read, useful, disagree, irrelevant',
        ),
        (
            "verdicts = ['to read', '--']",
            "verdicts: expected words joined by single hyphens, at most 32 characters each; "
            "using must-read, useful, disagree, irrelevant",
        ),
        (
            "keys = 'vim'",
            'keys: expected a table of binding id = "key,key", e.g. [keys] "explorer.star" = "asterisk"; using the app\'s keys',
        ),
    ],
)
def test_a_bad_value_is_one_line_naming_the_key_and_the_rest_is_kept(tmp_path: Path, line: str, expected: str) -> None:
    key = line.split(" = ")[0]
    others = "\n".join(f for f in ('theme = "nord"', "show_sidebar = false") if not f.startswith(key))
    path = written(tmp_path / "config.toml", f"{others}\n{line}\n")
    loaded, lines = load(path)
    assert lines == [f"{path}: {expected}"]
    assert getattr(loaded, key) == getattr(DEFAULTS, key)
    if key != "theme":
        assert loaded.theme == "nord"
    if key != "show_sidebar":
        assert loaded.show_sidebar is False


def test_an_unknown_key_is_named_and_ignored(tmp_path: Path) -> None:
    path = written(tmp_path / "config.toml", 'them = "nord"\nsort = "title"\n[colours]\naccent = "red"\n')
    loaded, lines = load(path)
    assert loaded == Settings(sort=SortKey.TITLE)
    assert lines == [f"{path}: them: unknown setting; ignored", f"{path}: colours: unknown setting; ignored"]


def test_a_hostile_key_is_quoted_and_cut_short(tmp_path: Path) -> None:
    path = written(tmp_path / "config.toml", '"\\u001b[31mred\\u202e' + "x" * 500 + '" = 1\n')
    _, lines = load(path)
    assert len(lines) == 1 and printable(lines[0]) == lines[0]
    assert lines[0].startswith(f"{path}: '\\x1b[31mred\\u202e") and lines[0].endswith("…: unknown setting; ignored")
    assert len(lines[0]) < len(str(path)) + 80


def test_a_file_full_of_problems_is_a_few_lines_not_a_flood(tmp_path: Path) -> None:
    path = written(tmp_path / "config.toml", "".join(f"typo{i} = 1\n" for i in range(500)))
    loaded, lines = load(path)
    assert loaded == Settings()
    assert len(lines) == MAX_KEY_WARNINGS + 1
    assert lines[0] == f"{path}: typo0: unknown setting; ignored"
    assert lines[-1] == f"{path}: {500 - MAX_KEY_WARNINGS} more problems not shown"


# --------------------------------------------------------------------------- the verdict vocabulary


def test_verdicts_are_lower_cased_stripped_and_deduplicated(tmp_path: Path) -> None:
    path = written(tmp_path / "config.toml", 'verdicts = ["Must-Read", " useful ", "must-read", "REPLICATE", "à-lire"]\n')
    loaded, lines = load(path)
    assert lines == []
    assert loaded.verdicts == ("must-read", "useful", "replicate", "à-lire")


def test_bad_verdicts_are_refused_by_name_and_the_good_ones_kept(tmp_path: Path) -> None:
    path = written(
        tmp_path / "config.toml", 'verdicts = ["must-read", "to read", "double--hyphen", 7, "x\\u001b", "' + "y" * 40 + '"]\n'
    )
    loaded, lines = load(path)
    assert loaded.verdicts == ("must-read",)
    assert lines == [
        f"{path}: verdicts: ignoring 'to read', 'double--hyphen', 7 and 2 more "
        "(each a word or words joined by single hyphens, at most 32 characters)"
    ]


def test_too_many_verdicts_keep_the_first(tmp_path: Path) -> None:
    words = [f"v{i}" for i in range(MAX_VERDICTS + 5)]
    path = written(tmp_path / "config.toml", f"verdicts = {words!r}\n".replace("'", '"'))
    loaded, lines = load(path)
    assert loaded.verdicts == tuple(words[:MAX_VERDICTS])
    assert lines == [f"{path}: verdicts: more than {MAX_VERDICTS}; keeping the first {MAX_VERDICTS}"]


@pytest.mark.parametrize("word", ["must-read", "Must-Read", "  useful ", "re-check-2", "à-lire"])
def test_a_verdict_word_is_normalised(word: str) -> None:
    assert normalize_verdict(word) == word.strip().lower()


@pytest.mark.parametrize("word", ["", "to read", "-lead", "trail-", "a--b", "under_score", "x\x1b", "y" * 33, "ok!"])
def test_a_verdict_that_is_no_word_is_refused(word: str) -> None:
    with pytest.raises(ValueError, match="joined by single hyphens"):
        normalize_verdict(word)


# --------------------------------------------------------------------------- key overrides


def test_key_overrides_are_read_quoted_or_dotted(tmp_path: Path) -> None:
    path = written(
        tmp_path / "config.toml",
        '[keys]\n"hub.star" = "asterisk"\nexplorer.toggle_read = "m, space"\nexplorer.note = "N"\napp.quit = "ctrl+q,*"\n',
    )
    loaded, lines = load(path)
    assert lines == []
    assert dict(loaded.keys) == {
        "hub.star": "asterisk",
        "explorer.toggle_read": "m,space",
        "explorer.note": "N",
        "app.quit": "ctrl+q,*",
    }


def test_bad_key_overrides_are_each_one_line_and_the_rest_kept(tmp_path: Path) -> None:
    path = written(
        tmp_path / "config.toml",
        '[keys]\n"hub.star" = "asterisk"\n"bad id!" = "x"\n"hub.note" = ""\n"hub.read" = "m,,space"\n"hub.mark" = 5\n'
        '"hub.open" = "ctrl + o"\n',
    )
    loaded, lines = load(path)
    assert dict(loaded.keys) == {"hub.star": "asterisk"}
    expected = "expected Textual key names separated by commas, e.g. 'm,space' or 'ctrl+s'; keeping the app's key"
    assert lines == [
        f"{path}: keys.'bad id!': unknown binding id; ignored",
        f"{path}: keys.hub.mark: {expected}",
        f"{path}: keys.hub.note: {expected}",
        f"{path}: keys.hub.open: {expected}",
        f"{path}: keys.hub.read: {expected}",
    ]


def test_key_overrides_of_ids_the_app_does_not_have_are_named(tmp_path: Path) -> None:
    path = written(tmp_path / "config.toml", '[keys]\n"hub.star" = "asterisk"\n"hub.strat" = "s"\n')
    loaded, lines = load(path, binding_ids={"hub.star", "explorer.toggle_read"})
    assert dict(loaded.keys) == {"hub.star": "asterisk"}
    assert lines == [f"{path}: keys.hub.strat: unknown binding id; ignored"]


@pytest.mark.parametrize(
    ("given", "kept"), [("m", "m"), (" m , space ", "m,space"), ("ctrl+shift+a", "ctrl+shift+a"), ("?,f1", "?,f1")]
)
def test_a_key_string_is_normalised(given: str, kept: str) -> None:
    assert normalize_key_string(given) == kept


@pytest.mark.parametrize("given", ["", "m,", "ctrl s", "ab cd", "\x1b", "ctrl+", "m\u202e"])
def test_a_key_string_that_is_no_keys_is_refused(given: str) -> None:
    with pytest.raises(ValueError, match="Textual key names"):
        normalize_key_string(given)


# --------------------------------------------------------------------------- saving


def test_save_creates_the_directory(tmp_path: Path) -> None:
    path = tmp_path / "a" / "b" / "config.toml"
    save_settings(CHANGED, path)
    assert load_settings(path, warn=no_warning) == CHANGED


def test_save_keeps_unknown_keys_but_not_comments(tmp_path: Path) -> None:
    path = written(
        tmp_path / "config.toml",
        '# my settings\ntheme = "nord"\nfuture_setting = 3\n[plugins]\nx = "y"\n[keys]\n"hub.star" = "s"\n',
    )
    loaded, _ = load(path)
    save_settings(loaded.with_changes(theme=None, keys={}), path)
    text = path.read_text()
    assert "# my settings" not in text
    assert tomllib.loads(text) == {"future_setting": 3, "plugins": {"x": "y"}}


def test_save_over_a_malformed_file_writes_the_settings(tmp_path: Path) -> None:
    path = malformed_toml(tmp_path)
    save_settings(Settings(theme="nord"), path)
    assert tomllib.loads(path.read_text()) == {"theme": "nord"}


def test_a_failed_replace_leaves_the_old_file_and_no_stray_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "config.toml"
    save_settings(Settings(theme="old"), path)
    before = path.read_bytes()

    def full(*args: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(settings_module.os, "replace", full)
    with pytest.raises(OSError, match="No space left"):
        save_settings(CHANGED, path)
    assert path.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["config.toml"]


def test_a_failed_write_leaves_the_old_file_and_no_stray_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "config.toml"
    save_settings(Settings(theme="old"), path)
    before = path.read_bytes()

    def full(fd: int) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(settings_module.os, "fsync", full)
    with pytest.raises(OSError, match="No space left"):
        save_settings(CHANGED, path)
    assert path.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["config.toml"]


def test_a_save_that_cannot_make_the_directory_raises_oserror(tmp_path: Path) -> None:
    blocker = written(tmp_path / "pithtui", "")
    with pytest.raises(OSError):
        save_settings(CHANGED, blocker / "config.toml")
    assert blocker.read_bytes() == b""


def test_save_keeps_the_files_permissions(tmp_path: Path) -> None:
    path = written(tmp_path / "config.toml", 'theme = "old"\n')
    path.chmod(0o600)
    save_settings(CHANGED, path)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_save_through_a_symlink_writes_its_target(tmp_path: Path) -> None:
    (tmp_path / "dotfiles").mkdir()
    target = written(tmp_path / "dotfiles" / "pithtui.toml", 'theme = "old"\n')
    link = tmp_path / "config.toml"
    link.symlink_to(target)
    save_settings(CHANGED, link)
    assert link.is_symlink()
    assert load_settings(target, warn=no_warning) == CHANGED


# --------------------------------------------------------------------------- where the file is


def test_config_path_honours_the_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PITHTUI_CONFIG", str(tmp_path / "other.toml"))
    assert config_path() == tmp_path / "other.toml"
    save_settings(CHANGED)
    assert (tmp_path / "other.toml").is_file()
    assert load_settings(warn=no_warning) == CHANGED


def test_config_path_defaults_to_the_user_config_directory(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("PITHTUI_CONFIG", raising=False)
    assert config_path() == platformdirs.user_config_path("pithtui") / "config.toml"
    monkeypatch.setenv("PITHTUI_CONFIG", "")
    assert config_path() == platformdirs.user_config_path("pithtui") / "config.toml"

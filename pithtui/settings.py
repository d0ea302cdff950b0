"""The reader's remembered settings: one TOML file, read by the CLI and the TUI alike.

The file lives at :func:`config_path` (``$PITHTUI_CONFIG``, else platformdirs' user config
directory). :func:`load_settings` never fails: a missing file means the defaults; a file that
cannot be read or is not TOML is one warning line and the defaults; a bad value is one warning
line naming the key, and that key alone falls back to its default. :func:`save_settings` writes
only what differs from the defaults, so a default changed in a later release reaches everyone
who never set it.

What a save keeps of a hand-edited file: top-level keys this version does not know (a newer
release's setting, or a typo the load warned about) are carried over; comments and layout are
not (the file written says so in its first line).

The layout (every key optional)::

    theme = "nord"                 # a Textual theme name; absent: Textual's default
    show_sidebar = false
    sort = "novelty"               # a SortKey value: date, novelty, title, ...
    descending = false
    mark_read_on_open = true
    verdicts = ["must-read", "useful", "disagree", "irrelevant", "replicate"]

    [keys]                         # binding id = Textual key string(s), comma-separated
    "explorer.star" = "asterisk"
    "explorer.toggle_read" = "m,space"

Only the standard library, platformdirs and tomli_w: the CLI imports this without loading Textual.
"""

from __future__ import annotations

import dataclasses
import os
import re
import secrets
import stat
import tomllib
from collections.abc import Callable, Collection, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Any

import platformdirs
import tomli_w

from pithtui.models import SortKey
from pithtui.text import printable

CONFIG_ENV = "PITHTUI_CONFIG"
"""The environment variable naming another config file (tests, a second profile)."""

MAX_CONFIG_BYTES = 1024 * 1024
"""A config file larger than this is not read: no hand-written settings come near it."""

MAX_KEY_PARTS = 16
"""A file with a longer dotted key (``a.b.c…``) is not read (see :func:`_most_dotted_parts`)."""

MAX_KEY_WARNINGS = 10
"""Warnings about single keys shown for one file; the rest are counted in one more line."""

DEFAULT_VERDICTS: tuple[str, ...] = ("must-read", "useful", "disagree", "irrelevant")
MAX_VERDICTS = 32
MAX_VERDICT_CHARS = 32

_HEADER = "# pithtui settings, rewritten when a setting is changed in the app: comments here are not kept.\n"

_VERDICT = re.compile(r"[^\W_]+(?:-[^\W_]+)*")
"""Words of letters or digits joined by single hyphens: ``must-read``, ``re-check``, ``à-lire``."""

_BINDING_ID = re.compile(r"[A-Za-z0-9_-]+(?:\.[A-Za-z0-9_-]+)*")
"""A Textual binding id as pithtui names them: ``hub.star``, ``explorer.toggle_read``."""

_KEY = re.compile(r"(?:[A-Za-z0-9_]+\+)*(?:[A-Za-z0-9_]+|[^\s,\x00-\x1f\x7f-\x9f])")
"""One Textual key: a name (``space``, ``f5``, ``asterisk``) or a single printable character,
after any modifiers (``ctrl+s``, ``shift+tab``, ``ctrl+shift+a``)."""

_SHOWN_VALUE_CHARS = 40


def _frozen_keys(keys: Mapping[str, str] | Iterable[tuple[str, str]]) -> Mapping[str, str]:
    return MappingProxyType(dict(keys))


@dataclass(frozen=True, slots=True)
class Settings:
    """What the reader chose; every field's default is what a missing config file means."""

    theme: str | None = None
    """A Textual theme name; None: Textual's default. Not checked against the themes here."""
    show_sidebar: bool = True
    sort: SortKey = SortKey.DATE
    """The explorer's and ``show``'s sort when none is given."""
    descending: bool = True
    mark_read_on_open: bool = False
    """Opening a paper's detail marks it read."""
    verdicts: tuple[str, ...] = DEFAULT_VERDICTS
    """The reader's own verdict vocabulary, each as :func:`normalize_verdict` leaves it."""
    keys: Mapping[str, str] = field(default_factory=lambda: _frozen_keys({}))
    """Key overrides: binding id → Textual key string(s), comma-separated (``App.set_keymap``)."""

    def __post_init__(self) -> None:
        # Whatever container a caller passes, the instance holds immutable ones.
        object.__setattr__(self, "sort", SortKey(self.sort))
        object.__setattr__(self, "verdicts", tuple(self.verdicts))
        if not isinstance(self.keys, MappingProxyType):
            object.__setattr__(self, "keys", _frozen_keys(self.keys))

    def with_changes(self, **changes: Any) -> Settings:
        """A copy with ``changes`` applied (the fields' names as keywords)."""
        return dataclasses.replace(self, **changes)


DEFAULTS = Settings()

_FIELDS = tuple(f.name for f in dataclasses.fields(Settings))


def config_path() -> Path:
    """``$PITHTUI_CONFIG`` when set, else ``config.toml`` in the user's config directory."""
    override = os.environ.get(CONFIG_ENV)
    if override:
        return Path(override).expanduser()
    return platformdirs.user_config_path("pithtui") / "config.toml"


def normalize_verdict(text: str) -> str:
    """``text`` as a verdict word (stripped, lower-cased); ValueError saying what one must be."""
    word = text.strip().lower()
    if not _VERDICT.fullmatch(word) or len(word) > MAX_VERDICT_CHARS:
        raise ValueError(f"a verdict is a word or words joined by single hyphens, at most {MAX_VERDICT_CHARS} characters")
    return word


def normalize_key_string(text: str) -> str:
    """Textual key string(s) with the spaces around commas dropped (``"m, space"`` → ``"m,space"``);
    ValueError when one of them is not a key name or a single character."""
    keys = [key.strip() for key in text.split(",")]
    if not all(_KEY.fullmatch(key) for key in keys):
        raise ValueError("expected Textual key names separated by commas, e.g. 'm,space' or 'ctrl+s'")
    return ",".join(keys)


# --------------------------------------------------------------------------- loading


def _shown_path(path: Path) -> str:
    """``path`` for a warning: under the home directory as ``~/…``, control characters dropped."""
    text = str(path)
    try:
        home = str(Path.home())
    except (RuntimeError, KeyError):
        home = ""
    if home and home != os.sep and (text == home or text.startswith(home + os.sep)):
        text = "~" + text[len(home) :]
    return printable(text)


def _shown(value: object) -> str:
    """A value from the file, quoted and cut short so a warning stays one short, inert line."""
    text = printable(repr(value))
    return text if len(text) <= _SHOWN_VALUE_CHARS else text[: _SHOWN_VALUE_CHARS - 1] + "…"


def _read_table(path: Path) -> dict[str, Any] | str | None:
    """The file's top-level table; None when there is no file; else why it cannot be used."""
    try:
        st = path.stat()
        if stat.S_ISDIR(st.st_mode):
            return "is a directory"
        if not stat.S_ISREG(st.st_mode):
            return "is not a regular file"
        if st.st_size > MAX_CONFIG_BYTES:
            return "is larger than 1 MiB; not read"
        with path.open("rb") as file:
            data = file.read(MAX_CONFIG_BYTES + 1)
    except FileNotFoundError:
        return None
    except OSError as error:
        return f"cannot be read ({error.strerror or type(error).__name__})"
    if len(data) > MAX_CONFIG_BYTES:
        return "is larger than 1 MiB; not read"
    try:
        text = data.decode("utf-8-sig")  # a byte-order mark, as some Windows editors write, is no error
    except UnicodeDecodeError as error:
        return f"is not UTF-8 text (byte {data[error.start]:#04x} at offset {error.start})"
    if _most_dotted_parts(text) > MAX_KEY_PARTS:
        return f"has a key of more than {MAX_KEY_PARTS} dotted parts; not read"
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        return f"is not valid TOML: {printable(str(error))}"
    except RecursionError:
        return "is nested too deeply; not read"


_QUOTED = re.compile(r'"(?:[^"\\\n]|\\.)*"|\'[^\'\n]*\'')


def _most_dotted_parts(text: str) -> int:
    """The most parts a dotted key or table header in ``text`` has (a line inside a multi-line
    string may be counted too: it can only err towards refusing). tomllib's time and memory grow
    with the square of a key's parts: 10,000 of them, 20 kB of text, take seconds and 400 MB."""
    most = 0
    for line in text.splitlines():
        line = _QUOTED.sub("", line).lstrip()
        key = line[: line.find("]")] if line.startswith("[") else line.partition("=")[0]
        most = max(most, key.count(".") + 1)
    return most


class _Bad(ValueError):
    """A value the file gives for a key cannot be used: what was expected."""


def _boolean(value: object) -> bool:
    if not isinstance(value, bool):
        raise _Bad("expected true or false")
    return value


def _theme(value: object) -> str:
    if not isinstance(value, str) or not value.strip() or printable(value) != value or len(value) > 64:
        raise _Bad('expected a theme name, e.g. "nord"')
    return value.strip()


def _sort(value: object) -> SortKey:
    if isinstance(value, str):
        try:
            return SortKey.parse(value)
        except ValueError:
            pass
    raise _Bad(f"expected one of {', '.join(key.value for key in SortKey)}")


def _verdicts(value: object, warn_key: Callable[[str, str], None]) -> tuple[str, ...]:
    if not isinstance(value, list) or not value:
        raise _Bad('expected a list of verdict words, e.g. ["must-read", "useful"]')
    words: list[str] = []
    refused: list[str] = []
    for item in value:
        try:
            if not isinstance(item, str):
                raise ValueError
            word = normalize_verdict(item)
        except ValueError:
            refused.append(_shown(item))
            continue
        if word not in words:
            words.append(word)
    if not words:
        raise _Bad(f"expected words joined by single hyphens, at most {MAX_VERDICT_CHARS} characters each")
    if refused:
        more = f" and {len(refused) - 3} more" if len(refused) > 3 else ""
        warn_key(
            "verdicts",
            f"ignoring {', '.join(refused[:3])}{more} (each a word or words joined by single hyphens, "
            f"at most {MAX_VERDICT_CHARS} characters)",
        )
    if len(words) > MAX_VERDICTS:
        warn_key("verdicts", f"more than {MAX_VERDICTS}; keeping the first {MAX_VERDICTS}")
        words = words[:MAX_VERDICTS]
    return tuple(words)


def _flattened(table: dict[str, Any]) -> Iterable[tuple[str, object]]:
    """``[keys]`` entries with their ids whole: an unquoted ``hub.star = …`` is a nested table to
    TOML, but the reader meant the binding id ``hub.star``."""
    stack: list[tuple[str, dict[str, Any]]] = [("", table)]
    while stack:
        prefix, entries = stack.pop()
        for name, value in entries.items():
            if isinstance(value, dict):
                stack.append((f"{prefix}{name}.", value))
            else:
                yield f"{prefix}{name}", value


def _keys(value: object, binding_ids: Collection[str] | None, warn_key: Callable[[str, str], None]) -> Mapping[str, str]:
    if not isinstance(value, dict):
        raise _Bad('expected a table of binding id = "key,key", e.g. [keys] "explorer.star" = "asterisk"')
    keys: dict[str, str] = {}
    for binding_id, keystring in sorted(_flattened(value)):
        name = f"keys.{_key_name(binding_id)}"
        if not _BINDING_ID.fullmatch(binding_id) or (binding_ids is not None and binding_id not in binding_ids):
            warn_key(name, "unknown binding id; ignored")
            continue
        try:
            if not isinstance(keystring, str):
                raise ValueError("expected Textual key names separated by commas, e.g. 'm,space' or 'ctrl+s'")
            keys[binding_id] = normalize_key_string(keystring)
        except ValueError as error:
            warn_key(name, f"{error}; keeping the app's key")
    return _frozen_keys(keys)


def _key_name(key: str) -> str:
    """A key from the file as a warning names it: bare when it is a plain name, else quoted."""
    return key if re.fullmatch(r"[A-Za-z0-9_.-]{1,40}", key) else _shown(key)


def _default_shown(name: str) -> str:
    default = getattr(DEFAULTS, name)
    if name == "theme":
        return "Textual's default"
    if name == "keys":
        return "the app's keys"
    if isinstance(default, bool):
        return "true" if default else "false"
    if isinstance(default, tuple):
        return ", ".join(default)
    return str(default.value if isinstance(default, SortKey) else default)


def load_settings(
    path: Path | None = None,
    *,
    warn: Callable[[str], None],
    binding_ids: Collection[str] | None = None,
) -> Settings:
    """The settings in ``path`` (default :func:`config_path`); never raises for the file's sake.

    ``warn`` gets one line for a file that cannot be used (everything then takes its default),
    else one line per bad or unknown key (that key alone takes its default). With
    ``binding_ids`` (the ids the app's bindings have), an override of any other id is warned
    about and dropped; without, every well-formed id is kept."""
    path = config_path() if path is None else path
    where = _shown_path(path)
    table = _read_table(path)
    if table is None:
        return DEFAULTS
    if isinstance(table, str):
        warn(f"{where}: {table}; using the default settings")
        return DEFAULTS

    problems: list[str] = []

    def warn_key(key: str, message: str) -> None:
        problems.append(f"{where}: {key}: {message}")

    values: dict[str, Any] = {}
    for key, value in table.items():
        try:
            if key in ("show_sidebar", "descending", "mark_read_on_open"):
                values[key] = _boolean(value)
            elif key == "theme":
                values[key] = _theme(value)
            elif key == "sort":
                values[key] = _sort(value)
            elif key == "verdicts":
                values[key] = _verdicts(value, warn_key)
            elif key == "keys":
                values[key] = _keys(value, binding_ids, warn_key)
            else:
                warn_key(_key_name(key), "unknown setting; ignored")
        except _Bad as error:
            warn_key(key, f"{error}; using {_default_shown(key)}")
    for line in problems[:MAX_KEY_WARNINGS]:
        warn(line)
    if len(problems) > MAX_KEY_WARNINGS:
        warn(f"{where}: {len(problems) - MAX_KEY_WARNINGS} more problems not shown")
    return Settings(**values)


# --------------------------------------------------------------------------- saving


def _as_toml(settings: Settings) -> dict[str, Any]:
    """The keys whose value differs from the default, in the fields' order."""
    table: dict[str, Any] = {}
    for name in _FIELDS:
        value = getattr(settings, name)
        if value == getattr(DEFAULTS, name):
            continue
        if name == "sort":
            table[name] = value.value
        elif name == "verdicts":
            table[name] = list(value)
        elif name == "keys":
            table[name] = dict(sorted(value.items()))
        else:
            table[name] = value
    return table


def _unknown_entries(path: Path) -> dict[str, Any]:
    """The top-level keys of the file now at ``path`` that are no setting of this version."""
    table = _read_table(path)
    if not isinstance(table, dict):
        return {}
    return {key: value for key, value in table.items() if key not in _FIELDS}


def save_settings(settings: Settings, path: Path | None = None) -> None:
    """Write ``settings`` to ``path`` (default :func:`config_path`), creating its directory.

    Only values that differ from the defaults are written; unknown top-level keys already in the
    file are kept, comments are not. The file is replaced atomically (a temporary file in the
    same directory, then ``os.replace``): a failed write raises OSError and leaves the old file
    as it was. A symlinked config file is written through to its target."""
    path = config_path() if path is None else path
    target = Path(os.path.realpath(path))
    table = _as_toml(settings)
    try:
        text = tomli_w.dumps(table | _unknown_entries(target))
    except (TypeError, ValueError, RecursionError):  # nothing tomllib reads should fail here: but never lose the save
        text = tomli_w.dumps(table)
    text = _HEADER + text

    target.parent.mkdir(parents=True, exist_ok=True)
    temporary = target.with_name(f".{target.name}.{secrets.token_hex(6)}.tmp")
    # O_EXCL: never write through someone's file or link; 0o666 lets the umask decide, as for any new file.
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as file:
            file.write(text)
            file.flush()
            os.fsync(file.fileno())
        try:
            os.chmod(temporary, stat.S_IMODE(target.stat().st_mode))
        except FileNotFoundError:
            pass
        os.replace(temporary, target)
    except BaseException:
        try:
            os.unlink(temporary)
        except OSError:
            pass
        raise

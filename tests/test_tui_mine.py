"""The reader's own layer in the TUI, driven as a user would: stars, read marks, notes, verdicts
of their own, filters on them, saved views and remembered settings.

Against a fresh store holding the sample hub (8 citing papers) and a settings file of the
test's own (``PITHTUI_CONFIG``, test_tui_app's ``own_config``), so nothing here reads or writes
the user's.
"""

from __future__ import annotations

import os
import re
import stat
import subprocess
import sys
from pathlib import Path

import pytest
import test_tui_app
from rich.style import Style
from scenes import sample_store, settle
from test_tui_app import eventually, explorer, headless, notes, opened, screen_text, showing, table_lines, tick

from pithtui.models import Filters, SavedView, SortKey
from pithtui.settings import load_settings
from pithtui.sources.sample import SAMPLE_REF
from pithtui.store import HubRepository, open_repository
from pithtui.tui.screens.detail import DetailScreen
from pithtui.tui.screens.help import HelpScreen
from pithtui.tui.screens.hub import HubScreen
from pithtui.tui.screens.mine import EditorFailed, NoteScreen, VerdictScreen, edit_in_editor
from pithtui.tui.screens.views import ViewsScreen

SAMPLE_ROWS = 8

# test_tui_app's fixtures, here too: the sample store, and the settings file (own_config, for
# every test here) that is each test's own, never the user's.
own_config = test_tui_app.own_config
sample = test_tui_app.sample


def write_config(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def marks_cells(app, index: int = 0) -> str:
    """The two cells of the marks column of row ``index`` (0: the first row)."""
    return table_lines(app, marks=True)[1 + index][:2]


def row_is_bold(app, index: int = 0) -> bool:
    """Whether row ``index`` is drawn in bold (moving the cursor off it first, as the cursor's
    own style is bold)."""
    strip = explorer(app).render_line(1 + index)
    styles = [segment.style or Style() for segment in strip if segment.text.strip()]
    return all(style.bold for style in styles)


def yours_count(app, label: str) -> int:
    """The count the sidebar's "yours" lists give ``label`` (starred, unread, noted, a verdict)."""
    found = re.search(rf"\[[ x]\] {re.escape(label)}  (\d+)", screen_text(app))
    assert found, screen_text(app)
    return int(found[1])


def current_id(app) -> int:
    row = explorer(app).current_row
    assert row is not None and row.paper.id is not None
    return row.paper.id


# ------------------------------------------------------------------ marks from the keys


@headless
async def test_a_star_shows_in_the_row_and_the_sidebar_counts_it(sample: HubRepository) -> None:
    async with opened(sample) as (app, pilot):
        assert marks_cells(app) == "  " and yours_count(app, "starred") == 0
        await pilot.press("asterisk")
        await settle(pilot)
        assert marks_cells(app) == "★ "
        assert yours_count(app, "starred") == 1
        assert sample.mine(current_id(app)).starred
        assert showing(app) == (SAMPLE_ROWS, SAMPLE_ROWS)  # the rows stay where they were
        await pilot.press("asterisk")
        await settle(pilot)
        assert marks_cells(app) == "  " and yours_count(app, "starred") == 0


@headless
async def test_read_toggles_with_m_and_space_unread_rows_are_bold(sample: HubRepository) -> None:
    async with opened(sample) as (app, pilot):
        await pilot.press("j")  # the cursor (bold of its own) off the second row
        assert row_is_bold(app, 1) and yours_count(app, "unread") == SAMPLE_ROWS
        await pilot.press("k", "m", "j")
        await settle(pilot)
        assert not row_is_bold(app, 0) and row_is_bold(app, 1)
        assert yours_count(app, "unread") == SAMPLE_ROWS - 1
        await pilot.press("k", "space", "j")
        await settle(pilot)
        assert row_is_bold(app, 0) and yours_count(app, "unread") == SAMPLE_ROWS


@headless
async def test_a_note_written_in_the_dialog_shows_in_the_row_and_the_detail_as_text(sample: HubRepository) -> None:
    async with opened(sample) as (app, pilot):
        await pilot.press("N")
        await settle(pilot)
        assert isinstance(app.screen, NoteScreen)
        await pilot.press(*"Why it matters", "enter", *"[bold]not markup[/]")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, HubScreen)
        assert marks_cells(app) == " ✎" and yours_count(app, "noted") == 1
        await pilot.press("N", *" more", "escape")  # escape keeps the note as it was
        await settle(pilot)
        assert sample.mine(current_id(app)).note == "Why it matters\n[bold]not markup[/]"
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, DetailScreen)
        text = screen_text(app)
        assert "not starred · unread · no verdict of yours" in text
        assert re.search(r"Why it matters *\n *\[bold\]not markup\[/\]", text), text


@headless
async def test_a_verdict_of_your_own_from_your_vocabulary(sample: HubRepository, own_config: Path) -> None:
    write_config(own_config, 'verdicts = ["must-read", "useful", "replicate"]\n')
    async with opened(sample) as (app, pilot):
        assert yours_count(app, "replicate") == 0
        await pilot.press("y")
        await settle(pilot)
        assert isinstance(app.screen, VerdictScreen)
        assert "clear your verdict" in screen_text(app)
        await pilot.press("G", "k", "enter")  # the last verdict, above "clear"
        await settle(pilot)
        assert marks_cells(app) == " r" and yours_count(app, "replicate") == 1
        await pilot.press("enter")
        await settle(pilot)
        assert "your verdict: replicate" in screen_text(app)
        await pilot.press("escape", "y", "G", "enter")  # clear it
        await settle(pilot)
        assert marks_cells(app) == "  " and yours_count(app, "replicate") == 0


@headless
async def test_filters_on_your_marks_combine_with_the_others_and_agree_with_the_count(sample: HubRepository) -> None:
    hub = sample.resolve(SAMPLE_REF).id
    async with opened(sample) as (app, pilot):
        await pilot.press("asterisk", "j", "asterisk", "m", "j", "j", "y", "j", "enter")  # two starred, one read, one useful
        await settle(pilot)
        await tick(pilot, "mine", "starred")
        assert showing(app) == (2, SAMPLE_ROWS)
        rows = [line for line in table_lines(app, marks=True)[1:] if line.strip()]
        assert len(rows) == 2 and all(row.startswith("★") for row in rows)
        await tick(pilot, "mine", "unread")  # and unread: the one starred and not read
        assert showing(app) == (1, SAMPLE_ROWS) == (sample.count(hub, app.screen.filters), SAMPLE_ROWS)
        await tick(pilot, "mine", "starred")
        await tick(pilot, "mine", "unread")
        await tick(pilot, "my-verdict", "useful")
        assert showing(app) == (1, SAMPLE_ROWS)
        assert marks_cells(app) == " u"
        assert app.screen.filters == Filters(my_verdicts=frozenset({"useful"}))
        await tick(pilot, "my-verdict", "useful")
        await tick(pilot, "mine", "unread")
        await tick(pilot, "category", "cs.CL")
        filters = app.screen.filters
        assert filters.mine == {"unread"} and filters.categories == {"cs.CL"}
        assert showing(app)[0] == sample.count(hub, filters) == len([line for line in table_lines(app)[1:] if line])


@headless
async def test_unmarking_under_a_filter_on_that_mark_lists_the_rows_again(sample: HubRepository) -> None:
    async with opened(sample) as (app, pilot):
        await pilot.press("asterisk", "j", "asterisk")
        await settle(pilot)
        await tick(pilot, "mine", "starred")
        assert showing(app) == (2, SAMPLE_ROWS)
        explorer(app).focus()
        await pilot.press("g", "asterisk")
        await settle(pilot)
        assert showing(app) == (1, SAMPLE_ROWS) and yours_count(app, "starred") == 1


@headless
async def test_a_read_only_store_refuses_a_mark_in_one_notification_and_browsing_goes_on(tmp_path: Path) -> None:
    sample_store(tmp_path).close()
    repo = open_repository(f"sqlite:///file:{tmp_path / 'sample.db'}?mode=ro&uri=true")
    try:
        async with opened(repo) as (app, pilot):
            await pilot.press("asterisk")
            await settle(pilot)
            refused = [note for note in notes(app) if "read-only" in note]
            assert len(refused) == 1 and "\n" not in refused[0]
            assert marks_cells(app) == "  "
            await pilot.press("j", "enter")
            await settle(pilot)
            assert isinstance(app.screen, DetailScreen)
            await pilot.press("escape")
            await tick(pilot, "category", "cs.CL")
            assert showing(app) == (6, SAMPLE_ROWS)
    finally:
        repo.close()


# ------------------------------------------------------------------ the detail


@headless
async def test_opening_a_detail_marks_it_read_when_the_settings_say_so(sample: HubRepository, own_config: Path) -> None:
    write_config(own_config, "mark_read_on_open = true\n")
    async with opened(sample) as (app, pilot):
        await pilot.press("j", "enter")
        await settle(pilot)
        assert "not starred · read · no verdict of yours" in screen_text(app)
        await pilot.press("escape")
        await settle(pilot)
        await pilot.press("k")
        assert not row_is_bold(app, 1) and yours_count(app, "unread") == SAMPLE_ROWS - 1


@headless
async def test_without_the_setting_a_detail_leaves_the_paper_unread(sample: HubRepository) -> None:
    async with opened(sample) as (app, pilot):
        await pilot.press("enter")
        await settle(pilot)
        assert "not starred · unread" in screen_text(app)
        assert isinstance(app.screen, DetailScreen) and not sample.mine(app.screen.paper_id).read


# ------------------------------------------------------------------ $EDITOR


def editor_script(tmp_path: Path, body: str) -> str:
    script = tmp_path / "editor.py"
    script.write_text(f"import sys\npath = sys.argv[1]\n{body}\n", encoding="utf-8")
    return f"{sys.executable} {script}"


def test_the_editor_edits_the_note_in_a_file(tmp_path: Path) -> None:
    appends = editor_script(tmp_path, "open(path, 'a').write(' and more\\n')")
    assert edit_in_editor("a note", appends) == "a note and more"
    unchanged = editor_script(tmp_path, "open(path, 'a').write('\\n')")
    assert edit_in_editor("a note", unchanged) is None  # an editor's final newline changes nothing
    with pytest.raises(EditorFailed, match="exited with status 3"):
        edit_in_editor("a note", editor_script(tmp_path, "open(path, 'w').write('lost'); sys.exit(3)"))
    with pytest.raises(EditorFailed, match="cannot run"):
        edit_in_editor("a note", str(tmp_path / "no-such-editor"))


@headless
async def test_with_editor_set_but_no_terminal_to_hand_over_the_dialog_opens(sample: HubRepository, monkeypatch) -> None:
    monkeypatch.setenv("EDITOR", "vi")
    async with opened(sample) as (app, pilot):
        await pilot.press("N")
        await settle(pilot)
        assert isinstance(app.screen, NoteScreen)


# ------------------------------------------------------------------ saved views


@headless
async def test_a_saved_view_is_recalled_from_the_list_and_the_palette_and_deleted(sample: HubRepository) -> None:
    hub = sample.resolve(SAMPLE_REF).id
    async with opened(sample) as (app, pilot):
        await tick(pilot, "category", "cs.CL")
        app.screen.query_one("#min-novelty").focus()
        await pilot.press("6", "enter", "escape")
        await pilot.press("s", "r")  # by novelty, ascending
        await settle(pilot)
        wanted = showing(app)
        assert "sorted by novelty, ascending" in screen_text(app)
        await pilot.press("v")
        await settle(pilot)
        await pilot.press(*"CL novel", "enter")
        await eventually(pilot, lambda: any("Saved the view 'CL novel' for this hub" in note for note in notes(app)))
        assert sample.saved_views(hub) == [
            SavedView("CL novel", Filters(categories=frozenset({"cs.CL"}), min_novelty=6.0), SortKey.NOVELTY, False, hub)
        ]
        await pilot.press("x", "s", "r")
        await settle(pilot)
        assert showing(app) == (SAMPLE_ROWS, SAMPLE_ROWS)
        await pilot.press("V")
        await settle(pilot)
        assert isinstance(app.screen, ViewsScreen) and "CL novel  · this hub" in screen_text(app)
        await pilot.press("enter")
        await settle(pilot)
        assert showing(app) == wanted and "sorted by novelty, ascending" in screen_text(app)
        assert app.screen.query_one("#min-novelty").value == "6"
        assert app.screen.query_one("#facet-category").chosen == {"cs.CL"}
        await pilot.press("x")
        await settle(pilot)
        await pilot.press("ctrl+p", *"View: CL")
        await eventually(pilot, lambda: "View: CL novel" in screen_text(app))
        await pilot.press("enter")
        await settle(pilot)
        assert showing(app) == wanted
        await pilot.press("V", "d")
        await settle(pilot)
        assert "No saved views yet" in screen_text(app)
        assert sample.saved_views(hub) == []
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, HubScreen) and showing(app) == wanted


@headless
async def test_a_view_for_every_hub_is_kept_without_a_hub(sample: HubRepository) -> None:
    async with opened(sample) as (app, pilot):
        await tick(pilot, "mine", "unread")
        await pilot.press("v")
        await settle(pilot)
        await pilot.press(*"to read", "tab", "j", "enter")
        await eventually(pilot, lambda: any("for every hub" in note for note in notes(app)))
    assert sample.saved_views(None) == [SavedView("to read", Filters(mine=frozenset({"unread"})), hub_id=None)]


# ------------------------------------------------------------------ settings


@headless
async def test_the_settings_file_gives_theme_sort_sidebar_and_keys(sample: HubRepository, own_config: Path) -> None:
    write_config(
        own_config,
        'theme = "nord"\nsort = "title"\ndescending = false\nshow_sidebar = false\n'
        '[keys]\n"explorer.star" = "z"\n"hub.save_view" = "ctrl+w"\n',
    )
    async with opened(sample) as (app, pilot):
        assert app.theme == "nord"
        assert not app.screen.query_one("#sidebar").display
        assert "sorted by title, ascending" in screen_text(app)
        assert "title▲" in table_lines(app)[0]
        assert "z Star" in screen_text(app)  # the footer
        await pilot.press("z")
        await settle(pilot)
        assert marks_cells(app) == "★ "
        await pilot.press("asterisk")  # no longer the star's key
        await settle(pilot)
        assert marks_cells(app) == "★ "
        await pilot.press("question_mark")
        assert isinstance(app.screen, HelpScreen)
        assert re.search(r"\bz +Star\b", screen_text(app)) and re.search(r"\^w +Save the filters", screen_text(app))
        assert not notes(app)
    assert own_config.read_text(encoding="utf-8").startswith('theme = "nord"')  # read, not rewritten


@headless
async def test_toggling_the_sidebar_and_choosing_a_theme_are_remembered(sample: HubRepository, own_config: Path) -> None:
    async with opened(sample) as (app, pilot):
        assert not own_config.exists()
        await pilot.press("f")  # shown already: to the filters, nothing changes
        await settle(pilot)
        assert not own_config.exists()
        await pilot.press("f")
        await settle(pilot)
        assert load_settings(own_config, warn=pytest.fail).show_sidebar is False
        app.theme = "gruvbox"
        await settle(pilot)
        saved = load_settings(own_config, warn=pytest.fail)
        assert saved.theme == "gruvbox" and saved.show_sidebar is False
    async with opened(sample) as (app, pilot):
        assert app.theme == "gruvbox" and not app.screen.query_one("#sidebar").display


@headless
async def test_a_malformed_settings_file_is_a_notification_and_the_defaults(sample: HubRepository, own_config: Path) -> None:
    write_config(own_config, 'theme = "nord\nsort = 3\n')
    async with opened(sample) as (app, pilot):
        warned = [note for note in notes(app) if "config.toml" in note]
        assert len(warned) == 1 and "is not valid TOML" in warned[0] and "using the default settings" in warned[0]
        assert app.theme == "textual-dark" and "sorted by date, descending" in screen_text(app)


@headless
async def test_bad_keys_in_the_settings_are_named_each_in_a_notification(sample: HubRepository, own_config: Path) -> None:
    write_config(own_config, 'theme = "no-such-theme"\nsort = "size"\n[keys]\n"hub.nothing" = "z"\n')
    async with opened(sample) as (app, pilot):
        warned = [note for note in notes(app) if "config.toml" in note]
        assert any("keys.hub.nothing: unknown binding id" in note for note in warned), warned
        assert any("sort: expected one of" in note for note in warned), warned
        assert any("theme: no theme is called 'no-such-theme'" in note for note in warned), warned
        assert app.theme == "textual-dark" and showing(app) == (SAMPLE_ROWS, SAMPLE_ROWS)


@headless
async def test_a_settings_file_that_cannot_be_written_is_one_notification(sample: HubRepository, monkeypatch, tmp_path) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    monkeypatch.setenv("PITHTUI_CONFIG", str(blocker / "config.toml"))
    async with opened(sample) as (app, pilot):
        await pilot.press("f", "f")
        await eventually(pilot, lambda: any("Settings not saved" in note for note in notes(app)))
        assert len([note for note in notes(app) if "Settings not saved" in note]) == 1
        assert stat.S_ISREG(blocker.stat().st_mode)


def test_the_app_starts_without_the_screens_it_does_not_show_unless_keys_are_overridden(tmp_path: Path) -> None:
    """Checking a key override's binding id imports every screen; a file without ``[keys]``
    (or no file) never pays for that before the first frame."""
    code = "import sys; from pithtui.tui.app import PithApp; PithApp(None); print('pithtui.tui.screens.detail' in sys.modules)"
    for text, imported in (("", "False"), ('[keys]\n"explorer.star" = "z"\n', "True")):
        path = tmp_path / f"{imported}.toml"
        path.write_text(text, encoding="utf-8")
        env = {**os.environ, "PITHTUI_CONFIG": str(path)}
        result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, env=env)
        assert result.stdout.strip() == imported, result.stderr

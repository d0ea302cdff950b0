"""How the tests see pithtui refuse a store: the one-line error, and file permissions that
hold even for root (the tests run as root in CI)."""

from __future__ import annotations

import os
import shutil
import subprocess

import pytest

from pithtui.errors import StoreError
from pithtui.store import open_repository


def assert_refused(url: str, *fragments: str) -> None:
    """Opening ``url`` fails with a StoreError of one line that says each of ``fragments``."""
    with pytest.raises(StoreError) as caught:
        open_repository(url)
    message = str(caught.value)
    assert "\n" not in message
    for fragment in fragments:
        assert fragment in message, message


def unprivileged() -> tuple[str, ...]:
    """A command prefix under which file permissions apply: nothing for a normal user; for root,
    a new user namespace (root there is not root over the files outside)."""
    if os.geteuid() != 0:
        return ()
    probe = subprocess.run(["unshare", "--user", "true"], capture_output=True, check=False) if shutil.which("unshare") else None
    if probe is None or probe.returncode != 0:
        pytest.skip("running as root and cannot drop the right to override file permissions (unshare --user)")
    return ("unshare", "--user")

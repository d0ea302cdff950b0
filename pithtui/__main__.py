"""``python -m pithtui``: the same as the ``pithtui`` command."""

from pithtui.cli import main

raise SystemExit(main())

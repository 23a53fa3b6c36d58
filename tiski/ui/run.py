"""`tiski` with no command: open the desk. The only way from the shells into Textual."""

from __future__ import annotations

from ..core.errors import invalid
from ..shell import State


def open_desk_tui(state: State) -> None:
    desk = state.desk()  # refuses a missing database, an unknown branch
    from .app import TiskiApp  # its constructor refuses a register with no branch yet

    app = TiskiApp(desk, settings=state.settings, clock_is_fixed=state.settings.clock_frozen)
    try:
        app.run()
    finally:
        desk.close()  # refreshes the query planner's statistics (PRAGMA optimize)
    if app.return_code not in (None, 0):  # the desk ended on an error (its kind, never its text)
        raise invalid("internal", problem=app.stopped_by or str(app.return_code))

"""dockhand: the warehouse core for Python scripts and support tools.

Everything is the generated binding (``dockhand.dockhand_ffi``, made by scripts/bindings.sh from the
library it ships with): ``Device`` for one handheld's database, ``SyncClient`` for sync, records and
enums named for the warehouse, and ``DockhandError`` whose variants say what to do about a failure.
"""
from .dockhand_ffi import *  # noqa: F401,F403

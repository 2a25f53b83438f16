"""dockhand: the warehouse core for Python scripts and support tools.

Everything is the generated binding (``dockhand.dockhand_ffi``, made by scripts/bindings.sh from the
library it ships with): ``Device`` for one handheld's database, ``SyncClient`` for sync, records and
enums named for the warehouse, and ``DockhandError`` whose variants say what to do about a failure.
"""
from .dockhand_ffi import *  # noqa: F401,F403

import dataclasses as _dataclasses

from . import dockhand_ffi as _ffi


def _readable_repr() -> None:
    """Records print their fields with ``str()``; ``repr()`` (the REPL, lists, logs) says the same.

    The generated records are dataclasses without annotated fields, whose own ``repr()`` would
    print ``Receipt()``. Objects that hold a secret (``IssuedToken``) define their own text, which
    never shows it.
    """
    for name in dir(_ffi):
        cls = getattr(_ffi, name)
        if (isinstance(cls, type) and "__str__" in cls.__dict__
                and _dataclasses.is_dataclass(cls) and not _dataclasses.fields(cls)):
            cls.__repr__ = cls.__str__


_readable_repr()

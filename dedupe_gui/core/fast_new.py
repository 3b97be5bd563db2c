"""Frozen dataclasses made from all their fields at a fraction of ``__init__``'s cost.

A frozen dataclass's ``__init__`` sets each field through ``object.__setattr__`` looked up
on every call; for a 13-field ``Fingerprint`` that is most of the cost of making one. A
rescan that reads back 70,000 grouped files makes a ``FileKey``, a ``Fingerprint``, an
``ImageRecord`` and a ``GroupMember`` for each, and those objects were a third of it. The
function ``positional`` returns sets the slots directly, as ``__init__`` would: the same
object, compared, hashed and pickled as one made by ``cls(*values)``.

Only for slotted frozen dataclasses, every field given in order. ``__post_init__`` is not
run: a caller passes values it would leave as they are (``Fingerprint``'s turned and window
hashes already packed as ``Hashes``).
"""

from __future__ import annotations

import dataclasses
import keyword
from collections.abc import Callable
from typing import Any, TypeVar

_T = TypeVar("_T")


def positional(cls: type[_T]) -> Callable[..., _T]:
    """``make(*values)``: an instance of ``cls`` with its fields, in order, set to
    ``values`` (all of them, no defaults), without calling ``__init__``."""
    params = getattr(cls, "__dataclass_params__", None)
    if params is None or not params.frozen or "__slots__" not in cls.__dict__:
        raise TypeError(f"{cls.__name__} is not a frozen dataclass with slots")
    names = [f.name for f in dataclasses.fields(cls)]  # type: ignore[arg-type]
    if not all(n.isidentifier() and not keyword.iskeyword(n) for n in names):
        raise TypeError(f"{cls.__name__} has a field that is not a plain name")
    space: dict[str, Any] = {"_new": object.__new__, "_cls": cls}
    for i, name in enumerate(names):
        space[f"_set{i}"] = cls.__dict__[name].__set__  # the slot's own descriptor
    args = ", ".join(f"v{i}" for i in range(len(names)))
    body = "".join(f"    _set{i}(o, v{i})\n" for i in range(len(names)))
    # Generated as dataclasses generates __init__: one straight-line function a class.
    exec(f"def make({args}):\n    o = _new(_cls)\n{body}    return o\n", space)
    make: Callable[..., _T] = space["make"]
    make.__doc__ = f"A {cls.__name__} of all its fields in order, as {cls.__name__}(*values)."
    return make

"""The files a command is told to write (`--output`): one check and one way of writing them.

Every command that writes a file refuses the same bad paths with the same plain sentence, before
any long work: a folder, a folder that does not exist (a typo, or a USB stick that is not
mounted, must not quietly create folders on the server's disk), a folder we may not write in,
the wrong extension, or one of its own input files. The file is then written under a temporary
name beside the target and moved into place, so a failure never leaves half a file behind, and
it gets the permissions a plain open() would give (0666 less the umask), not a temporary file's
private 0600: a colleague or a Samba share must be able to open a filled form.

No Django import: the pure engines (sheets, textclass) use this module as well.
"""

from __future__ import annotations

import contextlib
import os
import secrets
from collections.abc import Iterator, Sequence
from pathlib import Path

from qingzhuang.core.errors import InvalidInput
from qingzhuang.i18n import gettext, join_list

PathLike = str | os.PathLike[str]


class OutputPathError(InvalidInput, ValueError):
    """A bad output path. Also a ValueError, which is what the pure engines' callers catch."""


def output_path_check(
    path: PathLike,
    *,
    example: str,
    suffixes: Sequence[str] = (),
    inputs: Sequence[PathLike] = (),
    parent_must_exist: bool = True,
) -> Path:
    """Refuse, in one plain sentence, an output path that the write would fail on or get wrong.

    ``example`` is a file name to suggest ("out.xlsx"); ``suffixes`` the endings allowed
    (".tar.gz" works too), none meaning any; ``inputs`` the files being read, which the output
    must not replace. ``parent_must_exist=False`` is for callers that write into a folder they
    create themselves. Returns the path.
    """
    target = Path(path)
    if target.is_dir() or str(path).endswith(("/", os.sep)):
        raise OutputPathError(
            gettext("输出路径是一个文件夹，请给出文件名，例如 %(example)s") % {"example": example}
        )
    parent = target.parent
    if parent_must_exist:
        if not parent.exists():
            raise OutputPathError(
                gettext("输出文件所在的文件夹不存在：%(folder)s，请先建好文件夹或换一个路径")
                % {"folder": parent}
            )
        if not parent.is_dir():
            raise OutputPathError(
                gettext("“%(folder)s”是一个文件，不是文件夹，请换一个输出路径") % {"folder": parent}
            )
        if not os.access(parent, os.W_OK | os.X_OK):
            raise OutputPathError(
                gettext("没有权限在文件夹 %(folder)s 中写文件，请换一个输出路径")
                % {"folder": parent}
            )
        if target.exists() and not os.access(target, os.W_OK):
            raise OutputPathError(
                gettext("没有权限改写文件 %(path)s，请换一个输出路径") % {"path": target}
            )
    if suffixes and not target.name.lower().endswith(tuple(s.lower() for s in suffixes)):
        raise OutputPathError(
            gettext("输出文件名应以 %(suffixes)s 结尾，例如 %(example)s")
            % {"suffixes": join_list(suffixes), "example": example}
        )
    resolved = target.resolve()
    if any(resolved == Path(p).resolve() for p in inputs):
        raise OutputPathError(gettext("输出文件不能和输入文件相同，请换一个文件名"))
    return target


@contextlib.contextmanager
def atomic_output(path: PathLike) -> Iterator[Path]:
    """Yield an empty temporary file beside ``path``; it replaces ``path`` if the block succeeds.

    Write to the yielded path (by name: it may be reopened, truncated, handed to a library).

    The temporary file is created with mode 0666 so that the kernel applies the umask (0644 with
    the usual 022), unlike mkstemp's 0600. It is removed when the block fails.
    """
    target = Path(path)
    while True:
        # hidden, and ending like the target: writers that go by the extension still work
        tmp = target.with_name(f".qz-{secrets.token_hex(6)}-{target.name}")
        try:
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
        except FileExistsError:  # pragma: no cover - 48 random bits
            continue
        os.close(fd)
        break
    try:
        yield tmp
        os.replace(tmp, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise

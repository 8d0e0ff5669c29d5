"""``chainrule examples [--out DIR]``: the example files the README and the docs use, copied out of
the installed package into a folder (default ``examples``), so every command there works from any
folder after ``pip install chainrule``."""

from __future__ import annotations

# the files shipped in chainrule/examples/, and what each is for
FILES = {
    "net.json": "the seed's 2-2-2 network as a network file (explain, check --network, diagram, serve)",
    "seed1.txt": "the first published version of the seed, every number as an answer sheet (check)",
    "seed2.txt": "the second published version, as an answer sheet (check)",
    "seed3.txt": "the third published version, in its own names (check)",
    "mnist-784-32-10.json": "a 784-32-10 network with one handwritten digit (explain --neuron h12)",
    "iris.csv": "Fisher's iris flowers, 150 rows with a species column (train, evaluate)",
    "new-flowers.csv": "three flowers without their species (predict)",
}


def add_parser(sub) -> None:
    p = sub.add_parser(
        "examples",
        help="copy the example files the README and the docs use into a folder (default examples/)",
        description="Copy the example files that come with chainrule (a network file, the published "
        "seeds' answer sheets, a CSV data set) into a folder, so that the commands of the README and "
        "the docs, such as 'chainrule explain examples/net.json', work from any folder. A file already "
        "there with the same contents is kept; one with other contents is not replaced without --force.",
    )
    p.add_argument("--out", default="examples", metavar="DIR", help="folder to write into (default examples)")
    p.add_argument("--force", action="store_true", help="replace files in the folder that differ from the originals")
    p.set_defaults(run=run)


def run(args) -> int:
    from pathlib import Path

    from ..errors import ConfigError
    from ..io.atomic import check_output, check_output_folder, write_bytes

    folder = Path(args.out)
    check_output_folder(folder, "--out")
    originals = {name: _packaged(name) for name in FILES}
    differ = [name for name, data in originals.items() if _there(folder / name) not in (None, data)]
    if differ and not args.force:
        raise ConfigError(
            f"{folder} already holds {', '.join(differ)} with other contents; not replacing them without "
            "--force (or choose another --out)"
        )
    folder.mkdir(parents=True, exist_ok=True)
    written = [name for name, data in originals.items() if _there(folder / name) != data]
    width = max(len(str(folder / name)) for name in FILES)
    for name in written:
        check_output(folder / name, "--out")
        write_bytes(folder / name, originals[name])
        print(f"{str(folder / name):<{width}}  {FILES[name]}")
    if not written:
        print(f"{folder}: the {len(FILES)} example files are there already")
    return 0


def _packaged(name: str) -> bytes:
    """One example file's bytes, from the installed package (a wheel, an sdist or a clone alike)."""
    from importlib.resources import files

    return files("chainrule").joinpath("examples", name).read_bytes()


def _there(path) -> bytes | None:
    """The bytes of a regular file at ``path``; None when nothing is there."""
    if not path.exists() and not path.is_symlink():
        return None
    if not path.is_file():
        return b""  # a folder, a dangling link, a FIFO: never equal to an original (and never read)
    try:
        return path.read_bytes()
    except OSError:
        return b""  # unreadable: never equal to an original

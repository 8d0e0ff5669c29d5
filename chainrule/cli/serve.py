"""``chainrule serve [NETWORK.json]``: the interactive page on a local web server (or ``--export`` it)."""

from __future__ import annotations


def add_parser(sub) -> None:
    p = sub.add_parser(
        "serve",
        help="watch a network learn in your browser: a local page, every number clickable",
        description="Start a local web page that shows the network learning: step through one update "
        "phase by phase, play/pause training, click any number to see how it was computed, edit "
        "weights, inputs and layers. Needs the web extra: pip install 'chainrule[web]'. "
        "Without NETWORK, the seed's 2-2-2 network.",
    )
    p.add_argument("network", nargs="?", metavar="NETWORK", help="a network file (JSON or TOML); default: the seed")
    p.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1: this machine only)")
    p.add_argument("--port", type=int, default=8000, help="port (default 8000; 0 picks a free one)")
    p.add_argument(
        "--export",
        metavar="PAGE.html",
        help="instead of serving, write one self-contained page that replays a recorded run",
    )
    p.add_argument(
        "--iterations",
        type=int,
        default=10_000,
        metavar="N",
        help="with --export: how many updates the recorded run has (default 10000)",
    )
    p.set_defaults(run=run)


def _spec(path):
    if path is None:
        return None
    from ..io.network_file import read_network_file
    from ..web.page_limits import MAX_PAGE_LAYERS, MAX_PAGE_NEURONS, MAX_PAGE_SAMPLES
    from ..web.security import precheck_spec

    def drawable(sizes):
        precheck_spec({"layers": sizes}, MAX_PAGE_LAYERS, MAX_PAGE_NEURONS, MAX_PAGE_SAMPLES)

    return read_network_file(path, check_sizes=drawable).spec


def run(args) -> int:
    """Serve the page (or, with ``--export``, write the replaying page); 0 on success."""
    from ..errors import ConfigError

    if not 0 <= args.port <= 65535:
        raise ConfigError(f"--port must be from 0 to 65535, not {args.port}")
    if args.export:
        from ..io.atomic import check_outputs

        check_outputs({"--export": args.export}, {"NETWORK": args.network})
    spec = _spec(args.network)
    if args.export:
        return _export(spec, args.export, args.iterations)
    try:
        import uvicorn

        from ..web.app import create_app
    except ImportError as exc:
        raise ConfigError(
            f"the page needs the web extra ({exc.name} is missing): pip install 'chainrule[web]'"
        ) from None
    from ..web.security import uvicorn_settings

    app = create_app(spec, host=args.host)  # guarded: Host/Origin checks, bounded bodies and work
    sock = _listen(args.host, args.port)
    _announce(args.host, sock.getsockname()[1], app.state.store.initial_spec["layers"])
    config = uvicorn.Config(
        app, log_level="warning", access_log=False, timeout_graceful_shutdown=2, **uvicorn_settings()
    )  # header deadline, connection cap
    uvicorn.Server(config).run(sockets=[sock])
    return 0


def _export(spec, path: str, iterations: int) -> int:
    """Write the page that replays a recorded run of ``iterations`` updates to ``path``."""
    from ..io.atomic import write_text
    from ..web.export import record, replay_html

    recorded = record(spec, iterations)
    write_text(path, replay_html(recorded))
    if path in ("-", "/dev/stdout"):
        return 0
    frames = recorded["frames"]
    print(
        f"wrote {path}: a page replaying {frames[-1]['iteration']:,} updates in {len(frames)} snapshots "
        "(open it in a browser; no server needed)"
    )
    return 0


def _listen(host: str, port: int):
    """A listening TCP socket on ``host``:``port`` (0: a free port), or one ConfigError line."""
    import socket

    from ..errors import ConfigError

    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)  # proto TCP: asyncio sets TCP_NODELAY
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
    except OSError as exc:
        sock.close()
        raise ConfigError(f"cannot listen on {host}:{port}: {exc.strerror or exc}") from None
    sock.listen(128)
    return sock


def _announce(host: str, port: int, sizes) -> None:
    """Say where the page is (and warn, on stderr, when other machines can reach it)."""
    import sys

    from ..web.security import LOOPBACK_NAMES

    if host not in LOOPBACK_NAMES:
        print(
            f"chainrule: warning: listening on {host}, so other machines can reach this page; "
            "it has no login — use 127.0.0.1 unless you mean it",
            file=sys.stderr,
        )
    shown = "127.0.0.1" if host in ("0.0.0.0", "::") else host
    shown = f"[{shown}]" if ":" in shown else shown
    print(
        f"chainrule: serving the {'-'.join(map(str, sizes))} network at http://{shown}:{port}/  (Ctrl+C to stop)",
        flush=True,
    )

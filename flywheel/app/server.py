"""``flywheel serve``: the workshop page for a whole room, from one laptop.

One process loads the model, finds its loops and compiles the run once;
every browser tab gets its own :class:`~flywheel.app.page.Workshop` session
(``panel serve`` underneath). Bokeh's and Panel's scripts and styles are
served by this server (``resources="server"``): the page loads nothing from
the internet, so it works in a room without a connection.

Who may connect
---------------
On loopback (the default, ``127.0.0.1``) only this machine's browsers can
reach the page. With ``host="0.0.0.0"`` the server listens on every network
interface and accepts websocket connections from pages of any origin
(``allowed_origins``): any browser that can reach this laptop's port can open
a session and run the model. Do that on a room's own network, not a public
one (``docs/workshop.md``).

Examples
--------
>>> allowed_origins("127.0.0.1", 5006)
['127.0.0.1:5006', 'localhost:5006']
>>> allowed_origins("0.0.0.0", 5006)
['*']
"""

from __future__ import annotations

from pathlib import Path

from flywheel.model import Model, load

__all__ = ["allowed_origins", "page_factory", "serve"]

#: The page's title in the browser.
TITLE = "flywheel workshop"


def allowed_origins(host: str, port: int) -> list[str]:
    """Websocket origins the server accepts: any for ``0.0.0.0``/``::``, else `host` and localhost."""
    if host in ("0.0.0.0", "::", ""):
        return ["*"]
    where = port or "*"  # port 0: the free port picked is not known yet
    return list(dict.fromkeys([f"{host}:{where}", f"localhost:{where}"]))


def page_factory(model: Model | str | Path):
    """A function that builds one session's page, and the simulator the sessions share.

    The model is loaded, its loops found and its run compiled here, once.
    """
    import panel as pn

    from flywheel.app.page import Workshop
    from flywheel.app.runs import Simulator

    runs = Simulator(model if isinstance(model, Model) else load(model))
    runs.baseline  # the numba kernel compiles here, not in the first session

    def page():
        pn.state.cache.setdefault("flywheel", runs)
        return Workshop(runs, query=pn.state.session_args).view()

    return page, runs


def serve(model: Model | str | Path = "flywheel", *, host: str = "127.0.0.1", port: int = 5006,
          show: bool = False, threaded: bool = False, num_procs: int = 1):
    """Serve the workshop page of `model` at ``http://host:port/``.

    Parameters
    ----------
    model : Model, str or path
    host : str
        The interface to listen on: ``127.0.0.1`` (this machine only) or
        ``0.0.0.0`` (every interface: the room's laptops; any origin allowed).
    port : int
        0 picks a free port.
    show : bool
        Open the page in this machine's browser.
    threaded : bool
        Serve from a background thread and return it (``.stop()`` ends it);
        otherwise block until interrupted.
    num_procs : int
        Server processes (each builds its own sessions; not with `threaded`).

    Returns
    -------
    The server (a thread with ``.stop()`` when `threaded`).
    """
    import panel as pn

    page, _ = page_factory(model)
    server = pn.serve(
        {"/": page}, address=host, port=port, show=show, threaded=threaded, start=True,
        websocket_origin=allowed_origins(host, port), title=TITLE, num_procs=num_procs,
        admin=False, verbose=False)
    return server

"""seqlab's JupyterLab server: Debian's jupyter-server + jupyterlab_server serving the front end
built in kernel/lab/build.

Run by kernel/start.mjs (npm start) and by the browser tests; not meant to be called by hand.
Everything it reads and writes lives inside the project (JUPYTER_* variables set by the caller).
"""
import json
import os
import sys

from jupyter_server.base.handlers import JupyterHandler
from jupyter_server.base.zmqhandlers import WebSocketMixin
from jupyterlab_server import LabServerApp
from tornado import web, websocket

HERE = os.path.dirname(os.path.abspath(__file__))
BUILD = os.path.join(HERE, "build")


class IdentityHandler(JupyterHandler):
    """/api/me: jupyter-server 1.23 predates it, and JupyterLab 4 asks for it at start-up."""

    @web.authenticated
    def get(self):
        self.set_header("Content-Type", "application/json")
        self.finish(json.dumps({
            "identity": {
                "username": "student",
                "name": "Student",
                "display_name": "Student",
                "initials": "S",
                "avatar_url": None,
                "color": None,
            },
            "permissions": {},
        }))


class SilentEventsHandler(WebSocketMixin, websocket.WebSocketHandler, JupyterHandler):
    """/api/events/subscribe: the server has no event bus; an open, silent socket keeps the
    front end's event manager content (a 404 would poison jupyterlab_server's page config).
    Like jupyter-server's own sockets it needs the token (or the login cookie) and refuses a
    page of another origin (WebSocketMixin.check_origin)."""

    def set_default_headers(self):
        # JupyterHandler's headers are for pages, not for a websocket handshake.
        pass

    async def get(self, *args, **kwargs):
        if self.get_current_user() is None:
            self.log.warning("refused an unauthenticated events socket")
            raise web.HTTPError(403)
        await super().get(*args, **kwargs)

    def open(self, *args, **kwargs):
        pass

    def on_message(self, message):
        pass


class EmptyJSONHandler(JupyterHandler):
    """News and update checks are switched off in settings; answer them anyway, never with a
    404 (jupyterlab_server 2.16 would then show "Path Not Found" on every later page load)."""

    @web.authenticated
    def get(self):
        self.set_header("Content-Type", "application/json")
        self.finish(json.dumps({"news": []}))


class SeqlabLab(LabServerApp):
    name = __name__
    app_name = "seqlab JupyterLab"
    app_version = "4.6.4"
    extension_url = "/lab"
    default_url = "/lab"
    app_url = "/lab"
    load_other_extensions = False
    static_dir = BUILD
    templates_dir = os.path.join(HERE, "templates")
    schemas_dir = os.path.join(BUILD, "schemas")
    themes_dir = os.path.join(BUILD, "themes")
    app_settings_dir = os.path.join(HERE, "settings")

    def initialize_settings(self):
        data = os.environ.get("JUPYTER_DATA_DIR", os.path.join(HERE, "..", "env", "data"))
        self.user_settings_dir = os.path.join(data, "lab", "user-settings")
        self.workspaces_dir = os.path.join(data, "lab", "workspaces")
        super().initialize_settings()

    def initialize_handlers(self):
        super().initialize_handlers()
        self.handlers.extend([
            (r"/api/me", IdentityHandler),
            (r"/api/events/subscribe", SilentEventsHandler),
            (r"/lab/api/news", EmptyJSONHandler),
            (r"/lab/api/update", EmptyJSONHandler),
        ])


def _jupyter_server_extension_points():
    return [{"module": __name__, "app": SeqlabLab}]


if __name__ == "__main__":
    if not os.path.exists(os.path.join(BUILD, "main.js")):
        sys.exit("seqlab: the JupyterLab front end is not built; run `npm start` from the project root.")
    SeqlabLab.launch_instance()

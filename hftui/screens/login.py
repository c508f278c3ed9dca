"""Login: paste a token (masked), validated with whoami, then saved (0600).

The token never appears on screen or in messages; the field is a password
Input. When the check fails the token stays in the field (selected, so a new
paste replaces it): "Token rejected" only when the Hub says so (401/403);
a network error or timeout says the Hub could not be reached, and Enter
tries again.
"""

from __future__ import annotations

from textual import work
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.widgets import Button, Footer, Input, Static

from hftui.keys import bindings_for
from hftui.screens.base import HFModal, HFScreen
from hftui.widgets.header import AppHeader
from hftui.widgets.safe_text import one_line


class LoginScreen(HFScreen[None]):
    DEFAULT_CSS = """
    LoginScreen { align: center middle; }
    LoginScreen > Vertical {
        width: 70; max-width: 100%; height: auto;
        border: round $primary; padding: 1 2; background: $surface;
    }
    LoginScreen #login-message { color: $error; height: auto; margin-top: 1; }
    LoginScreen #login-busy { color: $text-muted; height: auto; }
    LoginScreen Button { margin-top: 1; }
    """
    BINDINGS = bindings_for("LoginScreen")

    def __init__(self, message: str | None = None) -> None:
        super().__init__()
        self._message = message

    def compose(self) -> ComposeResult:
        yield AppHeader()
        with Vertical() as box:
            box.border_title = "Log in to Hugging Face"
            yield Static("Paste an access token (https://huggingface.co/settings/tokens). "
                         "It is checked with whoami, then saved with mode 0600.")
            yield Input(password=True, placeholder="hf_…", id="token-input")
            yield Static("", id="login-busy")
            yield Static(one_line(self._message or "", 300), id="login-message", markup=False)
            yield Button("Log in", variant="primary", id="login-button")
        yield Footer()

    def main_widget(self) -> Input:
        return self.query_one("#token-input", Input)

    def on_mount(self) -> None:
        self.query_one("#token-input", Input).focus()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self._submit()

    def action_leave(self) -> None:
        """Esc: no token at hand? Try the demo (``--demo``) or quit."""

        def chosen(choice: str | None) -> None:
            if choice == "quit":
                self.app.exit(0)
            elif choice == "demo":
                self.app.run_worker(self.app.start_demo(), group="demo", exclusive=True, exit_on_error=False)

        self.app.push_screen(LeaveLoginScreen(), chosen)

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self._submit()

    def _submit(self) -> None:
        raw = self.query_one("#token-input", Input).value.strip()
        if not raw:
            self._show("Paste a token first.")
            return
        from hftui.auth import token_problem

        problem = token_problem(raw)
        if problem:  # it could not even be sent: say why, never send it
            self._show(f"Not a valid token: {problem}.")
            return
        self._show("")
        self.query_one("#login-busy", Static).update("Checking the token…")
        self.query_one("#login-button", Button).disabled = True
        self._validate(raw)

    def _show(self, text: str) -> None:
        self.query_one("#login-message", Static).update(one_line(text, 300))

    @work(exclusive=True, group="login", exit_on_error=False)
    async def _validate(self, raw: str) -> None:
        from hftui.auth import Secret

        try:
            await self.app.login_with(Secret(raw))
        except Exception as exc:  # typed HFError or anything else: a message, never a traceback
            self._show(failure_text(exc, self.app.settings.hub_url))
            box = self.query_one("#token-input", Input)
            box.focus()
            box.select_all()
        finally:
            if self.is_mounted:
                self.query_one("#login-busy", Static).update("")
                self.query_one("#login-button", Button).disabled = False


class LeaveLoginScreen(HFModal[str | None]):
    """What Esc on the login offers: the demo, quit, or back to the token field (Esc)."""

    DEFAULT_CSS = """
    LeaveLoginScreen { align: center middle; }
    LeaveLoginScreen > Vertical { width: 64; max-width: 100%; height: auto; border: round $primary;
                                  background: $surface; padding: 0 1; }
    LeaveLoginScreen #leave-body { margin: 1 0; height: auto; }
    LeaveLoginScreen Horizontal { height: auto; align-horizontal: right; }
    LeaveLoginScreen Button { margin-left: 1; }
    """
    BINDINGS = bindings_for("LeaveLoginScreen")

    def compose(self) -> ComposeResult:
        with Vertical() as box:
            box.border_title = "No token?"
            yield Static("Try hftui on its built-in demo (a local emulator, as hftui --demo: nothing is sent "
                         "to Hugging Face), or quit. Esc: back to the token field.", id="leave-body")
            with Horizontal():
                yield Button("Back", id="back")
                yield Button("Quit", id="quit")
                yield Button("Try the demo", id="demo", variant="primary")

    def on_mount(self) -> None:
        self.query_one("#demo", Button).focus()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.dismiss(None if event.button.id == "back" else event.button.id)

    def action_back(self) -> None:
        self.dismiss(None)


def failure_text(exc: BaseException, hub_url: str | None) -> str:
    """Why the login did not work, telling a refused token from a Hub that did not answer."""
    from urllib.parse import urlsplit

    from hftui.client import AuthError, ConnectionFailed, HFError, Timeout

    host = (urlsplit(hub_url).netloc if hub_url else "") or "the Hub"
    if isinstance(exc, AuthError) and exc.status in (401, 403):
        return f"Token rejected: {exc.user_message()}"
    if isinstance(exc, (ConnectionFailed, Timeout)):
        return (f"Could not reach {host}: {exc.user_message()}. The token was not checked; "
                "check the network (or HF_ENDPOINT) and press Enter to try again.")
    if isinstance(exc, HFError):
        return (f"{host} answered with an error, so the token was not checked: {exc.user_message()}. "
                "Press Enter to try again.")
    return f"The token could not be checked: {type(exc).__name__}: {exc}"

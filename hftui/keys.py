"""The key map of hftui, as one table: every key, what it means, and where it works.

Each row names the class that owns the binding (``owner``), the binding ``id`` users remap in
``[keymap]`` (see below), the key(s), the action, the footer label, the tooltip and the
*verb*: what the key means. A key means one thing on every screen: ``j`` moves down in every list,
``ctrl+r`` runs or refreshes the thing in front of you, ``d`` shows details, ``h`` opens the History
and never scrolls, ``l`` opens logs and never scrolls. ``conflicts()`` lists the keys that would
mean two things; the test suite fails when it is not empty. The few rows allowed to differ carry an
``exception`` saying why (``EXCEPTIONS`` lists them for the README and the help).

Screens and widgets build their ``BINDINGS`` from here::

    BINDINGS = bindings_for("ModelsScreen")

Arrow keys, page keys, home/end and tab are directions, not verbs: they move the way they point in
whatever has the focus, so they are left out of the check (their rows still name a verb).

Users remap by binding id with a ``[keymap]`` table in ``config.toml``::

    [keymap]
    "endpoints.pause" = "P"
    "app.quit" = "ctrl+q,f10"

``apply_keymap(app, settings.keymap)`` hands that to ``App.set_keymap``; ``check_keymap`` refuses an
id no row has (a typo is an error, not a silent no-op) before the app starts. The keys themselves are
checked when the config is read (``hftui.config``: printable key names only). No default key is a
terminal-multiplexer prefix (``FORBIDDEN_DEFAULT_KEYS``): tmux and screen users would lose them.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass

from textual.binding import Binding

from hftui.config import ConfigError

FORBIDDEN_DEFAULT_KEYS = frozenset({"ctrl+a", "ctrl+b"})
"""tmux's and screen's prefix keys: never a default binding."""

NAVIGATION = frozenset({"up", "down", "left", "right", "pageup", "pagedown", "home", "end", "tab", "shift+tab"})
"""Keys whose meaning is their direction (not checked for one verb per key)."""

# Verbs: what a key means, everywhere it is bound.
BACK = "back one level (close, cancel, leave)"
RUN = "run or refresh the thing in front of you"
OPEN = "open the selected item"
DETAILS = "details of the selected item"
COPY = "copy to the clipboard"
NEW = "new (endpoint, conversation)"
FILTER = "filter / search the list"
EXPORT = "export the run as code"
DELETE = "delete (asks first)"
QUIT = "quit hftui"
HELP = "keys of this screen"
SAVE = "save / submit"
DOWN, UP, FIRST, LAST = "move down", "move up", "first line", "last line"
TASK = "pick the task"
TRY = "try in the Playground"
HISTORY = "open the History"
LOGS = "open the logs"


@dataclass(frozen=True)
class Key:
    """One binding: the row of the key table."""

    owner: str
    """Class name of the screen / widget / app whose BINDINGS hold it."""
    id: str
    keys: str
    """Textual key names, comma separated (``"enter,d"``)."""
    action: str
    label: str
    verb: str
    tooltip: str = ""
    show: bool = True
    priority: bool = False
    key_display: str | None = None
    key_verbs: tuple[tuple[str, str], ...] = ()
    """``(key, verb)`` for a key of the row that means something else than ``verb`` (``enter`` opens,
    ``d`` shows details: both describe an endpoint)."""
    exception: str = ""
    """Why this row may give its key(s) a verb other rows do not share (a yes/no question's ``n``)."""

    def key_list(self) -> list[str]:
        return [k.strip() for k in self.keys.split(",") if k.strip()]

    def verb_of(self, key: str) -> str:
        return dict(self.key_verbs).get(key, self.verb)

    def binding(self) -> Binding:
        return Binding(self.keys, self.action, self.label, show=self.show, priority=self.priority,
                       key_display=self.key_display, tooltip=self.tooltip or self.label, id=self.id)


def _k(owner: str, id: str, keys: str, action: str, label: str, verb: str, tooltip: str = "", **kw) -> Key:
    return Key(owner, id, keys, action, label, verb, tooltip, **kw)


KEYS: tuple[Key, ...] = (
    # --- everywhere (the app) -------------------------------------------------------------------------
    _k("HFTUIApp", "app.quit", "ctrl+q", "quit", "Quit", QUIT, "Quit hftui", show=False, priority=True),
    _k("HFTUIApp", "app.quit_ctrl_c", "ctrl+c", "quit", "Quit", QUIT, "Quit hftui", show=False, priority=True),
    _k("HFTUIApp", "app.models", "1", "switch_to('models')", "Models", "go to Models", "Go to the Models screen",
       show=False),
    _k("HFTUIApp", "app.playground", "2", "switch_to('playground')", "Playground", "go to the Playground",
       "Go to the Playground", show=False),
    _k("HFTUIApp", "app.endpoints", "3", "switch_to('endpoints')", "Endpoints", "go to Endpoints",
       "Go to the Endpoints screen", show=False),
    _k("HFTUIApp", "app.command_line", "colon", "command_line", ":cmd", "command line",
       "Command line: :ep [ns], :models [q], :play [model], :history, :q (tab completes, ↑/↓ history)"),
    _k("HFTUIApp", "app.help", "question_mark,f1", "help", "Keys", HELP, "Show this screen's keys"),
    _k("HFTUIApp", "app.focus_main", "escape", "focus_main", "Back to the list", BACK,
       "Leave the text field; the screen keys work again", show=False),
    _k("LoginScreen", "login.quit", "ctrl+q", "app.quit", "Quit", QUIT, "Quit hftui"),
    _k("LoginScreen", "login.leave", "escape", "leave", "Leave", BACK, "No token? Try the demo, or quit"),
    _k("LeaveLoginScreen", "login_leave.back", "escape", "back", "Back", BACK, "Back to the token field"),
    _k("HelpScreen", "help.close", "escape,q,question_mark,f1", "close", "Close", BACK, "Close the help",
       key_verbs=(("question_mark", HELP), ("f1", HELP))),
    _k("CommandLine", "command_line.cancel", "escape", "cancel", "Cancel", BACK, "Close the command line"),
    _k("CommandInput", "command_line.complete", "tab", "complete", "Complete", "complete the word",
       "Complete the command or its argument (again: the next match)"),
    _k("CommandInput", "command_line.previous", "up", "previous", "Earlier", "earlier command",
       "The command before (this session and earlier ones)"),
    _k("CommandInput", "command_line.next", "down", "next", "Later", "later command", "The command after"),
    _k("ConfirmScreen", "confirm.cancel", "escape,n", "cancel", "Cancel", BACK, "Do nothing",
       key_verbs=(("n", "answer no"),), exception="in a yes/no question n answers no"),
    _k("ConfirmScreen", "confirm.yes", "y", "confirm", "Yes", "answer yes", "Do it (Enter presses the highlighted "
       "button: Cancel at first)", exception="in a yes/no question y answers yes"),
    _k("ConfirmScreen", "confirm.switch", "left,right", "switch_focus", "Switch", "switch button",
       "Move between the buttons", show=False),
    # --- every list: j/k move -----------------------------------------------------------------------------
    _k("ListTable", "list.down", "j", "cursor_down", "Down", DOWN, "Next row", show=False),
    _k("ListTable", "list.up", "k", "cursor_up", "Up", UP, "Previous row", show=False),
    _k("ListOptions", "list.down", "j", "cursor_down", "Down", DOWN, "Next item", show=False),
    _k("ListOptions", "list.up", "k", "cursor_up", "Up", UP, "Previous item", show=False),
    # --- Models ----------------------------------------------------------------------------------------------
    _k("ModelsScreen", "models.search", "slash", "focus_search", "Search", FILTER, "Type to search model ids"),
    _k("ModelsScreen", "models.task", "t", "pick_task", "Task", TASK,
       "Pick the task filter (opens the list; type to jump, enter picks, esc closes)"),
    _k("ModelsScreen", "models.sort", "o", "pick_sort", "Sort", "pick the sort order",
       "Pick the sort order: trending, downloads, likes, recently updated"),
    _k("ModelsScreen", "models.servable", "v", "toggle_servable", "Servable", "servable only",
       "Only models served now: warm on hf-inference, or a live Inference Provider"),
    _k("ModelsScreen", "models.refresh_status", "s", "refresh_status", "Status", "refresh the serving status",
       "Re-read the focused model's serving status (providers, warm/cold)", show=False),
    _k("ModelsScreen", "models.copy_id", "c", "copy_id", "Copy id", COPY, "Copy the model id (OSC 52)", show=False),
    _k("ModelsScreen", "models.toggle_detail", "d", "toggle_detail", "Detail", DETAILS,
       "Show or hide the detail pane", show=False),
    _k("ModelsScreen", "models.playground", "i", "open_playground", "Try", TRY,
       "Open the Playground on this model with its task selected", show=False),
    _k("ModelsScreen", "models.reload", "ctrl+r", "reload", "Reload", RUN, "Search again now", show=False),
    _k("ModelTable", "models.open", "enter", "select_cursor", "Playground", OPEN,
       "Open the Playground on this model with its task selected"),
    _k("ModelTable", "models.last_row", "end,G", "scroll_bottom", "Last row", LAST,
       "Go to the last loaded model (loads the next page)", show=False),
    _k("ModelTable", "models.first_row", "home,g", "scroll_top", "First row", FIRST, "Go to the first model",
       show=False),
    # --- Playground (screen code: hftui/screens/playground.py) ------------------------------------------------
    _k("PlaygroundScreen", "playground.run", "ctrl+r", "run", "Run", RUN, "Run the task with the form's values",
       priority=True),
    _k("PlaygroundScreen", "playground.run_enter", "ctrl+enter,ctrl+j", "run", "Run", RUN,
       "Run (where the terminal sends ctrl+enter)", show=False),
    _k("PlaygroundScreen", "playground.cancel", "escape", "cancel", "Cancel", BACK,
       "Cancel the run; keep what arrived"),
    _k("PlaygroundScreen", "playground.new_chat", "ctrl+n", "new_chat", "New chat", NEW,
       "Forget the conversation and start again"),
    _k("PlaygroundScreen", "playground.copy", "ctrl+y", "copy_output", "Copy", COPY, "Copy the output (OSC 52)"),
    _k("PlaygroundScreen", "playground.export", "x", "export_run", "Export", EXPORT,
       "Export the last run as curl / httpx / huggingface_hub (outside a text field)"),
    _k("PlaygroundScreen", "playground.export_ctrl", "ctrl+x", "export", "Export", EXPORT,
       "Export the last run (in a text field ctrl+x cuts)", show=False),
    _k("PlaygroundScreen", "playground.history", "h", "history", "History", HISTORY,
       "Past runs (outside a text field; also :history)"),
    # The pickers work from inside a text field too (ctrl keys no field types); the app opens them.
    _k("PlaygroundScreen", "playground.pick_task", "ctrl+t", "app.pick('#task')", "Task", TASK,
       "Pick the task (opens the list)", show=False),
    _k("PlaygroundScreen", "playground.pick_model", "ctrl+l", "app.pick('#target-model')", "Model",
       "go to the model / URL field", "Type the model id or URL (like a browser's address bar)", show=False),
    _k("PlaygroundScreen", "playground.pick_provider", "ctrl+o", "app.pick('#provider')", "Provider",
       "pick the provider", "Pick the Inference Provider (router targets)", show=False),
    # --- History ----------------------------------------------------------------------------------------------
    _k("HistoryScreen", "history.open", "enter", "open_run", "Open", OPEN, "Re-open this run in the Playground"),
    _k("HistoryScreen", "history.rerun", "ctrl+r,R", "rerun", "Re-run", RUN,
       "Re-open this run in the Playground and run it again (a new history row)",
       key_verbs=(("R", "run the selected run again"),)),
    _k("HistoryScreen", "history.export", "x", "export", "Export", EXPORT,
       "Export as curl / httpx / huggingface_hub (token as $HF_TOKEN)"),
    _k("HistoryScreen", "history.delete", "ctrl+d", "delete", "Delete", DELETE, "Delete this run from the history"),
    _k("HistoryScreen", "history.task_filter", "t", "cycle_task", "Task filter", TASK,
       "Show only runs of one task (cycles through the tasks; back to all)"),
    _k("HistoryScreen", "history.back", "escape", "back", "Back", BACK, "Back to the screen you came from"),
    _k("HistoryScreen", "history.reload", "f5", "reload", "Reload", "read again", "Read the history again",
       show=False),
    _k("ExportScreen", "export.close", "escape", "close", "Close", BACK, "Close the export"),
    _k("ExportScreen", "export.copy", "c", "copy", "Copy", COPY, "Copy the snippet to the clipboard (OSC 52)"),
    _k("ExportScreen", "export.save", "ctrl+s", "save", "Save", SAVE, "Save the snippet to a file"),
    _k("ExportScreen", "export.token", "m", "toggle_token", "My token", "include my token", 
       "Write my token into the copy/file instead of $HF_TOKEN", show=False),
    _k("ExportScreen", "export.prev", "left", "cycle(-1)", "Prev format", "previous format", "Previous format",
       show=False),
    _k("ExportScreen", "export.next", "right", "cycle(1)", "Next format", "next format", "Next format",
       show=False),
    # --- Endpoints (screen code: hftui/screens/endpoints.py, hftui/widgets/endpoint_table.py) ---------------
    _k("EndpointsScreen", "endpoints.describe", "enter,d", "describe", "Describe", DETAILS,
       "Every field, status message and URL (y: raw JSON)", key_display="⏎/d", key_verbs=(("enter", OPEN),)),
    _k("EndpointsScreen", "endpoints.pause", "p", "pause", "Pause", "pause the endpoint",
       "Pause the endpoint, or the marked ones (space marks); stops billing"),
    _k("EndpointsScreen", "endpoints.resume", "r", "resume", "Resume", "resume the endpoint",
       "Resume the endpoint or the marked ones (shows the hourly price first)", show=False),
    _k("EndpointsScreen", "endpoints.scale_to_zero", "z", "scale_to_zero", "Scale to 0", "scale to zero",
       "Scale the endpoint (or the marked ones) to zero replicas; wakes on the next request", show=False),
    _k("EndpointsScreen", "endpoints.wait", "W", "wait", "Wait", "wait until running",
       "Wait until running, showing each state; esc stops waiting", show=False),
    _k("EndpointsScreen", "endpoints.update", "e", "update", "Edit", "edit the endpoint",
       "Update the endpoint: only changed fields are sent", show=False),
    _k("EndpointsScreen", "endpoints.delete", "ctrl+d", "delete", "Delete", DELETE,
       "Delete the endpoint (asks you to type its name)"),
    _k("EndpointsScreen", "endpoints.logs", "l", "logs", "Logs", LOGS, "Show the endpoint's logs", show=False),
    _k("EndpointsScreen", "endpoints.copy_url", "c", "copy_url", "Copy URL", COPY,
       "Copy the endpoint URL (OSC 52: works over SSH and tmux)", show=False),
    _k("EndpointsScreen", "endpoints.playground", "i", "playground", "Try", TRY,
       "Open the Playground on this endpoint", show=False),
    _k("EndpointsScreen", "endpoints.batch", "b", "batch", "Batch", "batch run",
       "Run a JSONL file through this endpoint", show=False),
    _k("EndpointsScreen", "endpoints.create", "a,ctrl+n", "create", "New", NEW,
       "Create an endpoint (hardware and price from the catalog)"),
    _k("EndpointsScreen", "endpoints.filter", "slash", "filter", "Filter", FILTER,
       "Filter by name, model or state (regex; ! inverts)"),
    _k("EndpointsScreen", "endpoints.faults", "f", "faults", "Faults", "only failed endpoints",
       "Show only failed / updateFailed endpoints", show=False),
    _k("EndpointsScreen", "endpoints.namespace", "n", "namespace", "Namespace", "pick the namespace",
       "Pick the namespace: you, an org, or all", show=False),
    _k("EndpointsScreen", "endpoints.refresh", "ctrl+r", "refresh", "Refresh", RUN, "Refresh now", show=False),
    _k("EndpointsScreen", "endpoints.slower", "plus,equals_sign", "slower", "Slower", "refresh less often",
       "Refresh less often", show=False),
    _k("EndpointsScreen", "endpoints.faster", "minus", "faster", "Faster", "refresh more often",
       "Refresh more often", show=False),
    _k("EndpointTable", "table.down", "down,j", "cursor_down", "Down", DOWN, "Next endpoint", show=False),
    _k("EndpointTable", "table.up", "up,k", "cursor_up", "Up", UP, "Previous endpoint", show=False),
    _k("EndpointTable", "table.page_down", "pagedown", "page_down", "Page down", "page down", "One page down",
       show=False),
    _k("EndpointTable", "table.page_up", "pageup", "page_up", "Page up", "page up", "One page up", show=False),
    _k("EndpointTable", "table.first", "home,g", "first", "First", FIRST, "First endpoint", show=False),
    _k("EndpointTable", "table.last", "end,G", "last", "Last", LAST, "Last endpoint", show=False),
    # h is History's key (the Playground): the table scrolls with the arrows only.
    _k("EndpointTable", "table.left", "left", "scroll_left", "Scroll left", "scroll left", "Scroll left",
       show=False),
    _k("EndpointTable", "table.right", "right", "scroll_right", "Scroll right", "scroll right", "Scroll right",
       show=False),
    _k("EndpointTable", "table.select", "space", "toggle_select", "Select", "mark the row",
       "Mark / unmark the endpoint", show=False),
    _k("DescribeScreen", "describe.close", "escape,q", "close", "Back", BACK,
       "Back to the endpoints (from the raw JSON: back to the description)"),
    _k("DescribeScreen", "describe.json", "y", "toggle_json", "Raw JSON", "raw JSON", "Toggle the raw JSON"),
    _k("DescribeScreen", "describe.logs", "l", "logs", "Logs", LOGS, "Show the endpoint's logs"),
    _k("DescribeScreen", "describe.copy_url", "c", "copy_url", "Copy URL", COPY, "Copy the URL (OSC 52)"),
    _k("LogsScreen", "logs.close", "escape,q", "close", "Back", BACK, "Back to the endpoints"),
    _k("LogsScreen", "logs.reload", "ctrl+r", "reload", "Reload", RUN, "Fetch the logs now"),
    _k("LogsScreen", "logs.wrap", "w", "toggle_wrap", "Wrap", "wrap long lines",
       "Wrap long lines at the window's width / one line per entry (scroll sideways)"),
    _k("LogsScreen", "logs.pause_follow", "F", "toggle_follow", "Follow", "follow new lines",
       "Stop / restart following new lines (as less's F)"),
    _k("LogView", "logs.follow", "G,end", "follow", "End", LAST, "Jump to the end and follow new lines"),
    _k("LogView", "logs.top", "g,home", "top", "Top", FIRST, "Jump to the first line", show=False),
    _k("LogView", "list.down", "j", "scroll_down", "Down", DOWN, "One line down", show=False),
    _k("LogView", "list.up", "k", "scroll_up", "Up", UP, "One line up", show=False),
    _k("EndpointFormScreen", "form.submit", "ctrl+s", "submit", "Submit", SAVE, "Check the form and send it",
       priority=True),
    _k("EndpointFormScreen", "form.cancel", "escape", "cancel", "Close", BACK,
       "Leave the field; again to close the form (asks first if you typed something)"),
    _k("WaitScreen", "wait.stop", "escape,q", "stop", "Stop waiting", BACK, "Stop waiting and close"),
    _k("NamespaceScreen", "namespace.cancel", "escape,q", "cancel", "Cancel", BACK, "Keep the namespace"),
    _k("DeleteEndpointScreen", "delete.cancel", "escape", "cancel", "Cancel", BACK, "Keep the endpoint"),
    _k("BatchScreen", "batch.cancel", "escape", "cancel", "Cancel / back", BACK, "Cancel the run, or go back"),
    _k("BatchScreen", "batch.run", "ctrl+r", "run", "Run", RUN, "Start the batch"),
)
"""Every binding of hftui, grouped by where it works."""

EXCEPTIONS: tuple[Key, ...] = tuple(k for k in KEYS if k.exception)
"""The documented rows whose key means something else than elsewhere."""


def bindings_for(owner: str) -> list[Binding]:
    """The BINDINGS of ``owner`` (a class name), in table order."""
    found = [k.binding() for k in KEYS if k.owner == owner]
    if not found:
        raise KeyError(f"the key table has no row for {owner}")
    return found


def rows_for(owner: str) -> list[Key]:
    return [k for k in KEYS if k.owner == owner]


def _checked(key: str) -> bool:
    return key not in NAVIGATION


def uses(table: tuple[Key, ...] = KEYS) -> Iterator[tuple[str, str, Key]]:
    """(key, verb, row) for every key of every row."""
    for row in table:
        for key in row.key_list():
            yield key, row.verb_of(key), row


def conflicts(table: tuple[Key, ...] = KEYS) -> dict[str, dict[str, list[str]]]:
    """Keys that mean two things: key -> verb -> the binding ids giving it that verb.

    Direction keys and rows with a documented ``exception`` are left out.
    """
    verbs: dict[str, dict[str, list[str]]] = {}
    for key, verb, row in uses(table):
        if row.exception or not _checked(key):
            continue
        verbs.setdefault(key, {}).setdefault(verb, []).append(row.id)
    return {key: by_verb for key, by_verb in verbs.items() if len(by_verb) > 1}


# --- the user's [keymap] -----------------------------------------------------------------------------


class KeymapError(ConfigError):
    """A ``[keymap]`` entry names no binding; the message lists the close matches."""


def normalize(keymap: Mapping[str, str] | None) -> dict[str, str]:
    """Drop stray whitespace (``"P, shift+p"`` -> ``"P,shift+p"``) and entries that are not printable keys.

    ``load_settings`` already refused those with a message; this keeps a keymap
    built in code from putting a control character into the footer or help.
    """
    from hftui.config import parse_keys

    out: dict[str, str] = {}
    for binding_id, keys in (keymap or {}).items():
        try:
            cleaned = parse_keys(",".join(k for k in str(keys).split(",") if k.strip()))
        except ValueError:
            continue
        if binding_id:
            out[str(binding_id).strip()] = cleaned
    return out


def apply_keymap(app, keymap: Mapping[str, str] | None) -> dict[str, str]:
    """Apply the user's overrides; returns what was applied."""
    cleaned = normalize(keymap)
    if cleaned:
        app.set_keymap(cleaned)
    return cleaned


def check_keymap(keymap: Mapping[str, str] | None, source: object = None) -> None:
    """Raise ``KeymapError`` for an id no binding has, naming it and the ids it is close to."""
    import difflib

    from hftui.sanitize import one_line

    known = {k.id for k in KEYS}
    unknown = [str(i) for i in normalize(keymap) if i and i not in known]
    if not unknown:
        return
    where = f"{one_line(str(source), 300)}: " if source else ""
    parts = []
    for binding_id in unknown:
        close = difflib.get_close_matches(binding_id, sorted(known), n=3, cutoff=0.6)
        hint = f" (did you mean {' or '.join(close)}?)" if close else " (no binding has that id)"
        parts.append(f"{one_line(repr(binding_id), 90)}{hint}")
    raise KeymapError(f"{where}keymap: unknown binding id {'; '.join(parts)}")

"""The command palette's system commands, shown as plain text.

Textual's own ``SystemCommandsProvider`` hands each command's title to the
palette as a *markup* string (and its help too). Some titles hold server
text — ``Endpoints: <org name>`` — and an org named ``[link=https://x]org``,
or one whose ``[`` was cut in half by ``one_line``, then crashes the palette
with ``MarkupError`` or turns into a link. Here titles become ``Content``
(never parsed) and the fuzzy-match highlight is computed on that same plain
text; help strings are escaped after they are cleaned and cut.
"""

from __future__ import annotations

from textual.command import DiscoveryHit, Hit, Hits, Matcher
from textual.content import Content
from textual.system_commands import SystemCommandsProvider

from hftui.widgets.safe_text import one_line, safe_markup

TITLE_LIMIT = 100
HELP_LIMIT = 200


def highlighted(matcher: Matcher, title: str) -> Content:
    """``title`` as plain Content with the characters the query matched highlighted."""
    content = Content(title)
    score, offsets = matcher.fuzzy_search.match(matcher.query, title)
    if not score:
        return content
    for offset in offsets:
        if not title[offset].isspace():
            content = content.stylize(matcher.match_style, offset, offset + 1)
    return content


class PlainSystemCommands(SystemCommandsProvider):
    """``App.get_system_commands`` in the palette, titles never read as markup."""

    def _commands(self):
        for title, help_text, callback, discover in self.app.get_system_commands(self.screen):
            yield one_line(title, TITLE_LIMIT), safe_markup(one_line(help_text, HELP_LIMIT)), callback, discover

    async def discover(self) -> Hits:
        for title, help_text, callback, discover in sorted(self._commands(), key=lambda c: c[0]):
            if discover:
                yield DiscoveryHit(Content(title), callback, text=title, help=help_text)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for title, help_text, callback, _discover in self._commands():
            score = matcher.match(title)
            if score > 0:
                yield Hit(score, highlighted(matcher, title), callback, text=title, help=help_text)

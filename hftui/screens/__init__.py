"""One module per screen; the app installs them lazily by name (see ``hftui.app``)."""

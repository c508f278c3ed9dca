"""The test suite, a package so that every helper imports by its full name (``tests.support.pilot``)."""

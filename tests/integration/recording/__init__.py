"""Recording what the real schedulers print, for the unit tests of the IO layer."""

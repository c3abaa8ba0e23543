"""What the pages and the command line call: the engine's answers for a date, shaped for
display, with the map's roll-up."""

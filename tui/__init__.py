"""paperdeck's terminal front end: the Textual browser and the command line."""
